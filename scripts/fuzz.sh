#!/usr/bin/env bash
# Fuzz the HTTP API with schemathesis against its own OpenAPI schema, on the real app.
#
# Builds the curated data (data/) into a temporary store, serves it with `metkg serve` on a free
# port of 127.0.0.1 (write token set, data directory a temporary copy), and runs every operation
# of /openapi.json with generated requests. Checks: no 5xx, status codes, content types, headers
# and bodies as the schema declares them. Exit status: schemathesis's (0 when nothing failed).
#
#   bash scripts/fuzz.sh                    # about 2 minutes on 2 cores
#   MAX_EXAMPLES=20 bash scripts/fuzz.sh    # quicker
#   STORE=/path/to/store bash scripts/fuzz.sh   # reuse a built store (no build step)
set -euo pipefail
cd "$(dirname "$0")/.."

MAX_EXAMPLES=${MAX_EXAMPLES:-60}
MAX_TIME=${MAX_TIME:-100}
PY=.venv/bin/python
work=$(mktemp -d)
server=
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/data"
cp -r data/cases "$work/data/cases"
export METKG_DATA_DIR="$work/data" METKG_WRITE_TOKEN="fuzz-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
export METKG_QUERY_TIMEOUT=${METKG_QUERY_TIMEOUT:-10}
if [ -n "${STORE:-}" ]; then
    export METKG_STORE=$STORE
else
    export METKG_STORE="$work/store"
    echo "building data/ into $METKG_STORE" >&2
    .venv/bin/metkg build --store "$METKG_STORE" >&2
fi

port=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
.venv/bin/metkg serve --port "$port" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 150); do
    if $PY -c "import httpx, sys; sys.exit(httpx.get('http://127.0.0.1:$port/health').status_code != 200)" 2>/dev/null; then
        break
    fi
    sleep 0.2
done

status=0
root=$(pwd)
cd "$work"  # schemathesis keeps a cache directory (.schemathesis) in the working directory
"$root/.venv/bin/schemathesis" run "http://127.0.0.1:$port/openapi.json" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --phases examples,coverage,fuzzing \
    --max-examples "$MAX_EXAMPLES" --max-time "$MAX_TIME" --workers 2 --request-timeout 30 \
    --header "Authorization: Bearer $METKG_WRITE_TOKEN" \
    --suppress-health-check all --generation-database none --no-color "$@" || status=$?
if grep -q "Traceback" "$work/server.log"; then
    echo "the server logged a traceback:" >&2
    grep -A 20 "Traceback" "$work/server.log" | head -60 >&2
    status=1
fi
exit $status
