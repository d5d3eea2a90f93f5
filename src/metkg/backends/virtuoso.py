"""Virtuoso Open Source: a throw-away server for tests and benchmarks, and its bulk loader.

:class:`VirtuosoServer` starts ``virtuoso-t`` on loopback from a config file in a directory of
its own (free ports, database files there), waits until its HTTP endpoint answers and stops it
with SIGTERM. :func:`isql` runs SQL through Virtuoso's ``isql`` client, which the bulk loader
(:func:`bulk_load`, ``ld_dir`` + ``rdf_loader_run``) needs: loading N-Quads files this way is
several times faster than the Graph Store Protocol once there are thousands of graphs.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from metkg.errors import ConfigurationError, StoreError

__all__ = ["VirtuosoServer", "bulk_load", "drop_graphs_with_prefix", "isql", "virtuoso_available"]

SERVER_COMMAND = "virtuoso-t"
ISQL_COMMAND = "isql-vt"
_READY_SECONDS = 60.0


def virtuoso_available() -> bool:
    """Whether ``virtuoso-t`` and ``isql-vt`` are installed."""
    return shutil.which(SERVER_COMMAND) is not None and shutil.which(ISQL_COMMAND) is not None


def _stop_with_parent() -> None:
    """In the child, before exec: ask Linux for SIGTERM when the process that started it dies, so a
    test run killed before its teardown leaves no server behind.
    """
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


_CONFIG = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
MaxCheckpointRemap = 2000

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DirsAllowed = ., {dir}, {load_dir}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty_buffers}
ThreadsPerQuery = 2
CheckpointInterval = 0

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
MaxClientConnections = 32
ServerThreads = 32

[SPARQL]
ResultSetMaxRows = 10000000
MaxQueryExecutionTime = 600
MaxQueryCostEstimationTime = 600
{extra_sparql}
"""


