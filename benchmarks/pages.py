"""Page benchmark: the people's pages of the real server on a store of synthetic cases.

Run by hand (not in CI); it prints a Markdown report::

    .venv/bin/python benchmarks/pages.py                       # 10,000 cases
    .venv/bin/python benchmarks/pages.py --size 1000 --runs 20
    .venv/bin/python benchmarks/pages.py --store /tmp/store    # an existing build

1. **store**: the synthetic records of ``benchmarks/scale.py`` (cached in ``benchmarks/.work/``),
   built once with the rules and without SHACL or OWL (``--no-shacl --no-owl``), as the scale
   benchmark's query store.
2. **index**: the browse index (:mod:`metkg.web.app.browse`) read from the build, timed once:
   what a server pays once per published build, in a thread at start.
3. **pages**: uvicorn on 127.0.0.1 serving the app; every page ``--runs`` times one after the
   other. Server time is measured around the app (from the request to the last byte of the answer),
   client time by the client over loopback; median and 95th percentile of each.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from scale import WORK, records_dir  # noqa: E402  (the scale benchmark's cached records)

BASE = "https://w3id.org/metkg/"
LIMIT_MS = 300


class ServerClock:
    """ASGI middleware that keeps the server time of each answer, by request path and query."""

    def __init__(self, app: Any):
        self.app = app
        self.seconds: dict[str, list[float]] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        await self.app(scope, receive, send)
        target = scope["path"] + ("?" + scope["query_string"].decode() if scope["query_string"] else "")
        self.seconds.setdefault(target, []).append(time.perf_counter() - started)


def build_store(size: int) -> Path:
    """The store of ``size`` synthetic cases (built once, then reused)."""
    from metkg.build import build_graph
    from metkg.settings import Settings

    store = WORK / f"pages-store-{size}"
    if (store / "current").exists():
        return store
    records = records_dir(size)
    settings = Settings(store=store, data_dir=records, corpus_dir=None)
    clock = time.perf_counter()
    build_graph(settings, [records], reason=True, shacl=False, owl=False)
    print(f"built {size:,} cases in {time.perf_counter() - clock:.0f} s", file=sys.stderr)
    return store


def _pages(index: Any) -> dict[str, str]:
    """Name -> path of every kind of page, with realistic parameters from the data."""
    patient = index.patients[len(index.patients) // 2]
    path = patient.iri[len(BASE) - 1 :]
    report = patient.case_iri[len(BASE) - 1 :]
    evidence = quote(path + "/evidence/1", safe="/")
    return {
        "home": "/",
        "cases": "/cases",
        "cases, site=skin": "/cases?site=skin",
        "cases, text + 3 facets": "/cases?q=carcinoma&site=bone&marker=ER%3Apositive&intervention=chemotherapy",
        "cases, page 200": "/cases?page=200",
        "case page (patient)": path,
        "report page": report,
        "source page": f"{report}/source/main?evidence={evidence}",
        "ontology browser": "/ontology",
        "query page": "/sparql",
        "named-query form": "/queries/receptor-conversion?marker=ER",
        "(the same query, JSON)": "/queries/receptor-conversion?marker=ER&format=json",
    }


def serve(settings: Any) -> tuple[Any, ServerClock, str]:
    """The app for ``settings`` on uvicorn in a thread on a free loopback port: (server, clock, URL)."""
    import socket

    import uvicorn

    from metkg.web.server import create_app

    clock = ServerClock(create_app(settings))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(clock, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, clock, f"http://127.0.0.1:{port}"


def _ms(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return statistics.median(ordered) * 1000, p95 * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10_000, help="synthetic cases (default 10,000)")
    parser.add_argument("--store", type=Path, help="an existing store directory instead of building one")
    parser.add_argument("--runs", type=int, default=30, help="requests per page (default 30)")
    args = parser.parse_args()

    import httpx

    from metkg.settings import Settings
    from metkg.store import StoreLayout
    from metkg.web.app.browse import browse_index
    from metkg.web.dataset import LiveStore

    store = args.store or build_store(args.size)
    snapshot = LiveStore(StoreLayout(store), BASE).snapshot()
    clock = time.perf_counter()
    index = browse_index(snapshot)
    index_seconds = time.perf_counter() - clock
    server, timing, url = serve(Settings(store=store, base_iri=BASE, corpus_dir=None, query_workers=1))
    rows = []
    with httpx.Client(base_url=url, headers={"Accept": "text/html"}, timeout=60) as client:
        for name, path in _pages(index).items():
            client.get(path).raise_for_status()  # warm: the worker's first query opens the store
            timing.seconds.clear()
            seconds = []
            for _ in range(args.runs):
                started = time.perf_counter()
                answer = client.get(path)
                seconds.append(time.perf_counter() - started)
                answer.raise_for_status()
            served = [s for values in timing.seconds.values() for s in values]
            rows.append((name, path, *_ms(served), *_ms(seconds), len(answer.content)))
    server.should_exit = True
    print(f"{index.size:,} patients; browse index read once per build in {index_seconds:.1f} s\n")
    print("| page | server median ms | server p95 ms | client median ms | client p95 ms | bytes |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, _path, smed, sp95, cmed, cp95, size in rows:
        flag = "" if sp95 < LIMIT_MS else " **over 300 ms**"
        print(f"| {name} | {smed:.1f} | {sp95:.1f}{flag} | {cmed:.1f} | {cp95:.1f} | {size:,} |")


if __name__ == "__main__":
    main()
