"""Scale benchmark: metkg's embedded Oxigraph store beside plain rdflib and Virtuoso, on synthetic cases.

Run by hand (not in CI); it writes a Markdown report::

    .venv/bin/python benchmarks/scale.py                          # 1k, 10k, 100k cases
    .venv/bin/python benchmarks/scale.py --sizes 1000,10000 --out /tmp/results.md

For each size, in this order and in the same run:

1. **records**: synthetic case records (``metkg.synthetic``) written as YAML files, cached in
   ``benchmarks/.work/`` so a rerun skips them.
2. **build** (``metkg.build.build_graph``, one child process each, so peak memory is its own):
   without reasoning and SHACL (the throughput figure), then with SHACL and with reasoning at the
   sizes of ``--shacl-sizes`` and ``--reason-sizes`` (both grow faster than the build: see the report).
   Seconds per stage from ``BuildResult.seconds``, store size on disk, peak resident memory.
   Then the store the queries run on: the same build with the rules' classes and derived facts
   (``--no-owl``: receptor conversions, intervals; no OWL consistency check), so the named
   queries that read them have their realistic data at every size.
3. **queries**: every named query of ``queries/*.rq`` with realistic parameters, ``--runs`` times:
   median and p95 latency on the embedded store (``metkg.sparql.execute.run_query``, as a query
   worker runs it), on plain rdflib (an in-memory ``Dataset`` loaded from the same N-Quads, queries
   with ``initBindings``, what most Python users would write, and VALUES blocks in sub-selects;
   loading is capped at ``--rdflib-timeout`` seconds and reported as not finished past it) and on
   Virtuoso (bulk-loaded with the same N-Quads, queried through metkg's ``RemoteStore`` over HTTP).
4. **http**: requests per second of the real server (uvicorn on 127.0.0.1) under ``--clients``
   concurrent clients for ``--seconds`` seconds (wrk when installed, else an httpx client): metkg on
   Oxigraph, metkg forwarding to Virtuoso, and a minimal FastAPI + rdflib endpoint.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work"
PYTHON = sys.executable
BASE = "https://w3id.org/metkg/"


# ------------------------------------------------------------------ helpers


def _run_child(args: list[str], timeout: float | None = None) -> dict[str, Any]:
    """Run ``scale.py _child ...`` in a fresh interpreter; its JSON answer, or {"timeout": s}."""
    command = [PYTHON, str(Path(__file__).resolve()), "_child", *args]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _peak_mb() -> float:
    import resource

    # The largest resident set of this process or of any of its children (a build's workers).
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return round(peak / 1024, 1)


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _stats(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {"median": statistics.median(ordered), "p95": p95, "runs": len(ordered)}


# ------------------------------------------------------------------ 1. records


def _write_chunk(args: tuple[int, int, Path]) -> int:
    import yaml

    from metkg.settings import Settings
    from metkg.synthetic import synthetic_records
    from metkg.terminology import load_terminology

    start, count, folder = args
    terms = load_terminology(Settings().ontology_dir.resolve())
    for i, record in enumerate(synthetic_records(count, seed=1, terms=terms, start=start), start):
        target = folder / f"{i // 1000:03d}"
        target.mkdir(parents=True, exist_ok=True)
        data = record.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
        text = yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True, width=200)
        (target / f"{record.id}.yaml").write_text(text, encoding="utf-8")
    return count


def records_dir(size: int) -> Path:
    """YAML files of ``size`` synthetic records (written once, by two processes)."""
    folder = WORK / f"cases-{size}"
    done = folder / ".complete"
    if done.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    step = 2000
    chunks = [(start, min(step, size - start), folder) for start in range(0, size, step)]
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(_write_chunk, chunks)
    done.touch()
    return folder


# ------------------------------------------------------------------ 2. build


def child_build(records: str, store: str, reason: str, shacl: str, owl: str = "1") -> dict[str, Any]:
    from metkg.build import build_graph
    from metkg.settings import Settings

    settings = Settings(store=Path(store), data_dir=Path(records), corpus_dir=None)
    clock = time.perf_counter()
    result = build_graph(settings, [Path(records)], reason=reason == "1", shacl=shacl == "1", owl=owl == "1")
    total = time.perf_counter() - clock
    build = Path(store) / "current"
    return {
        "seconds": {k: round(v, 2) for k, v in result.seconds.items()},
        "total": round(total, 2),
        "counts": result.counts,
        "store_bytes": _du(build.resolve()) if build.exists() else None,
        "peak_mb": _peak_mb(),
        "workers": result.workers,
    }


def child_bulk_load(nquads: str, store: str) -> dict[str, Any]:
    """The store alone: Oxigraph's bulk loader on an N-Quads file, into a fresh directory."""
    from pyoxigraph import RdfFormat, Store

    target = Store(store)
    clock = time.perf_counter()
    cpu = time.process_time()
    target.bulk_load(path=nquads, format=RdfFormat.N_QUADS)
    target.optimize()
    target.flush()
    seconds = time.perf_counter() - clock
    return {"seconds": round(seconds, 2), "cpu_seconds": round(time.process_time() - cpu, 2), "quads": len(target)}


