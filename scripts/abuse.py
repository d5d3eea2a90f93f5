"""Replay the attacks and faults of issue 16 against `metkg serve` on 127.0.0.1 and print what held.

    .venv/bin/python scripts/abuse.py                 # about 3 minutes on 2 cores
    .venv/bin/python scripts/abuse.py --json          # the table as JSON
    .venv/bin/python scripts/abuse.py --only 1,3,4    # some items only

Builds the curated records (data/cases) into a temporary store, serves it with `metkg serve` on a
free port of 127.0.0.1 (write token set, a temporary copy of the data folder, the server's default
limits), and runs one bounded replay per item: at most a few thousand requests and about 40 s
each. Every connection stays on loopback; clients that stand for other people connect from other
loopback addresses (127.0.0.2 and up). Memory is the real resident memory of the server process
and its query workers (psutil). Exit status 0 when everything held, 1 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
import yaml

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "abuse-" + os.urandom(8).hex()
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/yaml"}
JSON = {"Accept": "application/sparql-results+json"}
BIG_ANSWER = """SELECT ?s ?v WHERE {
  { SELECT ?s WHERE { ?s ?p ?o } LIMIT 10000 }
  BIND("abcdefgh" AS ?v0) BIND(CONCAT(?v0, ?v0) AS ?v1) BIND(CONCAT(?v1, ?v1) AS ?v2) BIND(CONCAT(?v2, ?v2) AS ?v3)
  BIND(CONCAT(?v3, ?v3) AS ?v4) BIND(CONCAT(?v4, ?v4) AS ?v5) BIND(CONCAT(?v5, ?v5) AS ?v6)
  BIND(CONCAT(?v6, ?v6) AS ?v7) BIND(CONCAT(?v7, ?v7) AS ?v)
}"""
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { { SELECT ?a WHERE { ?a ?b ?c } LIMIT 300 } ?d ?e ?f }"
EXPLODING = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"
QUICK = "ASK { ?s ?p ?o }"
HTML_ROWS = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"


@dataclass
class Outcome:
    """One replayed attack: whether it held and the figure that shows it."""

    item: str
    attack: str
    held: bool
    figure: str


@dataclass
class Server:
    """`metkg serve` in its own process group, with its store and data folder."""

    process: subprocess.Popen[bytes]
    url: str
    root: Path

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def rss_mb(self) -> tuple[float, float]:
        """Resident memory of the server process and the largest of its query workers (MB)."""
        try:
            server = psutil.Process(self.process.pid)
            workers = [c for c in server.children() if "metkg.sparql.worker" in " ".join(c.cmdline())]
            peak_worker = max((w.memory_info().rss for w in workers), default=0)
            return server.memory_info().rss / 1_048_576, peak_worker / 1_048_576
        except psutil.Error:
            return 0.0, 0.0

    def client(self, address: str = "127.0.0.1", timeout: float = 60) -> httpx.Client:
        transport = httpx.HTTPTransport(local_address=address)
        return httpx.Client(base_url=self.url, timeout=timeout, transport=transport)

    def alive(self) -> bool:
        with contextlib.suppress(httpx.HTTPError), self.client(timeout=5) as http:
            return http.get("/health").status_code == 200
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(root: Path) -> None:
    """A copy of the curated records, a corpus folder and a store built from them (no reasoner)."""
    from metkg.build import build_graph
    from metkg.settings import Settings

    shutil.copytree(ROOT / "data" / "cases", root / "data" / "cases")
    (root / "corpus").mkdir()
    (root / "corpus" / "report.txt").write_text("A 52-year-old woman had a scalp metastasis.\n", encoding="utf-8")
    settings = Settings(store=root / "store", data_dir=root / "data", corpus_dir=root / "corpus")
    build_graph(settings, [root / "data"], reason=False, shacl=False)


def start(root: Path) -> Server:
    port = _free_port()
    env = os.environ | {
        "METKG_STORE": str(root / "store"),
        "METKG_DATA_DIR": str(root / "data"),
        "METKG_CORPUS_DIR": str(root / "corpus"),
        "METKG_WRITE_TOKEN": TOKEN,
    }
    command = [sys.executable, "-c", "from metkg.cli import main; main()", "serve", "--port", str(port)]
    process = subprocess.Popen(
        command, cwd=root, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    server = Server(process, f"http://127.0.0.1:{port}", root)
    deadline = time.monotonic() + 60
    while not server.alive():
        if time.monotonic() > deadline or process.poll() is not None:
            stop(server)
            raise SystemExit("metkg serve did not start")
        time.sleep(0.2)
    return server


def stop(server: Server) -> None:
    if server.process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(5)


def _raw(server: Server, address: str, data: bytes, receive_buffer: int = 4096) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.bind((address, 0))
    sock.connect((host, int(port)))
    sock.sendall(data)
    return sock


def _get_bytes(path: str, params: dict[str, str]) -> bytes:
    target = httpx.URL(path, params=params).raw_path.decode()
    return f"GET {target} HTTP/1.1\r\nHost: x\r\nAccept: application/sparql-results+json\r\n\r\n".encode()


@contextlib.contextmanager
def peak_memory(server: Server) -> Iterator[dict[str, float]]:
    peak = {"server": 0.0, "worker": 0.0}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            now_server, now_worker = server.rss_mb()
            peak["server"] = max(peak["server"], now_server)
            peak["worker"] = max(peak["worker"], now_worker)
            time.sleep(0.05)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        done.set()
        thread.join()


# --- anyone, no credentials ---


def non_reading_clients(server: Server) -> Outcome:
    before, _ = server.rss_mb()
    request = _get_bytes("/sparql", {"query": BIG_ANSWER})
    with peak_memory(server) as peak:
        sockets = [_raw(server, f"127.0.0.{10 + i}", request) for i in range(16)]
        time.sleep(12)
        for sock in sockets:
            sock.close()
    growth = peak["server"] - before
    return Outcome(
        "1",
        "16 clients ask for 10,000 rows of 2 KB each and never read",
        growth < 200,
        f"server {before:.0f} MB -> peak {peak['server']:.0f} MB; largest worker {peak['worker']:.0f} MB",
    )


def exploding_query(server: Server) -> Outcome:
    with peak_memory(server) as peak, server.client() as http:
        started = time.monotonic()
        response = http.get("/sparql", params={"query": EXPLODING}, headers=JSON)
        seconds = time.monotonic() - started
    detail = response.json().get("detail", "") if response.status_code >= 400 else ""
    held = response.status_code == 503 and "memory" in detail and server.alive()
    return Outcome(
        "2",
        "ORDER BY over a three-way cartesian product",
        held,
        f"{response.status_code} after {seconds:.1f} s; worker peak {peak['worker']:.0f} MB",
    )


def two_hogs(server: Server) -> Outcome:
    stop_hogs = threading.Event()

    def hog(address: str) -> None:
        with server.client(address) as http:
            while not stop_hogs.is_set():
                with contextlib.suppress(httpx.HTTPError):
                    http.get("/sparql", params={"query": SLOW}, headers=JSON)

    latencies: list[float] = []
    answered = 0
    with ThreadPoolExecutor(12) as pool:
        for i in range(12):
            pool.submit(hog, f"127.0.0.{30 + i % 2}")
        time.sleep(2)
        with server.client("127.0.0.40", timeout=40) as fair:
            for _ in range(10):
                started = time.monotonic()
                answered += fair.get("/sparql", params={"query": QUICK}, headers=JSON).status_code == 200
                latencies.append(time.monotonic() - started)
        stop_hogs.set()
    return Outcome(
        "3",
        "two clients keep 6 slow queries each in flight; a third asks 10 quick ones",
        answered >= 9 and statistics.median(latencies) < 5,
        f"{answered}/10 answered, median wait {statistics.median(latencies):.1f} s",
    )


def half_open_connections(server: Server) -> Outcome:
    half = b"GET /health HTTP/1.1\r\nHost: x\r\n"
    sockets = [_raw(server, f"127.0.1.{1 + i // 50}", half) for i in range(1000)]
    try:
        served = 0
        with server.client() as http:
            for _ in range(20):
                served += http.get("/health").status_code == 200
        time.sleep(11)  # the header timeout (10 s) passes
        dropped = _closed_by_server(sockets, seconds=3)
    finally:
        for sock in sockets:
            sock.close()
    return Outcome(
        "4",
        "1,000 idle half-sent requests from 20 addresses",
        served == 20 and dropped == 1000,
        f"{served}/20 normal requests served; {dropped}/1000 idle connections dropped after 10 s",
    )


def _closed_by_server(sockets: list[socket.socket], seconds: float) -> int:
    """How many of ``sockets`` the server has closed (end of stream) within ``seconds``."""
    closed = 0
    deadline = time.monotonic() + seconds
    with selectors.DefaultSelector() as selector:  # epoll: more than 1,024 sockets
        for sock in sockets:
            selector.register(sock, selectors.EVENT_READ)
        while closed < len(sockets) and (left := deadline - time.monotonic()) > 0:
            ready = selector.select(left)
            if not ready:
                break
            for key, _ in ready:
                with contextlib.suppress(OSError):
                    if key.fileobj.recv(10) == b"":  # type: ignore[union-attr]
                        closed += 1
                selector.unregister(key.fileobj)
    return closed


def html_rendering(server: Server) -> Outcome:
    stop_browsing = threading.Event()

    def browse() -> None:
        with server.client() as http:
            while not stop_browsing.is_set():
                http.get("/sparql", params={"query": HTML_ROWS}, headers={"Accept": "text/html"})

    latencies: list[float] = []
    with ThreadPoolExecutor(4) as pool, server.client() as http:
        for _ in range(4):
            pool.submit(browse)
        time.sleep(1)
        for _ in range(100):
            started = time.monotonic()
            http.get("/health")
            latencies.append(time.monotonic() - started)
            time.sleep(0.05)
        stop_browsing.set()
    worst, median = max(latencies), statistics.median(latencies)
    figure = f"/health median {median:.2f} s, worst {worst:.2f} s"
    return Outcome("5", "4 clients fetch HTML result pages; /health meanwhile", worst < 1.0, figure)


# --- holders of the write token ---


def _record(doi: str | None = None, record_id: str | None = None) -> tuple[str, dict[str, Any]]:
    path = sorted((ROOT / "data" / "cases").glob("*.yaml"))[0]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if doi is not None:
        data["report"]["doi"] = doi
    if record_id is not None:
        data["id"] = record_id
    return data["id"], data


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def host_file(server: Server) -> Outcome:
    record_id, data = _record("10.9999/abuse.passwd", "abuse-passwd")
    data["sources"] = {"main": {"file": "/etc/passwd"}}
    data["patients"][0]["evidence"] = [{"quote": "x" * 30, "start": 0, "end": 30}]
    with server.client() as http:
        response = http.put(f"/cases/{record_id}", content=_dump(data), headers=AUTH)
    leaked = "root:" in response.text
    return Outcome(
        "7", "a record quoting /etc/passwd", response.status_code == 422 and not leaked, f"{response.status_code}"
    )


def nested_body(server: Server) -> Outcome:
    with server.client() as http:
        response = http.put("/cases/abuse-nesting", content="x: " + "[" * 100_000, headers=AUTH)
    alive = server.alive()
    return Outcome("8", "200 KB of nested `[`", response.status_code == 422 and alive, f"{response.status_code}")


def doi_hijack(server: Server) -> Outcome:
    _, victim = _record()
    case = f"https://w3id.org/metkg/case/{victim['report']['doi']}"
    about = f'SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{case}/")) }}'
    record_id, data = _record(victim["report"]["doi"] + "/patient/1", "abuse-hijack")
    with server.client(timeout=300) as http:
        before = http.get("/sparql", params={"query": about}, headers=JSON).json()["results"]["bindings"][0]["n"]
        first = http.put(f"/cases/{record_id}", content=_dump(data), headers=AUTH).status_code
        second = http.put(f"/cases/{record_id}", content=_dump(data), headers=AUTH).status_code
        after = http.get("/sparql", params={"query": about}, headers=JSON).json()["results"]["bindings"][0]["n"]
    held = before["value"] == after["value"]
    return Outcome(
        "9",
        "a DOI naming another case's patient",
        held,
        f"PUT {first}, {second}; facts {before['value']} -> {after['value']}",
    )


def record_takeover(server: Server) -> Outcome:
    victim_id, data = _record()
    data["id"] = "abuse-typo"
    with server.client(timeout=300) as http:
        response = http.put("/cases/abuse-typo", content=_dump(data), headers=AUTH)
    kept = (server.data_dir / "cases" / f"{victim_id}.yaml").is_file()
    return Outcome(
        "10", "a new id with an existing DOI", response.status_code == 409 and kept, f"{response.status_code}"
    )


def alias_bomb(server: Server) -> Outcome:
    record_id, data = _record("10.9999/abuse.aliases", "abuse-aliases")
    data["report"]["authors"] = "ALIASES"
    text = _dump(data).replace("authors: ALIASES", "authors: [&q Curator A, " + ", ".join(["*q"] * 240_000) + "]")
    with server.client(timeout=300) as http:
        started = time.monotonic()
        response = http.put(f"/cases/{record_id}", content=text, headers=AUTH)
        seconds = time.monotonic() - started
    return Outcome(
        "12",
        f"{len(text) / 1e6:.1f} MB of YAML aliases",
        response.status_code == 422 and seconds < 5,
        f"{response.status_code} in {seconds:.1f} s",
    )


def full_data_folder(server: Server) -> Outcome:
    record_id, data = _record("10.9999/abuse.full", "abuse-full")
    blocker = server.data_dir / "cases" / f"{record_id}.yaml"
    blocker.mkdir()
    try:
        with server.client(timeout=300) as http:
            response = http.put(f"/cases/{record_id}", content=_dump(data), headers=AUTH)
            ask = f'ASK {{ ?c <http://purl.org/dc/terms/identifier> "{record_id}" }}'
            live = http.get("/sparql", params={"query": ask}, headers=JSON).json()["boolean"]
    finally:
        blocker.rmdir()
    return Outcome(
        "11",
        "a PUT whose record file cannot be written",
        response.status_code == 507 and not live,
        f"{response.status_code}, live: {live}",
    )


def killed_at_publish(server: Server) -> Outcome:
    """Kill the server (and its children) the moment the store's current build changes under a PUT."""
    record_id, data = _record("10.9999/abuse.kill", "abuse-kill")
    current = server.root / "store" / "current"
    before = os.readlink(current) if current.is_symlink() else None
    done = threading.Event()

    def put() -> None:
        with contextlib.suppress(httpx.HTTPError), server.client(timeout=300) as http:
            http.put(f"/cases/{record_id}", content=_dump(data), headers=AUTH)
        done.set()

    thread = threading.Thread(target=put, daemon=True)
    thread.start()
    while not done.is_set():
        if current.is_symlink() and os.readlink(current) != before:
            os.killpg(server.process.pid, signal.SIGKILL)
            break
        time.sleep(0.001)
    thread.join(60)
    server.process.wait(10)
    saved = (server.data_dir / "cases" / f"{record_id}.yaml").is_file()
    return Outcome(
        "11", "the server killed as a PUT publishes", saved, f"record file {'present' if saved else 'missing'}"
    )


