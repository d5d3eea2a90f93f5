"""A build is published only after its writer is closed.

RocksDB goes on compacting, and deleting the files it compacted, for as long as a store is
open for writing. A server that opened a published build still held open by the builder could
read a manifest naming files that are gone the moment after ("Corruption: ... No such file").
These tests check the invariant itself: when ``current`` is repointed, another process can
open the build for writing, which RocksDB's lock allows only once the builder has closed it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Quad

from metkg.build import add_record, build_graph
from metkg.errors import RecordValidationError, StoreError
from metkg.store import StoreLayout
from metkg.web.dataset import LiveStore

FIXTURE = Path(__file__).parents[1] / "fixtures" / "records" / "minimal.yaml"
BASE = "https://w3id.org/metkg/"
OPEN_FOR_WRITING = "import sys, pyoxigraph; pyoxigraph.Store(sys.argv[1])"


def _writer_still_open(path: Path) -> str | None:
    """RocksDB's complaint when another process opens ``path`` for writing; ``None`` if it can."""
    done = subprocess.run(
        [sys.executable, "-c", OPEN_FOR_WRITING, str(path)], capture_output=True, text=True, check=False
    )
    return done.stderr.strip().splitlines()[-1] if done.returncode else None


@pytest.fixture
def at_publish(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """Whether the writer was still open, for every build published while the test runs."""
    seen: list[str | None] = []
    original = StoreLayout.publish

    def publish(self: StoreLayout, path: Path, manifest: dict) -> None:
        seen.append(_writer_still_open(path))
        original(self, path, manifest)

    monkeypatch.setattr(StoreLayout, "publish", publish)
    return seen


@pytest.mark.parametrize(
    ("reason", "shacl"),
    [pytest.param(True, False, id="streamed"), pytest.param(False, True, id="in-memory")],
)
def test_a_build_is_closed_before_it_is_published(
    make_settings, tmp_path: Path, at_publish, reason: bool, shacl: bool
) -> None:
    data = tmp_path / "data"
    (data / "cases").mkdir(parents=True)
    shutil.copy(FIXTURE, data / "cases" / "minimal-case.yaml")
    build_graph(make_settings(data_dir=data), reason=reason, shacl=shacl, owl=False)
    assert at_publish == [None]


def test_an_added_record_is_closed_before_it_is_published(make_settings, tmp_path: Path, at_publish) -> None:
    data = tmp_path / "data"
    (data / "cases").mkdir(parents=True)
    shutil.copy(FIXTURE, data / "cases" / "minimal-case.yaml")
    settings = make_settings(data_dir=data)
    build_graph(settings, reason=False, shacl=False)
    new = tmp_path / "second.yaml"
    new.write_text(
        FIXTURE.read_text(encoding="utf-8")
        .replace("minimal-case", "second-case")
        .replace("example.0001", "example.0002"),
        encoding="utf-8",
    )
    add_record(settings, new, reason=False, shacl=False, write_data=False)
    assert at_publish == [None, None]


def test_a_failed_build_is_closed_before_its_directory_is_removed(make_settings, tmp_path: Path, monkeypatch) -> None:
    """Otherwise RocksDB writes on into the directory being deleted, and leaves it behind."""
    data = tmp_path / "data"
    (data / "cases").mkdir(parents=True)
    shutil.copy(FIXTURE, data / "cases" / "minimal-case.yaml")
    twin = FIXTURE.read_text(encoding="utf-8").replace("minimal-case", "twin-case")  # the same DOI
    (data / "cases" / "twin-case.yaml").write_text(twin, encoding="utf-8")
    at_removal: list[str | None] = []
    remove = shutil.rmtree

    def rmtree(path: Path, ignore_errors: bool = False) -> None:
        at_removal.append(_writer_still_open(path))
        remove(path, ignore_errors=ignore_errors)

    monkeypatch.setattr("metkg.store.shutil.rmtree", rmtree)
    settings = make_settings(data_dir=data)
    with pytest.raises(RecordValidationError, match="duplicate DOI"):
        build_graph(settings, reason=True, shacl=False, owl=False)
    assert at_removal == [None]
    assert not settings.store.exists(), "a failed first build leaves no store folder behind"


def test_publishing_refuses_a_store_still_referenced(tmp_path: Path) -> None:
    layout = StoreLayout(tmp_path / "store")
    with pytest.raises(StoreError, match="still referenced"), layout.new_build() as build:
        kept = build.store
        build.publish({})
    del kept
    assert not layout.exists(), "a refused build is not published"
    assert list(layout.builds.iterdir()) == [], "and its directory is removed"


def _publish_one(layout: StoreLayout, label: str) -> Path:
    with layout.new_build() as build:
        build.store.add(Quad(NamedNode(BASE + label), NamedNode(BASE + "p"), NamedNode(BASE + "o")))
        build.publish({})
        return build.path


def test_the_server_keeps_its_build_when_a_new_one_cannot_be_opened(tmp_path: Path) -> None:
    layout = StoreLayout(tmp_path / "store")
    first = _publish_one(layout, "first")
    live = LiveStore(layout, BASE)
    assert live.snapshot().path == str(first)

    broken = layout.builds / "broken"
    broken.mkdir()
    (broken / "CURRENT").write_text("MANIFEST-000099\n")  # names a manifest that is not there
    layout.publish(broken, {})
    assert live.snapshot().path == str(first), "a build that cannot be opened is not served"

    second = _publish_one(layout, "second")
    assert live.snapshot().path == str(second), "the next good build is served"