# ------------------------------------------------------------------ 3. queries


def query_parameters(store_path: str) -> dict[str, dict[str, str]]:
    """Realistic parameters: per-case queries get one case (with a receptor conversion and a
    diagnostic delay when there is one); cross-case queries get HER2 and skin, or nothing.
    """
    from pyoxigraph import Store

    from metkg.settings import Settings
    from metkg.sparql.named import load_named_queries

    store = Store.read_only(store_path)
    prefix = "PREFIX metkg: <https://w3id.org/metkg/ontology#> SELECT ?doi WHERE { "
    candidates = (
        "?x a metkg:ReceptorConversion ; metkg:patient ?p . ?d a metkg:DiagnosticDelay ; metkg:patient ?p .",
        "?x a metkg:ReceptorConversion ; metkg:patient ?p .",
        "?p a metkg:Patient .",
    )
    doi = ""
    for pattern in candidates:
        rows = list(
            store.query(
                f"{prefix}{pattern} ?p metkg:reportedIn ?c . ?c metkg:doi ?doi }} LIMIT 1",
                use_default_graph_as_union=True,
            )
        )
        if rows:
            doi = rows[0]["doi"].value
            break
    per_case = {"doi": doi}
    cross_case = {"marker": "HER2", "site": "skin"}
    out: dict[str, dict[str, str]] = {}
    for name, query in load_named_queries(Settings().queries_dir).items():
        names = {p.name for p in query.parameters}
        required = {p.name for p in query.parameters if p.required}
        values = per_case if ("doi" in required or name in PER_CASE) else cross_case
        out[name] = {k: v for k, v in {**values}.items() if k in names}
    return out


#: Queries asked about one case at a time (the others are asked across every case).
PER_CASE = {"case-timeline", "biomarker-profile", "time-to-metastasis", "diagnostic-delay"}


def _timed(run: Any, runs: int, budget: float) -> dict[str, Any]:
    seconds: list[float] = []
    rows = 0
    deadline = time.perf_counter() + budget
    for _ in range(runs):
        clock = time.perf_counter()
        rows = run()
        seconds.append(time.perf_counter() - clock)
        if time.perf_counter() > deadline:
            break
    return {**_stats(seconds), "rows": rows}


def child_query_oxigraph(store: str, name: str, params: str, runs: str) -> dict[str, Any]:
    """One named query, ``runs`` times, on the embedded store opened read-only."""
    from pyoxigraph import Store

    from metkg.settings import Settings
    from metkg.sparql.execute import QueryRequest, run_query
    from metkg.sparql.named import load_named_queries

    query = load_named_queries(Settings().queries_dir)[name]
    opened = Store.read_only(store)
    bound = query.substitutions(json.loads(params), BASE)
    request = QueryRequest(
        query.text, substitutions=tuple((v.value, t) for v, t in bound.items()), base_iri=BASE, max_rows=1_000_000
    )

    def run() -> int:
        return len(json.loads(run_query(opened, request).body)["results"]["bindings"])

    run()  # warm the caches once, as a serving worker is warm
    return _timed(run, int(runs), 120)


def queries_oxigraph(store: str, params: dict[str, dict[str, str]], runs: int, cap: float) -> dict[str, Any]:
    """Every named query, each in a child process stopped at ``cap`` seconds (Oxigraph has no timeout)."""
    out: dict[str, Any] = {}
    for name, values in params.items():
        found = _run_child(["query-oxigraph", store, name, json.dumps(values), str(runs)], timeout=cap)
        out[name] = {"error": f"did not finish in {cap:.0f} s"} if "timeout" in found else found
    return out


