"""The README's test command and `.ci/run` agree, and the README says what `.ci/run` adds."""

from __future__ import annotations

import re

from metkg.settings import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
CI = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_ci_runs_the_readme_test_command() -> None:
    commands = re.findall(r"^(bash scripts/bootstrap\.sh && \.venv/bin/pytest.*)$", README, flags=re.MULTILINE)
    assert commands, "the README gives the test command"
    assert CI.rstrip().splitlines()[-1] == commands[-1]


def test_readme_says_ci_installs_virtuoso_first() -> None:
    """The README's command skipped the Virtuoso tests on a fresh machine, `.ci/run` installed it
    first, and the README did not say so."""
    assert "virtuoso-opensource-7-bin" in CI
    quick_start = README.split("## Commands", 1)[0]
    assert "virtuoso-opensource-7-bin" in quick_start and "tests/backends" in quick_start
