"""Stamp a record's provenance into its YAML text: who reviewed it, when, from which draft.

The record's text is kept as the curator wrote it (comments, order, quoting); only the top-level
``status`` and ``provenance`` entries are replaced. A draft's extraction stamp (``extracted_by``,
``extracted_at``) is kept, so the graph can tell the machine's part from the reviewer's.

>>> text = "id: x\\nstatus: machine-extracted\\nprovenance:\\n  extracted_by: metkg 0.1.0\\nreport: {doi: 10.1000/x}\\n"
>>> print(stamp_review(text, "Ada Lovelace", datetime(2026, 12, 6, 10, 0, tzinfo=UTC), "x-draft.yaml"))
id: x
status: curated
provenance:
  extracted_by: metkg 0.1.0
  draft: x-draft.yaml
  reviewed_by: Ada Lovelace
  reviewed_at: '2026-12-06T10:00:00+00:00'
report: {doi: 10.1000/x}
<BLANKLINE>
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import yaml

from metkg.errors import Issue, RecordValidationError

__all__ = ["stamp_review"]

_TOP_KEY = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:", re.MULTILINE)


def _blocks(text: str) -> list[tuple[str | None, int, int]]:
    """The text cut into top-level entries: (key, start, end); text before the first key has key None."""
    starts = [(m.group("key"), m.start()) for m in _TOP_KEY.finditer(text)]
    blocks: list[tuple[str | None, int, int]] = []
    if not starts or starts[0][1] > 0:
        blocks.append((None, 0, starts[0][1] if starts else len(text)))
    for i, (key, start) in enumerate(starts):
        end = starts[i + 1][1] if i + 1 < len(starts) else len(text)
        blocks.append((key, start, end))
    return blocks


def _dump(key: str, value: object) -> str:
    return yaml.safe_dump({key: value}, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000)


def stamp_review(text: str, reviewer: str, when: datetime | None = None, draft: str | None = None) -> str:
    """``text`` with ``status: curated`` and the review in ``provenance`` (after ``id``).

    ``draft`` names the file the review started from; it is recorded only when ``text`` is a
    machine-extracted draft (a curated record keeps the draft it already names).
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RecordValidationError([Issue("record", None, "(file)", f"not valid YAML: {exc}")]) from None
    if not isinstance(data, dict) or "id" not in data:
        raise RecordValidationError([Issue("record", None, "(file)", "a case record is a mapping with an id")])
    old = data.get("provenance") if isinstance(data.get("provenance"), dict) else {}
    when = (when or datetime.now(UTC)).replace(microsecond=0)
    provenance = {k: v for k, v in old.items() if k in ("extracted_by", "extracted_at")}
    started_from = draft if data.get("status") == "machine-extracted" else old.get("draft")
    if started_from:
        provenance["draft"] = started_from
    provenance |= {"reviewed_by": reviewer, "reviewed_at": when.isoformat()}
    stamped = _dump("status", "curated") + _dump("provenance", provenance)
    out: list[str] = []
    for key, start, end in _blocks(text):
        if key in ("status", "provenance"):
            continue
        out.append(text[start:end])
        if key == "id":
            out.append(stamped)
    return "".join(out)