def child_rdflib(nquads: str, params: str, runs: str, budget: str, cap: str) -> dict[str, Any]:
    """Plain rdflib: an in-memory Dataset, the union default graph, rdflib's own SPARQL engine."""
    import threading

    import rdflib
    from rdflib.plugins.sparql import prepareQuery

    from metkg.backends.rewrite import without_lateral
    from metkg.settings import Settings
    from metkg.sparql.execute import bind_parameters
    from metkg.sparql.named import load_named_queries
    from metkg.vocab import PREFIXES

    def give_up() -> None:
        print(json.dumps({"load_timeout": float(cap), "peak_mb": _peak_mb()}), flush=True)
        os._exit(0)

    watchdog = threading.Timer(float(cap), give_up)
    watchdog.start()
    clock = time.perf_counter()
    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(nquads, format="nquads")
    load = time.perf_counter() - clock
    watchdog.cancel()
    out: dict[str, Any] = {"load_seconds": round(load, 2), "triples": len(dataset), "queries": {}}
    parameters = json.loads(params)
    for name, query in load_named_queries(Settings().queries_dir).items():
        bound = query.substitutions(parameters[name], BASE)
        # LATERAL (an Oxigraph extension) unwrapped, which gives the same answers; the parameters
        # as Oxigraph gets them: initBindings where the query projects them, VALUES blocks in the
        # sub-selects (which initBindings do not reach) and for the others.
        text, outer = bind_parameters(without_lateral(query.text), tuple((v.value, t) for v, t in bound.items()))
        bindings = {rdflib.Variable(v.value): _rdflib_term(t) for v, t in outer.items()}
        try:
            prepared = prepareQuery(text, initNs=PREFIXES)
        except Exception as exc:
            out["queries"][name] = {"error": f"{type(exc).__name__}: {exc}"[:200]}
            continue

        def run(prepared: Any = prepared, bindings: dict[Any, Any] = bindings) -> int:
            return len(list(dataset.query(prepared, initBindings=bindings)))

        def too_slow(*_: Any) -> None:
            raise TimeoutError

        signal.signal(signal.SIGALRM, too_slow)
        signal.alarm(int(float(budget)))  # rdflib is pure Python: the alarm stops a run mid-query
        try:
            out["queries"][name] = _timed(run, int(runs), float(budget))
        except TimeoutError:
            out["queries"][name] = {"error": f"one run did not finish in {float(budget):.0f} s"}
        except Exception as exc:  # rdflib's engine fails on some valid queries: report it
            out["queries"][name] = {"error": f"{type(exc).__name__}: {exc}"[:120]}
        finally:
            signal.alarm(0)
    out["peak_mb"] = _peak_mb()
    return out


def _rdflib_term(term: Any) -> Any:
    import rdflib
    from pyoxigraph import Literal, NamedNode

    if isinstance(term, NamedNode):
        return rdflib.URIRef(term.value)
    assert isinstance(term, Literal)
    datatype = term.datatype.value if term.datatype else None
    if datatype == "http://www.w3.org/2001/XMLSchema#string":
        datatype = None
    return rdflib.Literal(term.value, datatype=datatype, lang=term.language)


def child_queries_remote(endpoint: str, params: str, runs: str) -> dict[str, Any]:
    from metkg.backends.endpoint import SparqlEndpoint
    from metkg.backends.remote_store import RemoteStore, UnionPolicy
    from metkg.settings import Settings
    from metkg.sparql.execute import QueryRequest, run_query
    from metkg.sparql.named import load_named_queries

    parameters = json.loads(params)
    store = RemoteStore(SparqlEndpoint(endpoint, timeout=300), BASE, UnionPolicy("native"))
    out: dict[str, Any] = {}
    for name, query in load_named_queries(Settings().queries_dir).items():
        bound = query.substitutions(parameters[name], BASE)
        request = QueryRequest(
            query.text, substitutions=tuple((v.value, t) for v, t in bound.items()), base_iri=BASE, max_rows=1_000_000
        )

        def run(request: QueryRequest = request) -> int:
            return len(json.loads(run_query(store, request).body)["results"]["bindings"])

        try:
            run()
            out[name] = _timed(run, int(runs), 120)
        except Exception as exc:
            out[name] = {"error": f"{type(exc).__name__}: {exc}"[:200]}
    return out


# ------------------------------------------------------------------ 4. http


