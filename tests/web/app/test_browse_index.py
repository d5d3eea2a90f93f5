"""The browse index of a build: read once per build, whoever asks, and kept apart from the
garbage collector's full collections (which traversed it all every few dozen requests)."""

from __future__ import annotations

import gc
import threading

import pytest
from tests.web.conftest import BASE, unreasoned_store

from metkg.store import StoreLayout
from metkg.web.app import browse
from metkg.web.dataset import LiveStore


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> StoreLayout:
    return StoreLayout(unreasoned_store(tmp_path_factory.mktemp("index")).store)


def _wait_for_readers() -> None:
    for thread in threading.enumerate():
        if thread.name == "metkg-index":
            thread.join(30)


def test_two_readers_of_one_build_share_its_index(layout: StoreLayout, monkeypatch: pytest.MonkeyPatch) -> None:
    first = LiveStore(layout, BASE).snapshot()
    index = browse.browse_index(first)
    reads: list[str] = []
    monkeypatch.setattr(browse, "read_index", lambda snapshot: reads.append(snapshot.path))
    other = LiveStore(layout, BASE).snapshot()  # a second reader: another snapshot of the same build
    assert other is not first and other.path == first.path
    assert browse.browse_index(other) is index
    _wait_for_readers()
    assert reads == [], "the same build's index was read again for another reader"


def test_a_read_index_is_left_out_of_full_collections(layout: StoreLayout) -> None:
    index = browse.browse_index(LiveStore(layout, BASE).snapshot())
    assert gc.get_freeze_count() > 0
    collected = {id(o) for o in gc.get_objects()}  # the collector's generations, not the frozen objects
    assert id(index) not in collected and id(index.patients) not in collected


def test_the_collector_is_paused_while_an_index_is_read(layout: StoreLayout, monkeypatch: pytest.MonkeyPatch) -> None:
    collecting: list[bool] = []
    read_patients = browse.read_patients

    def patients(*args: object) -> object:
        collecting.append(gc.isenabled())
        return read_patients(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(browse, "read_patients", patients)
    assert gc.isenabled()
    browse.read_index(LiveStore(layout, BASE).snapshot())
    assert collecting == [False] and gc.isenabled()
