"""Drafts under review, kept server-side: a report uploaded, its machine draft, the curator's edits.

One folder per draft under the configured drafts folder (``METKG_DRAFTS_DIR``)::

    {id}/meta.json        name, status, revision, times, who published it
    {id}/{id}{.ext}       the uploaded report, byte for byte
    {id}/{id}.txt         the text every evidence span refers to (quote == text[start:end]); for a
                          plain-text upload, the upload itself
    {id}/extracted.yaml   the machine draft, as the extractor wrote it
    {id}/draft.yaml       the draft as the curator last saved it
    {id}/decisions.json   the curator's decision on each fact (accepted, edited, rejected)

Every file is written whole or not at all (a temporary file, flushed to disk, renamed over the
old one), so a failed save, a crash or a restart loses nothing that was saved. A save names the
revision it started from; when another curator saved in between, it is refused with
:class:`~metkg.errors.DraftConflictError` instead of overwriting their work.

>>> import tempfile
>>> drafts = DraftStore(Path(tempfile.mkdtemp()))
>>> draft = drafts.create("report.txt", b"A 50-year-old woman.")
>>> draft.status, draft.revision
('extracting', 0)
>>> drafts.finish_extraction(draft.id, "A 50-year-old woman.", "id: report\\n").status
'ready'
>>> drafts.save(draft.id, "id: report\\nnote: checked\\n", revision=0).revision
1
>>> try:
...     drafts.save(draft.id, "id: report\\n", revision=0)
... except DraftConflictError as exc:
...     print(str(exc).split(";")[0].split("was ")[1])
saved by someone else since revision 0 (now 1)
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from metkg.errors import DraftConflictError, ResourceNotFoundError
from metkg.records.durable import write_atomic

__all__ = ["Draft", "DraftStore"]

Status = Literal["extracting", "ready", "failed", "published"]

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass
class Draft:
    """What a draft's ``meta.json`` holds."""

    id: str
    name: str
    status: Status
    created: str
    updated: str
    revision: int = 0
    message: str | None = None
    source_file: str = ""
    text_file: str | None = None
    record_id: str | None = None
    published_by: str | None = None
    history: list[dict[str, str | int]] = field(default_factory=list)


def _slug(name: str) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", Path(name).stem.lower()).strip("-")[:40].strip("-")
    return stem or "report"