RDFLIB_APP = """
import sys, rdflib
from fastapi import FastAPI, Response
from rdflib.plugins.sparql import prepareQuery
from metkg.settings import Settings
from metkg.sparql.named import load_named_queries
from metkg.vocab import PREFIXES
dataset = rdflib.Dataset(default_union=True)
dataset.parse(sys.argv[1], format="nquads")
query = load_named_queries(Settings().queries_dir)["case-timeline"]
prepared = prepareQuery(query.text, initNs=PREFIXES)
app = FastAPI()

@app.get("/queries/case-timeline")
def timeline(doi: str) -> Response:
    result = dataset.query(prepared, initBindings={rdflib.Variable("doi"): rdflib.Literal(doi)})
    return Response(result.serialize(format="json"), media_type="application/sparql-results+json")

@app.get("/health")
def health() -> dict:
    return {"status": "ok"}

if __name__ == "__main__":
    import uvicorn
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _server(command: list[str], port: int, env: dict[str, str] | None = None, wait: float = 600) -> Iterator[str]:
    import httpx

    process = subprocess.Popen(
        command,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + wait
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}: {command}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.5)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def _load(url: str, clients: int, seconds: int) -> dict[str, Any]:
    """Requests per second and latency under ``clients`` concurrent clients (wrk, else httpx)."""
    if shutil.which("wrk"):
        done = subprocess.run(
            ["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "--latency", url],
            capture_output=True,
            text=True,
            check=False,
        )
        text = done.stdout
        rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
        p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", text)
        p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", text)
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
        timeouts = re.search(r"timeout (\d+)", text)
        scale = {"us": 1e-3, "ms": 1.0, "s": 1000.0}
        return {
            "tool": "wrk",
            "rps": float(rps.group(1)) if rps else 0.0,
            "p50_ms": float(p50.group(1)) * scale[p50.group(2)] if p50 else None,
            "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else None,
            "errors": int(errors.group(1)) if errors else 0,
            "timeouts": int(timeouts.group(1)) if timeouts else 0,
        }
    import asyncio

    import httpx

    async def main() -> dict[str, Any]:
        latencies: list[float] = []
        errors = 0
        stop = time.perf_counter() + seconds
        async with httpx.AsyncClient(timeout=60) as client:

            async def worker() -> None:
                nonlocal errors
                while time.perf_counter() < stop:
                    clock = time.perf_counter()
                    response = await client.get(url)
                    latencies.append(time.perf_counter() - clock)
                    errors += response.status_code != 200

            await asyncio.gather(*(worker() for _ in range(clients)))
        stats = _stats(latencies)
        return {
            "tool": "httpx",
            "rps": len(latencies) / seconds,
            "p50_ms": stats["median"] * 1000,
            "p99_ms": None,
            "errors": errors,
        }

    return asyncio.run(main())


# ------------------------------------------------------------------ the run


@dataclass
class SizeResult:
    size: int
    build: dict[str, Any] = field(default_factory=dict)
    store_alone: dict[str, Any] = field(default_factory=dict)
    builds_extra: dict[str, Any] = field(default_factory=dict)
    derive: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    oxigraph: dict[str, Any] = field(default_factory=dict)
    rdflib: dict[str, Any] = field(default_factory=dict)
    virtuoso: dict[str, Any] = field(default_factory=dict)
    http: dict[str, Any] = field(default_factory=dict)


STACKS = ("build", "oxigraph", "rdflib", "virtuoso", "http")
_STACK_FIELDS = {
    "build": "build",
    "builds_extra": "build",
    "store_alone": "build",
    "derive": "build",
    "oxigraph": "oxigraph",
    "rdflib": "rdflib",
    "virtuoso": "virtuoso",
    "http": "http",
}


def _log(message: str) -> None:
    print(time.strftime("%H:%M:%S"), message, file=sys.stderr, flush=True)


def run_size(size: int, args: argparse.Namespace, virtuoso: Any) -> SizeResult:
    result = SizeResult(size)
    _log(f"{size:,} cases: records")
    records = records_dir(size)
    work = Path(tempfile.mkdtemp(prefix=f"scale-{size}-", dir=WORK))
    store = work / "store"
    if "build" in args.stacks:  # the build's own figures; the store queried is built below anyway
        _log(f"{size:,}: build without reasoning and SHACL")
        plain = work / "store-plain"
        result.build = _run_child(["build", str(records), str(plain), "0", "0"])
        shutil.rmtree(plain, ignore_errors=True)
    for label, reason, shacl, sizes in (("shacl", "0", "1", args.shacl_sizes), ("reason", "1", "0", args.reason_sizes)):
        if size in sizes and "build" in args.stacks:
            _log(f"{size:,}: build with {label}")
            extra = work / f"store-{label}"
            result.builds_extra[label] = _run_child(
                ["build", str(records), str(extra), reason, shacl], timeout=args.build_timeout
            )
            shutil.rmtree(extra, ignore_errors=True)
    args.checkpoint(result)
    _log(f"{size:,}: build with the rules' classes and derived facts (no OWL reasoner): the store queried")
    result.derive = _run_child(["build", str(records), str(store), "1", "0", "0"])
    current = str((store / "current").resolve())
    params = query_parameters(current)
    result.params = params
    if "oxigraph" in args.stacks:
        _log(f"{size:,}: named queries on Oxigraph")
        result.oxigraph = queries_oxigraph(current, params, args.runs, args.query_cap)
    nquads = work / "all.nq"
    from pyoxigraph import RdfFormat, Store

    store_alone = "build" in args.stacks and size <= args.store_alone_max
    if store_alone or {"rdflib", "virtuoso", "http"} & args.stacks:
        Store.read_only(current).dump(str(nquads), format=RdfFormat.N_QUADS)
    if store_alone:
        _log(f"{size:,}: Oxigraph's bulk loader alone on the same quads")
        result.store_alone = _run_child(["bulk-load", str(nquads), str(work / "store-alone")])
        shutil.rmtree(work / "store-alone", ignore_errors=True)
    args.checkpoint(result)
    if "rdflib" not in args.stacks:
        pass
    elif size <= args.rdflib_max:
        _log(f"{size:,}: rdflib (load capped at {args.rdflib_timeout} s)")
        result.rdflib = _run_child(
            [
                "rdflib",
                str(nquads),
                json.dumps(params),
                str(args.runs),
                str(args.rdflib_budget),
                str(args.rdflib_timeout),
            ],
            timeout=args.rdflib_timeout + 10 * (args.rdflib_budget + 30),
        )
    else:
        result.rdflib = {"skipped": f"not tried above {args.rdflib_max:,} cases"}
    args.checkpoint(result)
    if virtuoso is not None and "virtuoso" in args.stacks:
        result.virtuoso = virtuoso_size(virtuoso, nquads, params, args)
    args.checkpoint(result)
    if "http" in args.stacks:
        result.http = http_size(size, current, nquads, params, virtuoso, args)
    if args.keep:
        _log(f"{size:,}: kept {work} (the store queried is {current})")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return result


def virtuoso_size(server: Any, nquads: Path, params: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    from metkg.backends.virtuoso import bulk_load, drop_graphs_with_prefix, isql

    _log("virtuoso: bulk load")
    out: dict[str, Any] = {}
    clock = time.perf_counter()
    drop_graphs_with_prefix(server.isql_address, server.user, server.password, f"{BASE}graph/")
    out["drop_seconds"] = round(time.perf_counter() - clock, 2)
    folder = server.load_dir / f"run-{nquads.stat().st_size}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    _split_nquads(nquads, folder, 2)
    clock = time.perf_counter()
    bulk_load(server.isql_address, server.user, server.password, folder, loaders=2)
    out["load_seconds"] = round(time.perf_counter() - clock, 2)
    shutil.rmtree(folder, ignore_errors=True)
    isql(server.isql_address, server.user, server.password, "checkpoint;\n")
    out["db_bytes"] = sum(p.stat().st_size for p in server.directory.glob("virtuoso*.db"))
    with contextlib.suppress(Exception):
        import psutil

        out["rss_mb"] = round(psutil.Process(server.process.pid).memory_info().rss / 2**20)
    _log("virtuoso: named queries")
    out["queries"] = _run_child(["queries-remote", server.query_endpoint, json.dumps(params), str(args.runs)])
    return out


def _split_nquads(source: Path, folder: Path, parts: int) -> None:
    outputs = [(folder / f"part-{i}.nq").open("w", encoding="utf-8") for i in range(parts)]
    try:
        with source.open(encoding="utf-8") as lines:
            for i, line in enumerate(lines):
                outputs[(i // 100_000) % parts].write(line)
    finally:
        for out in outputs:
            out.close()


def http_size(  # noqa: PLR0917
    size: int, current: str, nquads: Path, params: dict[str, Any], virtuoso: Any, args: argparse.Namespace
) -> dict[str, Any]:
    from urllib.parse import quote

    doi = params["case-timeline"]["doi"]
    path = f"/queries/case-timeline?doi={quote(doi, safe='')}&format=json"
    out: dict[str, Any] = {"path": path}
    store_root = Path(current).parents[1]
    metkg = [PYTHON, "-m", "metkg.cli", "serve", "--store", str(store_root)]
    queue = {"METKG_MAX_CONCURRENT_QUERIES": str(args.clients * 2)}  # queue every client, refuse none
    port = _free_port()
    _log(f"{size:,}: http, metkg on Oxigraph")
    with _server([*metkg, "--port", str(port)], port, env=queue) as url:
        out["oxigraph"] = _load(url + path, args.clients, args.seconds)
    if virtuoso is not None:
        port = _free_port()
        env = {f"METKG_{k.upper()}": str(v) for k, v in virtuoso.settings_overrides().items()} | queue
        _log(f"{size:,}: http, metkg forwarding to Virtuoso")
        with _server([*metkg, "--port", str(port)], port, env=env) as url:
            out["virtuoso"] = _load(url + path, args.clients, args.seconds)
    if size <= args.rdflib_http_max:
        port = _free_port()
        script = WORK / "rdflib_app.py"
        script.write_text(RDFLIB_APP, encoding="utf-8")
        _log(f"{size:,}: http, FastAPI + rdflib")
        try:
            with _server([PYTHON, str(script), str(nquads), str(port)], port, wait=args.rdflib_timeout) as url:
                rdflib_path = f"/queries/case-timeline?doi={quote(doi, safe='')}"
                out["rdflib"] = _load(url + rdflib_path, args.clients, args.seconds)
        except RuntimeError as exc:
            out["rdflib"] = {"error": str(exc)}
    else:
        out["rdflib"] = {"skipped": f"not tried above {args.rdflib_http_max:,} cases"}
    return out


# ------------------------------------------------------------------ the report


def _machine() -> dict[str, str]:
    import pyoxigraph
    import rdflib

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        (line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")), "0"
    )
    virtuoso = "not installed"
    if shutil.which("virtuoso-t"):
        text = subprocess.run(["virtuoso-t", "-?"], capture_output=True, text=True, check=False)
        found = re.search(r"Version (\S+)", text.stdout + text.stderr)
        virtuoso = found.group(1) if found else "installed"
    return {
        "CPU": f"{cpu}, {os.cpu_count()} cores",
        "RAM": f"{int(mem) / 2**20:.1f} GiB",
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "pyoxigraph": pyoxigraph.__version__,
        "rdflib": rdflib.__version__,
        "Virtuoso": virtuoso,
        "load average at start": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "metkg": _git_state(),
    }


def _git_state() -> str:
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "queries", "src/metkg/sparql", "src/metkg/mapping.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    note = " (queries/ or the query code had uncommitted changes)" if dirty.stdout.strip() else ""
    return f"commit {head.stdout.strip()}{note}"


def _ms(entry: dict[str, Any] | None, key: str = "median") -> str:
    if not entry:
        return "-"
    if "error" in entry:
        return "error"
    value = entry[key] * 1000
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _ratio(a: dict[str, Any] | None, b: dict[str, Any] | None) -> str:
    """How many times slower ``b`` is than ``a`` (median over median); ``>Nx`` when a run of ``b`` hit its cap."""
    if a and b and "median" in a and a["median"] and "median" not in b:
        capped = re.search(r"did not finish in (\d+) s", b.get("error", ""))
        return f">{float(capped.group(1)) / a['median']:,.0f}x" if capped else "-"
    if not a or not b or "median" not in a or "median" not in b or not a["median"]:
        return "-"
    return (
        f"{b['median'] / a['median']:,.0f}x" if b["median"] / a["median"] >= 10 else f"{b['median'] / a['median']:.1f}x"
    )


def report(results: list[SizeResult], machine: dict[str, str], args: argparse.Namespace) -> str:
    lines = [
        "# metkg scale benchmark",
        "",
        f"`benchmarks/scale.py --sizes {','.join(map(str, args.sizes))}`, one run, "
        f"{time.strftime('%Y-%m-%d')}. Synthetic cases from `metkg.synthetic` (seed 1).",
        "",
        "## Machine",
        "",
    ]
    lines += [f"- {k}: {v}" for k, v in machine.items()]
    lines += [
        "",
        "## Build (embedded Oxigraph store)",
        "",
        "| cases | triples | workers | load+validate CPU s | map CPU s | store s (bulk loads + optimize) "
        "| total s | cases/s | store alone: quads/s (cases/s) | store on disk | peak memory |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        b = r.build
        if "seconds" not in b:
            lines.append(f"| {r.size:,} | {b} |||||||| ")
            continue
        s = b["seconds"]
        triples = b["counts"].get("triples", 0)
        alone = r.store_alone
        if "seconds" in alone and alone["seconds"] and triples:
            rate = alone["quads"] / alone["seconds"]
            alone_text = f"{rate:,.0f} ({rate / (triples / r.size):,.0f})"
        else:
            alone_text = "-"
        lines.append(
            f"| {r.size:,} | {triples:,} | {b.get('workers', 1)} | {s.get('load_validate', 0):.1f} "
            f"| {s.get('map', 0):.1f} | {s.get('store', 0) + s.get('optimize', 0):.1f} | {b['total']:.1f} "
            f"| {r.size / b['total']:,.0f} | {alone_text} | "
            f"{(b['store_bytes'] or 0) / 2**20:,.0f} MiB | {b['peak_mb']:,.0f} MiB |"
        )
    extra = [(r.size, k, v) for r in results for k, v in r.builds_extra.items()]
    if extra:
        lines += [
            "",
            "With SHACL or reasoning (measured only where listed):",
            "",
            "| cases | stage | stage s | total s | cases/s | peak memory |",
            "|---:|---|---:|---:|---:|---:|",
        ]
        for size, label, b in extra:
            if "seconds" in b:
                lines.append(
                    f"| {size:,} | {label} | {b['seconds'].get(label, 0):.1f} | {b['total']:.1f} | "
                    f"{size / b['total']:,.1f} | {b['peak_mb']:,.0f} MiB |"
                )
            else:
                lines.append(f"| {size:,} | {label} | {b} | | | |")
    lines += [
        "",
        "The store the queries run on: the same build with the rules' classes and derived facts "
        "(`metkg build --no-shacl --no-owl`; the OWL reasoner's consistency check is left out):",
        "",
        "| cases | triples | inferred triples | rules CPU s | total s | cases/s | peak memory |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        d = r.derive
        if "seconds" not in d:
            lines.append(f"| {r.size:,} | {d} |||||| ")
            continue
        lines.append(
            f"| {r.size:,} | {d['counts'].get('triples', 0):,} | {d['counts'].get('inferred_triples', 0):,} | "
            f"{d['seconds'].get('rules', 0):.1f} | {d['total']:.1f} | {r.size / d['total']:,.0f} "
            f"| {d['peak_mb']:,.0f} MiB |"
        )
    lines += [
        "",
        "## Loading the same quads elsewhere",
        "",
        "| cases | rdflib Dataset.parse (N-Quads) | rdflib memory | Virtuoso bulk load | Virtuoso database |",
        "|---:|---|---:|---|---:|",
    ]
    for r in results:
        rd = r.rdflib
        if "load_seconds" in rd:
            rdl, rdm = f"{rd['load_seconds']:,.0f} s", f"{rd.get('peak_mb', 0):,.0f} MiB"
        elif "load_timeout" in rd:
            rdl, rdm = (
                f"did not finish loading in {rd['load_timeout']:,.0f} s",
                f"{rd.get('peak_mb', 0):,.0f} MiB so far",
            )
        elif "timeout" in rd:
            rdl, rdm = f"did not finish in {rd['timeout']:,.0f} s (load plus queries)", "-"
        else:
            rdl, rdm = str(rd.get("skipped") or rd.get("error") or "-"), "-"
        vt = r.virtuoso
        vtl = f"{vt['load_seconds']:,.0f} s" if "load_seconds" in vt else "-"
        vtd = f"{vt['db_bytes'] / 2**20:,.0f} MiB" if "db_bytes" in vt else "-"
        lines.append(f"| {r.size:,} | {rdl} | {rdm} | {vtl} | {vtd} |")
    lines += [
        "",
        "## Named queries: median (p95) milliseconds",
        "",
        f"{args.runs} runs each after one warm-up (fewer where a run is slow: the count is the last column); "
        "Oxigraph through `run_query` as a query worker runs it, rdflib through `Dataset.query` with "
        "`initBindings` (and `VALUES` blocks in sub-selects, as Oxigraph gets them), Virtuoso through "
        "metkg's `RemoteStore` over HTTP (answers parsed and re-serialized). "
        "A time ratio above 1 means Oxigraph is faster by that factor.",
        "",
    ]
    for r in results:
        lines += [
            f"### {r.size:,} cases",
            "",
            "| query | rows | Oxigraph | rdflib | Virtuoso "
            "| rdflib time / Oxigraph time | Virtuoso time / Oxigraph time |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        rq = r.rdflib.get("queries", {})
        vq = r.virtuoso.get("queries", {})
        for name, ox in r.oxigraph.items():
            rd, vt = rq.get(name), vq.get(name)
            rd_text = (
                f"{_ms(rd)} ({_ms(rd, 'p95')})"
                + (f" n={rd['runs']}" if rd and rd.get("runs", args.runs) < args.runs else "")
                if rd and "median" in rd
                else (rd or {}).get("error", "-")[:40]
                if rd
                else "-"
            )
            vt_text = (
                f"{_ms(vt)} ({_ms(vt, 'p95')})"
                if vt and "median" in vt
                else ((vt or {}).get("error", "-")[:40] if vt else "-")
            )
            ox_text = f"{_ms(ox)} ({_ms(ox, 'p95')})" if "median" in ox else ox.get("error", "-")
            lines.append(
                f"| {name} | {ox.get('rows', '-')} | {ox_text} | {rd_text} | {vt_text} | "
                f"{_ratio(ox, rd)} | {_ratio(ox, vt)} |"
            )
        lines.append("")
    lines += [
        "## HTTP throughput",
        "",
        f"{args.clients} concurrent clients for {args.seconds} s on one named query "
        "(`case-timeline` of one case, JSON), uvicorn on 127.0.0.1, the load generator on the same 2 cores.",
        "",
        "| cases | stack | requests/s | p50 ms | p99 ms | errors |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for r in results:
        for stack in ("oxigraph", "virtuoso", "rdflib"):
            h = r.http.get(stack)
            if not h:
                continue
            if "rps" in h:
                p99 = f"{h['p99_ms']:,.0f}" if h.get("p99_ms") is not None else "-"
                failed = h.get("errors", 0) + h.get("timeouts", 0)
                lines.append(f"| {r.size:,} | {stack} | {h['rps']:,.0f} | {h['p50_ms']:,.1f} | {p99} | {failed} |")
            else:
                lines.append(f"| {r.size:,} | {stack} | {h.get('skipped') or h.get('error')} | | | |")
    lines += ["", "Load average at the end: " + " ".join(f"{x:.1f}" for x in os.getloadavg()), ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ints = lambda text: [int(x) for x in text.split(",") if x]  # noqa: E731
    parser.add_argument("--sizes", type=ints, default=[1000, 10000, 100000])
    parser.add_argument("--reason-sizes", type=ints, default=[1000])
    parser.add_argument("--shacl-sizes", type=ints, default=[1000])
    parser.add_argument("--build-timeout", type=float, default=1800)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--query-cap", type=float, default=300, help="seconds for one query's runs on Oxigraph")
    parser.add_argument("--rdflib-timeout", type=float, default=300, help="seconds rdflib may take to load")
    parser.add_argument("--rdflib-budget", type=float, default=60, help="seconds of rdflib runs per query")
    parser.add_argument("--rdflib-max", type=int, default=100000, help="largest size rdflib is tried at")
    parser.add_argument("--rdflib-http-max", type=int, default=1000)
    parser.add_argument("--no-virtuoso", action="store_true")
    parser.add_argument(
        "--store-alone-max", type=int, default=10000, help="largest size the bulk loader alone is timed at"
    )
    parser.add_argument("--virtuoso-memory-mb", type=int, default=6000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--json", type=Path, default=WORK / "results.json")
    parser.add_argument(
        "--stacks", type=lambda t: set(t.split(",")), default=set(STACKS), help="what to measure: " + ",".join(STACKS)
    )
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the results already in --json; what this run measures replaces theirs",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep each size's work folder (the store queried, the N-Quads) for measuring by hand",
    )
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    machine = _machine()
    virtuoso = None
    from metkg.backends.virtuoso import VirtuosoServer, virtuoso_available

    if not args.no_virtuoso and virtuoso_available():
        virtuoso = VirtuosoServer.start(WORK / "virtuoso", memory_mb=args.virtuoso_memory_mb)
    kept: dict[int, SizeResult] = {}
    if args.merge and args.json.exists():
        kept = {d["size"]: SizeResult(**d) for d in json.loads(args.json.read_text(encoding="utf-8"))}
    sizes = list(args.sizes)

    def checkpoint(fresh: SizeResult) -> None:
        """Write what is measured so far (a long run stopped midway keeps its figures)."""
        merged = {k: SizeResult(**v.__dict__) for k, v in kept.items()}
        old = merged.get(fresh.size)
        if old is not None:  # keep what this run does not measure
            for name, value in fresh.__dict__.items():
                if value and (name not in _STACK_FIELDS or _STACK_FIELDS[name] in args.stacks):
                    setattr(old, name, value)
        merged[fresh.size] = old or fresh
        results = [merged[k] for k in sorted(merged)]
        args.json.write_text(json.dumps([r.__dict__ for r in results], indent=1, default=str), encoding="utf-8")
        args.sizes = sorted(merged)
        args.out.write_text(report(results, machine, args), encoding="utf-8")

    args.checkpoint = checkpoint
    try:
        for size in sizes:
            fresh = run_size(size, args, virtuoso)
            checkpoint(fresh)
            kept = {d["size"]: SizeResult(**d) for d in json.loads(args.json.read_text(encoding="utf-8"))}
    finally:
        if virtuoso is not None:
            virtuoso.stop()
    _log(f"wrote {args.out}")


def _child() -> None:
    kind, *rest = sys.argv[2:]
    handlers = {
        "build": child_build,
        "bulk-load": child_bulk_load,
        "query-oxigraph": child_query_oxigraph,
        "rdflib": child_rdflib,
        "queries-remote": child_queries_remote,
    }
    print(json.dumps(handlers[kind](*rest), default=str))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_child":
        _child()
    else:
        main()
