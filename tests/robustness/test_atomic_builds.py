"""Atomic rebuilds: a build in another process while the server runs leaves readers on the old graph
until the new one is complete, and a build killed halfway leaves the last good store intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from tests.robustness.conftest import serving

from metkg.build import build_graph
from metkg.settings import Settings
from metkg.store import StoreLayout
from metkg.vocab import PREFIXES

COUNT = "SELECT (COUNT(?c) AS ?n) WHERE { ?c a metkg:CaseReport }"
METKG = str(Path(sys.executable).with_name("metkg"))


def _settings(root: Path) -> Settings:
    return Settings(store=root / "store", corpus_dir=None, query_workers=1, query_timeout=10.0)


def _build_process(records: Path, store: Path) -> subprocess.Popen[bytes]:
    """`metkg build` of ``records`` into ``store`` in another process (no reasoner: the store stage is what matters)."""
    command = [METKG, "build", str(records), "--store", str(store), "--no-reason", "--no-shacl"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _unpublished(layout: StoreLayout) -> list[Path]:
    """Build directories that are not (yet) published."""
    current = layout.current.resolve() if layout.exists() else None
    found = layout.builds.iterdir() if layout.builds.is_dir() else ()
    return [p for p in found if p.is_dir() and p != current and not p.with_suffix(".json").exists()]


def _wait_for_store_stage(layout: StoreLayout, process: subprocess.Popen[bytes], limit: float = 60.0) -> Path:
    deadline = time.monotonic() + limit
    while not (stale := _unpublished(layout)):
        assert process.poll() is None, process.stderr.read() if process.stderr else b""
        assert time.monotonic() < deadline, "the build never reached its store stage"
        time.sleep(0.01)
    return stale[0]


def _count(http: httpx.Client) -> int:
    response = http.get("/sparql", params={"query": COUNT})
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_readers_see_the_old_graph_until_the_new_one_is_complete(
    tmp_path: Path, synthetic_dirs: dict[str, Path]
) -> None:
    settings = _settings(tmp_path)
    build_graph(settings, [synthetic_dirs["small"]], reason=False, shacl=False)
    layout = StoreLayout(settings.store)
    with serving(settings) as live, live.client() as http:
        assert _count(http) == 20
        process = _build_process(synthetic_dirs["large"], settings.store)
        during_store_stage: list[int] = []
        seen: list[int] = []
        while process.poll() is None:
            before = set(_unpublished(layout))
            count = _count(http)
            seen.append(count)
            # Taken during the store stage only if the new build was unpublished both before and
            # after the query: publishing writes the manifest before it repoints `current`.
            if before & set(_unpublished(layout)):
                during_store_stage.append(count)
            page = http.get("/health")
            assert page.status_code == 200
            time.sleep(0.05)
        assert process.returncode == 0, process.stderr.read() if process.stderr else b""
        assert set(seen) <= {20, 300}, sorted(set(seen))
        assert during_store_stage and set(during_store_stage) == {20}, "queries ran while the new build was written"
        assert _count(http) == 300
        assert http.get("/health").json()["triples"] > 0


def test_build_killed_halfway_leaves_the_old_store_and_the_next_build_cleans_up(
    tmp_path: Path, synthetic_dirs: dict[str, Path]
) -> None:
    settings = _settings(tmp_path)
    build_graph(settings, [synthetic_dirs["small"]], reason=False, shacl=False)
    layout = StoreLayout(settings.store)
    good = layout.current_build()

    process = _build_process(synthetic_dirs["large"], settings.store)
    stale = _wait_for_store_stage(layout, process)
    time.sleep(0.5)  # well inside the store stage: the new directory is half written
    assert process.poll() is None, "the build finished before it could be killed; give it more records"
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(10) == -signal.SIGKILL

    assert stale.is_dir() and not stale.with_suffix(".json").exists()  # the half-written build is left over
    with layout.lock():  # an flock dies with its process: no lock file for an operator to remove
        pass
    assert layout.current_build() == good
    store = layout.open_read_only()
    assert int(next(iter(store.query(COUNT, prefixes=PREFIXES, use_default_graph_as_union=True)))["n"].value) == 20
    del store
    with serving(settings) as live, live.client() as http:
        assert _count(http) == 20

    again = _build_process(synthetic_dirs["small"], settings.store)
    assert again.wait(120) == 0, again.stderr.read() if again.stderr else b""
    assert not stale.exists(), "the next build removes the directory of the killed one"
    assert layout.current_build() != good
    assert _unpublished(layout) == []
    store = layout.open_read_only()
    assert int(next(iter(store.query(COUNT, prefixes=PREFIXES, use_default_graph_as_union=True)))["n"].value) == 20