class DraftStore:
    """The drafts folder."""

    def __init__(self, folder: Path):
        self.folder = folder.resolve()

    # -- paths
    def path(self, draft_id: str, name: str = "") -> Path:
        if not _ID.match(draft_id):
            raise ResourceNotFoundError(f"no draft {draft_id!r}")
        return self.folder / draft_id / name if name else self.folder / draft_id

    def text_name(self, draft_id: str) -> str:
        """The file name of a draft's text: its record's source file, so quotes are checked against it."""
        return self.get(draft_id).text_file or f"{draft_id}.txt"

    def source_path(self, draft_id: str) -> Path:
        """The uploaded file."""
        return self.path(draft_id, self.get(draft_id).source_file)

    # -- reading
    def get(self, draft_id: str) -> Draft:
        meta = self.path(draft_id, "meta.json")
        try:
            return Draft(**json.loads(meta.read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise ResourceNotFoundError(f"no draft {draft_id!r}; list the drafts at /review") from None

    def newest_first(self) -> list[Draft]:
        """Every draft, newest first."""
        if not self.folder.is_dir():
            return []
        drafts = [self.get(p.name) for p in self.folder.iterdir() if (p / "meta.json").is_file() and _ID.match(p.name)]
        return sorted(drafts, key=lambda d: (d.updated, d.id), reverse=True)

    def read(self, draft_id: str, name: str) -> str | None:
        """A text file of the draft (``text.txt``, ``draft.yaml``, ``extracted.yaml``), if present."""
        try:
            return self.path(draft_id, name).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    # -- writing
    def _write_meta(self, draft: Draft) -> Draft:
        write_atomic(self.path(draft.id, "meta.json"), json.dumps(asdict(draft), indent=1).encode())
        return draft

    def create(self, name: str, data: bytes) -> Draft:
        """Keep an uploaded report; its extraction is still to run (:meth:`finish_extraction`)."""
        draft_id = f"{_slug(name)}-{secrets.token_hex(3)}"
        suffix = "".join(Path(name).suffixes[-1:]).lower()
        suffix = suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ""
        source_file = f"{draft_id}{suffix}"
        write_atomic(self.path(draft_id, source_file), data)
        now = _now()
        name = Path(name).name[:200] or "report"
        return self._write_meta(Draft(draft_id, name, "extracting", now, now, source_file=source_file))

    def open_record(self, name: str, text: str, record_yaml: str) -> Draft:
        """A draft that starts from an existing record and the text its quotes come from."""
        draft = self.create(name, text.encode("utf-8"))
        return self.finish_extraction(draft.id, text, record_yaml)

    def finish_extraction(self, draft_id: str, text: str, draft_yaml: str, text_file: str | None = None) -> Draft:
        """Store the extractor's text (as ``text_file``, the name its quotes cite) and draft: ready for review."""
        text_file = text_file or f"{draft_id}.txt"
        if not _ID.match(Path(text_file).stem) or Path(text_file).name != text_file:
            raise ValueError(f"not a draft's text file name: {text_file!r}")
        write_atomic(self.path(draft_id, text_file), text.encode("utf-8"))
        write_atomic(self.path(draft_id, "extracted.yaml"), draft_yaml.encode("utf-8"))
        write_atomic(self.path(draft_id, "draft.yaml"), draft_yaml.encode("utf-8"))
        draft = self.get(draft_id)
        draft.status, draft.message, draft.updated, draft.text_file = "ready", None, _now(), text_file
        return self._write_meta(draft)

    def restart_extraction(self, draft_id: str) -> Draft:
        """Mark a draft for extraction again; refused once it is published."""
        draft = self.get(draft_id)
        if draft.status == "published":
            raise DraftConflictError(f"draft {draft_id!r} is published; upload the report again to re-extract it")
        draft.status, draft.message, draft.updated = "extracting", None, _now()
        return self._write_meta(draft)

    def fail_extraction(self, draft_id: str, message: str) -> Draft:
        draft = self.get(draft_id)
        draft.status, draft.message, draft.updated = "failed", message, _now()
        return self._write_meta(draft)

    def decisions(self, draft_id: str) -> dict[str, str]:
        """The curator's decision per fact (its JSON pointer in the record)."""
        text = self.read(draft_id, "decisions.json")
        return json.loads(text) if text else {}

    def save(
        self,
        draft_id: str,
        draft_yaml: str,
        revision: int,
        who: str | None = None,
        decisions: dict[str, str] | None = None,
    ) -> Draft:
        """Save the curator's draft (and decisions) if nobody saved since ``revision``; the new revision."""
        draft = self.get(draft_id)
        if draft.revision != revision:
            raise DraftConflictError(
                f"draft {draft_id!r} was saved by someone else since revision {revision} (now {draft.revision}); "
                "reload it and apply your changes again"
            )
        write_atomic(self.path(draft_id, "draft.yaml"), draft_yaml.encode("utf-8"))
        if decisions is not None:
            write_atomic(self.path(draft_id, "decisions.json"), json.dumps(decisions, indent=1).encode())
        draft.revision += 1
        draft.updated = _now()
        draft.history.append({"revision": draft.revision, "by": who or "unknown", "at": draft.updated})
        return self._write_meta(draft)

    def mark_published(self, draft_id: str, record_id: str, who: str) -> Draft:
        draft = self.get(draft_id)
        draft.status, draft.record_id, draft.published_by, draft.updated = "published", record_id, who, _now()
        return self._write_meta(draft)
