"""The on-disk graph store: Oxigraph directories swapped atomically.

Layout of a store directory::

    store/
      current -> builds/20261121T070102-4f3a   symlink to the last good build
      builds/20261121T070102-4f3a/             an Oxigraph (RocksDB) directory
      builds/20261121T070102-4f3a.json         its manifest: counts, settings, timing
      build.lock                               held while a build runs

A build writes a new directory and only then repoints ``current`` with one atomic rename, so
readers stay on the old graph until the new one is complete, and a build that fails or is
killed leaves the last good store untouched. Stale directories of killed builds are removed
by the next build.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sys
import time
import traceback
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyoxigraph import Store

from metkg.errors import StoreError

__all__ = ["NewBuild", "StoreLayout"]

_KEEP_BUILDS = 2


@dataclass(frozen=True)
class StoreLayout:
    """Paths and operations of one store directory."""

    root: Path

    @property
    def current(self) -> Path:
        return self.root / "current"

    @property
    def builds(self) -> Path:
        return self.root / "builds"

    def exists(self) -> bool:
        """Whether a complete build is there to open."""
        return self.current.is_symlink() and self.current.resolve().is_dir()

    def current_build(self) -> Path:
        """The directory of the last good build."""
        if not self.exists():
            raise StoreError(
                f"no graph store at {str(self.root)!r}; run `metkg build --store {self.root}` first "
                "(or set METKG_STORE to the directory of an existing build)"
            )
        return self.current.resolve()

    def manifest(self) -> dict[str, Any]:
        """The manifest of the current build (counts, timings, settings)."""
        path = self.current_build().with_suffix(".json")
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def open_read_only(self) -> Store:
        """Open the current build for reading; any number of processes may do so at once."""
        path = self.current_build()
        try:
            return Store.read_only(str(path))
        except OSError as exc:
            raise StoreError(f"cannot open the store at {str(path)!r}: {exc}; rebuild it with `metkg build`") from None

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the build lock; fail at once if another build holds it.

        A store directory this call creates is removed again when no build was published in
        it: a failed first build leaves no empty store behind.
        """
        created = not self.root.exists()
        self.root.mkdir(parents=True, exist_ok=True)
        handle = (self.root / "build.lock").open("a+")
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreError(f"another build is writing to {str(self.root)!r}; wait for it to finish") from None
            yield
        finally:
            handle.close()
            if created and not self.current.is_symlink():
                self._remove_unused_root()

    def _remove_unused_root(self) -> None:
        """Delete the lock, the empty builds directory and the root, if nothing else is in them."""
        (self.root / "build.lock").unlink(missing_ok=True)
        for directory in (self.builds, self.root):
            with contextlib.suppress(OSError):  # absent, or not empty: someone else's files stay
                directory.rmdir()

    @contextlib.contextmanager
    def new_build(self, *, from_current: bool = False) -> Iterator[NewBuild]:
        """A new store to fill: empty, or a copy of the current build (a RocksDB checkpoint,
        which hard-links files and costs milliseconds whatever the size).

        It becomes current only through :meth:`NewBuild.publish`, which closes the writer
        first. If the body raises, the new directory is deleted and ``current`` is untouched.
        """
        self.builds.mkdir(parents=True, exist_ok=True)
        self._remove_stale()
        name = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        path = self.builds / name
        if from_current:
            self.open_read_only().backup(str(path))
        build = NewBuild(self, path, Store(str(path)))
        try:
            yield build
        except BaseException as exc:
            # The failed calls' frames, kept by the traceback, may still hold the store: clear
            # them so that it really closes, or RocksDB goes on writing into the directory while
            # it is deleted and leaves it behind.
            _clear_finished_frames(exc)
            build.close(flush=False)  # the build is deleted: nothing to flush, nothing to fail on
            shutil.rmtree(path, ignore_errors=True)
            path.with_suffix(".json").unlink(missing_ok=True)
            raise
        finally:
            build.close()

    def publish(self, path: Path, manifest: dict[str, Any]) -> None:
        """Make ``path`` the current build with one atomic rename, then prune old builds.

        Nothing may still write to ``path``: use :meth:`NewBuild.publish`, which makes sure."""
        path.with_suffix(".json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
        tmp_link = self.root / f".current-{uuid.uuid4().hex[:6]}"
        os.symlink(os.path.relpath(path, self.root), tmp_link)
        os.replace(tmp_link, self.current)
        self._prune()

    def _building_dirs(self) -> list[Path]:
        return sorted(p for p in self.builds.iterdir() if p.is_dir()) if self.builds.is_dir() else []

    def _remove_stale(self) -> None:
        """Delete directories of builds that never published (a killed or failed build)."""
        current = self.current.resolve() if self.exists() else None
        for path in self._building_dirs():
            if path != current and not path.with_suffix(".json").exists():
                shutil.rmtree(path, ignore_errors=True)

    def _prune(self) -> None:
        current = self.current.resolve()
        finished = [p for p in self._building_dirs() if p.with_suffix(".json").exists() and p != current]
        for path in finished[: max(0, len(finished) - (_KEEP_BUILDS - 1))]:
            shutil.rmtree(path, ignore_errors=True)
            path.with_suffix(".json").unlink(missing_ok=True)


def _clear_finished_frames(exc: BaseException) -> None:
    """Drop the local variables of the returned frames in ``exc``'s tracebacks (and in those of
    the exceptions it was raised from); frames still running are left alone."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        current = current.__cause__ or current.__context__


class NewBuild:
    """A build being written: its directory and its (only) writable store.

    RocksDB keeps compacting and deleting files until the store is closed, and a pyoxigraph
    store closes only when its last reference goes. A reader that opened a build still held
    open for writing could find files named in its manifest already deleted, so
    :meth:`publish` closes the store first and refuses while anything else still refers to it.
    """

    def __init__(self, layout: StoreLayout, path: Path, store: Store):
        self.layout = layout
        self.path = path
        self._store: Store | None = store

    @property
    def store(self) -> Store:
        if self._store is None:
            raise StoreError(f"the build {self.path.name!r} is closed")
        return self._store

    def close(self, *, flush: bool = True) -> None:
        """Flush the writer and drop this build's reference to it (RocksDB closes with the last one)."""
        store, self._store = self._store, None
        if store is not None and flush:
            store.flush()

    def publish(self, manifest: dict[str, Any]) -> None:
        """Close the writer, then make this build current (atomic) and prune old builds."""
        store = self._store
        self.close()
        # Two references: ``store`` here and getrefcount's own argument. Any more is a caller's,
        # which would keep the writer open under the readers of the published build.
        if store is not None and sys.getrefcount(store) > 2:
            raise StoreError(
                f"the build {self.path.name!r} is still referenced; drop every reference to its store before publishing"
            )
        del store
        self.layout.publish(self.path, manifest)
