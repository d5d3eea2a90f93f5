"""Load test of `metkg serve` on 127.0.0.1: concurrent clients mixing named queries, dereferencing
and raw SPARQL, for a fixed time. Any answer other than 200 (or a failed connection) is an error.

    .venv/bin/python benchmarks/load.py                          # 50 clients, 60 s, curated data
    .venv/bin/python benchmarks/load.py --clients 10 --seconds 5 --store /path/to/store --json

Without ``--store`` the curated records (data/) are built into a temporary store first. The
server is started by the script on a free port with ``--workers`` query workers and a concurrency
cap of ``--max-concurrent`` queries in flight (the server's default cap, 32, would answer some of
50 simultaneous clients with 503 by design: that is the cap working, not the load test). Prints
requests, throughput, latency percentiles (p50, p90, p99, max) overall and per kind of request,
and the errors; exits 1 when there was any error.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
METKG = str(Path(sys.executable).with_name("metkg"))
RAW_QUERIES = (
    "SELECT ?case ?title WHERE { ?case a metkg:CaseReport ; rdfs:label ?title } ORDER BY ?title LIMIT 25",
    "SELECT ?site (COUNT(?lesion) AS ?n) WHERE { ?lesion metkg:site ?site } GROUP BY ?site ORDER BY DESC(?n)",
    "ASK { ?s a metkg:Specimen }",
    "CONSTRUCT { ?case ?p ?o } WHERE { ?case a metkg:CaseReport ; ?p ?o } LIMIT 200",
    "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n) LIMIT 20",
)
ACCEPTS = ("text/turtle", "application/ld+json", "text/html", "application/n-triples")
MIX = (("named", 0.4), ("dereference", 0.4), ("sparql", 0.2))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build_curated(target: Path) -> Path:
    """Build data/ into ``target`` with `metkg build` (validated, reasoned) and return the store."""
    store = target / "store"
    subprocess.run([METKG, "build", "--store", str(store)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return store


@contextlib.contextmanager
def serving(store: Path, workers: int, max_concurrent: int, timeout: float = 30.0) -> Iterator[str]:
    """`metkg serve` on a free port of 127.0.0.1 for the length of the block; yields its URL."""
    port = _free_port()
    env = os.environ | {
        "METKG_QUERY_WORKERS": str(workers),
        "METKG_MAX_CONCURRENT_QUERIES": str(max_concurrent),
        "METKG_QUERY_TIMEOUT": str(timeout),
        # Every simulated client comes from 127.0.0.1, which the server takes for one client:
        # its per-client shares would measure fairness, not capacity.
        "METKG_MAX_CLIENT_QUERIES": str(workers),
        "METKG_MAX_CLIENT_PENDING": str(max_concurrent),
        "METKG_MAX_CONNECTIONS_PER_CLIENT": str(max(64, 4 * max_concurrent)),
    }
    command = [METKG, "serve", "--store", str(store), "--port", str(port)]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start: {server.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            time.sleep(0.2)
        yield url
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@dataclass
class Targets:
    """What the clients ask for, discovered from the running server."""

    named: list[tuple[str, dict[str, str]]]
    resources: list[str]
    queries: tuple[str, ...] = RAW_QUERIES


def _bindings(client: httpx.Client, query: str) -> list[dict[str, Any]]:
    response = client.get("/sparql", params={"query": query})
    response.raise_for_status()
    return response.json()["results"]["bindings"]


def discover(url: str) -> Targets:
    """Named queries with parameter values from the data, and IRIs of resources to dereference."""
    with httpx.Client(base_url=url, timeout=30) as client:
        dois = [b["doi"]["value"] for b in _bindings(client, "SELECT ?doi WHERE { ?c metkg:doi ?doi }")]
        iris = _bindings(
            client,
            "SELECT DISTINCT ?r WHERE { { ?r a metkg:CaseReport } UNION { ?r a metkg:Patient } "
            "UNION { ?r a metkg:Specimen } UNION { ?r a metkg:Lesion } } LIMIT 300",
        )
        listing = client.get("/queries").json()["queries"]
    named = []
    for query in listing:
        for doi in dois[:20] or [""]:
            params = {p["name"]: doi for p in query["parameters"] if p["type"] == "doi" and p["required"]}
            named.append((query["name"], params))
            if not params:
                break
    base = "https://w3id.org/metkg/"
    resources = [b["r"]["value"].removeprefix(base) for b in iris if b["r"]["value"].startswith(base)]
    return Targets(named=named, resources=resources)


@dataclass
class Results:
    """Latencies and errors by kind of request."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {kind: [] for kind, _ in MIX})
    errors: Counter[str] = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)

    def record_error(self, description: str) -> None:
        self.errors[description.split(":", maxsplit=1)[0]] += 1
        if len(self.error_samples) < 10:
            self.error_samples.append(description)