CHECKS: list[tuple[str, Callable[[Server], Outcome]]] = [
    ("1", non_reading_clients),
    ("2", exploding_query),
    ("3", two_hogs),
    ("4", half_open_connections),
    ("5", html_rendering),
    ("7", host_file),
    ("8", nested_body),
    ("9", doi_hijack),
    ("10", record_takeover),
    ("11", full_data_folder),
    ("12", alias_bomb),
    ("11", killed_at_publish),  # last: it kills the server
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the table as JSON")
    parser.add_argument("--only", default="", help="comma-separated item numbers to replay (default: all)")
    args = parser.parse_args()
    wanted = {item.strip() for item in args.only.split(",") if item.strip()}
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the server on the way out
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="metkg-abuse-") as tmp:
        root = Path(tmp)
        prepare(root)
        server = start(root)
        try:
            for item, check in CHECKS:
                if wanted and item not in wanted:
                    continue
                try:
                    outcomes.append(check(server))
                except Exception as exc:  # an attack that broke the replay did not hold
                    outcomes.append(Outcome(item, check.__name__, False, f"{type(exc).__name__}: {exc}"))
        finally:
            stop(server)
    if args.json:
        print(json.dumps([asdict(o) for o in outcomes], indent=2))
    else:
        for o in outcomes:
            print(f"{o.item:>3}  {'held  ' if o.held else 'FAILED'}  {o.attack:<75}  {o.figure}")
    return 0 if all(o.held for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
