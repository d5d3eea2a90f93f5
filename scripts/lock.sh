#!/usr/bin/env bash
# Re-resolve the lock file from pyproject.toml (runtime + test extra) in a throwaway venv.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install --quiet --upgrade pip
"$tmp/venv/bin/pip" install --quiet ".[test]"
{
    echo "# Pinned dependencies of metkg (runtime and test), Python 3.11, Linux x86_64."
    echo "# Regenerate after changing pyproject.toml: scripts/lock.sh"
    "$tmp/venv/bin/pip" freeze --exclude-editable | grep -v -E "^(metkg|pip|setuptools)=="
} > requirements.lock
rm -rf "$tmp"
echo "wrote requirements.lock ($(grep -vc '^#' requirements.lock) packages)"