def _request(targets: Targets, rng: random.Random) -> tuple[str, str, dict[str, Any]]:
    kind = rng.choices([k for k, _ in MIX], weights=[w for _, w in MIX])[0]
    if kind == "named":
        name, params = rng.choice(targets.named)
        return kind, f"/queries/{name}", {"params": params}
    if kind == "dereference":
        return kind, "/" + rng.choice(targets.resources), {"headers": {"Accept": rng.choice(ACCEPTS)}}
    return kind, "/sparql", {"params": {"query": rng.choice(targets.queries)}}


async def _client(url: str, targets: Targets, until: float, results: Results, seed: int) -> None:
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        while time.monotonic() < until:
            kind, path, options = _request(targets, rng)
            started = time.perf_counter()
            try:
                response = await client.get(path, **options)
                await response.aread()
            except httpx.HTTPError as exc:
                results.record_error(f"{type(exc).__name__}: {path}")
                continue
            if response.status_code != 200:
                results.record_error(f"HTTP {response.status_code}: {path} {response.text[:200]}")
                continue
            results.latencies[kind].append(time.perf_counter() - started)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def _summary(values: list[float], seconds: float) -> dict[str, float]:
    return {
        "requests": len(values),
        "per_second": round(len(values) / seconds, 1),
        **{f"p{q}_ms": round(_percentile(values, q) * 1000, 1) for q in (50, 90, 99)},
        "max_ms": round(max(values, default=float("nan")) * 1000, 1),
    }


def run_load(url: str, clients: int, seconds: float, seed: int = 0) -> dict[str, Any]:
    """Run ``clients`` concurrent clients against ``url`` for ``seconds``; return the figures."""
    targets = discover(url)
    results = Results()

    async def main() -> float:
        started = time.monotonic()
        until = started + seconds
        await asyncio.gather(*(_client(url, targets, until, results, seed + i) for i in range(clients)))
        return time.monotonic() - started

    elapsed = asyncio.run(main())
    every = [v for values in results.latencies.values() for v in values]
    return {
        "clients": clients,
        "seconds": round(elapsed, 2),
        "overall": _summary(every, elapsed) | {"errors": sum(results.errors.values())},
        "by_kind": {kind: _summary(values, elapsed) for kind, values in results.latencies.items()},
        "errors": dict(results.errors),
        "error_samples": results.error_samples,
        "targets": {"named": len(targets.named), "resources": len(targets.resources), "queries": len(targets.queries)},
    }


def _print(report: dict[str, Any]) -> None:
    overall = report["overall"]
    print(f"{report['clients']} clients for {report['seconds']} s on 127.0.0.1")
    print(
        f"requests {overall['requests']:,}  throughput {overall['per_second']}/s  p50 {overall['p50_ms']} ms  "
        f"p90 {overall['p90_ms']} ms  p99 {overall['p99_ms']} ms  max {overall['max_ms']} ms  "
        f"errors {overall['errors']}"
    )
    for kind, figures in report["by_kind"].items():
        print(f"  {kind:<12} {figures['requests']:>7,}  p50 {figures['p50_ms']:>7} ms  p99 {figures['p99_ms']:>7} ms")
    for sample in report["error_samples"]:
        print(f"  error: {sample}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--store", type=Path, help="a built store (default: build data/ into a temporary one)")
    parser.add_argument("--workers", type=int, default=2, help="query worker processes of the server")
    parser.add_argument("--max-concurrent", type=int, default=64, help="the server's cap on queries in flight")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="metkg-load-") as tmp:
        store = args.store or build_curated(Path(tmp))
        with serving(store, args.workers, args.max_concurrent) as url:
            report = run_load(url, args.clients, args.seconds)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print(report)
    sys.exit(1 if report["overall"]["errors"] else 0)


if __name__ == "__main__":
    main()