@dataclass
class VirtuosoServer:
    """A Virtuoso server on loopback whose files all live in ``directory``."""

    directory: Path
    http_port: int
    sql_port: int
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    user: str = "dba"
    password: str = "dba"

    @property
    def load_dir(self) -> Path:
        """A directory the server may bulk-load files from."""
        return self.directory / "load"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def query_endpoint(self) -> str:
        return f"{self.base_url}/sparql"

    @property
    def update_endpoint(self) -> str:
        """The authenticated (digest) endpoint that accepts SPARQL Update."""
        return f"{self.base_url}/sparql-auth"

    @property
    def graph_store_endpoint(self) -> str:
        """The authenticated (digest) Graph Store Protocol endpoint."""
        return f"{self.base_url}/sparql-graph-crud-auth"

    @property
    def isql_address(self) -> str:
        return f"127.0.0.1:{self.sql_port}"

    def settings_overrides(self) -> dict[str, object]:
        """The metkg settings that point at this server (backend ``sparql``, digest auth, bulk loader)."""
        return {
            "backend": "sparql",
            "sparql_endpoint": self.query_endpoint,
            "sparql_update_endpoint": self.update_endpoint,
            "graph_store_endpoint": self.graph_store_endpoint,
            "sparql_user": self.user,
            "sparql_password": self.password,
            "sparql_auth": "digest",
            "virtuoso_isql": self.isql_address,
            "bulk_load_dir": self.load_dir,
        }

    @classmethod
    def start(cls, directory: Path, *, memory_mb: int = 2000, default_graph: str | None = None) -> VirtuosoServer:
        """Write a config into ``directory``, start ``virtuoso-t`` and wait until it answers.

        ``memory_mb`` sizes the buffer pool (8 KB pages; Virtuoso's guide: about two thirds of
        the memory the server may use). ``default_graph`` sets ``[SPARQL] DefaultGraph``: queries
        that name no dataset then read only that graph, not the union of all graphs.
        """
        if not virtuoso_available():
            raise ConfigurationError(
                "virtuoso-t is not installed; on Debian: apt-get install virtuoso-opensource-7-bin"
            )
        directory = directory.resolve()
        directory.mkdir(parents=True, exist_ok=True)
        server = cls(directory, http_port=_free_port(), sql_port=_free_port())
        server.load_dir.mkdir(exist_ok=True)
        buffers = max(memory_mb * 1024 // 8, 10_000)
        config = _CONFIG.format(
            dir=directory,
            load_dir=server.load_dir,
            sql_port=server.sql_port,
            http_port=server.http_port,
            buffers=buffers,
            dirty_buffers=buffers * 3 // 4,
            extra_sparql=f"DefaultGraph = {default_graph}" if default_graph else "",
        )
        (directory / "virtuoso.ini").write_text(config, encoding="utf-8")
        log = (directory / "server.out").open("wb")
        server.process = subprocess.Popen(
            [SERVER_COMMAND, "+foreground", "+configfile", str(directory / "virtuoso.ini")],
            cwd=directory,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=_stop_with_parent,  # noqa: PLW1509 (only prctl, no locks taken)
        )
        log.close()
        try:
            server.wait_ready()
        except BaseException:
            server.stop()
            raise
        return server

    def _log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return (self.directory / "server.out").read_text(errors="replace")[-1500:]
        return ""

    def wait_ready(self, seconds: float = _READY_SECONDS) -> None:
        """Wait until the SPARQL endpoint answers (about 3 s after a start)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise StoreError(f"virtuoso-t exited with {self.process.returncode}:\n{self._log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                response = httpx.get(self.query_endpoint, params={"query": "ASK {}"}, timeout=2)
                if response.status_code == 200:
                    return
            time.sleep(0.25)
        raise StoreError(f"virtuoso-t did not answer within {seconds:g} s:\n{self._log_tail()}")

    def stop(self, seconds: float = 30.0) -> None:
        """Stop the server (SIGTERM, then SIGKILL if it lingers)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)

    def __enter__(self) -> VirtuosoServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def isql(
    address: str, user: str, password: str, sql: str, *, command: str = ISQL_COMMAND, timeout: float = 3600
) -> str:
    """Run SQL statements through Virtuoso's isql client; the output, or :class:`StoreError` on any error."""
    if shutil.which(command) is None:
        raise ConfigurationError(
            f"Virtuoso's isql client {command!r} is not installed; set METKG_VIRTUOSO_ISQL_COMMAND"
        )
    try:
        done = subprocess.run(
            [command, address, user, password],
            input=sql.encode(),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise StoreError(f"isql did not finish within {timeout:g} s") from None
    output = (done.stdout + done.stderr).decode(errors="replace")
    if done.returncode != 0 or "*** Error" in output:
        errors = [line for line in output.splitlines() if "Error" in line] or output.splitlines()[-5:]
        raise StoreError(f"Virtuoso's isql at {address} failed: {' | '.join(errors)[:800]}")
    return output


def _sql_string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def drop_graphs_with_prefix(
    address: str, user: str, password: str, prefix: str, *, command: str = ISQL_COMMAND
) -> None:
    """Delete every graph whose IRI starts with ``prefix`` (one scan of the quad table, no transaction log)."""
    like = prefix.replace("%", "\\%").replace("_", "\\_") + "%"
    sql = (
        "log_enable(3,1);\n"
        f"DELETE FROM DB.DBA.RDF_QUAD WHERE id_to_iri(G) LIKE {_sql_string(like)} ESCAPE '\\\\';\n"
        "checkpoint;\n"
    )
    isql(address, user, password, sql, command=command)


def bulk_load(
    address: str, user: str, password: str, directory: Path, *, loaders: int = 2, command: str = ISQL_COMMAND
) -> None:
    """Load every ``*.nq`` file of ``directory`` (which the server must be allowed to read) with
    ``rdf_loader_run``, ``loaders`` at once, then checkpoint. Raises on any file that failed.
    """
    folder = _sql_string(str(directory.resolve()))
    isql(address, user, password, f"ld_dir({folder}, '*.nq', 'urn:metkg:unused');\n", command=command)
    runs = [
        subprocess.Popen(
            [command, address, user, password], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        for _ in range(max(loaders, 1))
    ]
    outputs = [run.communicate(b"rdf_loader_run();\n")[0].decode(errors="replace") for run in runs]
    failures = [out for out in outputs if "*** Error" in out]
    files = _sql_string(str(directory.resolve()) + "/%")
    report = isql(
        address,
        user,
        password,
        f"SELECT ll_file, ll_error FROM DB.DBA.load_list WHERE ll_file LIKE {files} AND ll_error IS NOT NULL;\n"
        f"DELETE FROM DB.DBA.load_list WHERE ll_file LIKE {files};\n"
        "checkpoint;\n",
        command=command,
    )
    if failures or "0 Rows." not in report.split("DELETE")[0]:
        raise StoreError(f"Virtuoso's bulk loader failed: {(' '.join(failures) or report)[:800]}")
