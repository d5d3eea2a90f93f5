"""Review in the browser: upload a report, check its machine draft fact by fact, publish a record.

Pages (``/review``, ``/review/{id}``) are shells; their script talks to a JSON API under
``/review/api`` that needs a curator's bearer token (``METKG_CURATORS``, or the shared
``METKG_WRITE_TOKEN``): drafts are unpublished work. Drafts live in ``METKG_DRAFTS_DIR``
(:mod:`metkg.records.drafts`); extraction runs in a worker process, so the server keeps
answering while a report is read. Publishing goes through exactly the write path of
``PUT /cases/{id}`` (:func:`~metkg.web.write_routes.apply_record`), after every flagged fact
has been decided and rejected facts removed; the published record names its reviewer.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import yaml
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from metkg.errors import (
    DraftConflictError,
    Issue,
    MetkgError,
    ProtocolError,
    RecordValidationError,
    ResourceNotFoundError,
)
from metkg.evaluate import compare
from metkg.records.drafts import DraftStore
from metkg.records.loader import load_record
from metkg.records.models import CaseRecord
from metkg.records.provenance import stamp_review
from metkg.records.review import facts
from metkg.records.validate import source_text
from metkg.settings import Settings
from metkg.terminology import load_terminology
from metkg.web.app.pages import render
from metkg.web.limits import read_body
from metkg.web.write_routes import apply_record, authorize

__all__ = ["extract_upload", "publishable", "router"]

router = APIRouter(include_in_schema=False)

#: Largest report a curator may upload (a publisher PDF with figures stays well under it).
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
_DECISIONS = ("accepted", "rejected", "edited")
_RECORD_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,199}$")


def extract_upload(source: Path, draft_id: str, upload_name: str, ontology_dir: Path) -> tuple[str, str, str]:
    """The text file name, text and draft YAML of an uploaded report in any format metkg reads
    (run in a worker process). The record is named after the uploaded file."""
    from metkg.extract import extract_document, record_yaml
    from metkg.extract.record import slug

    extraction = extract_document(source, ontology_dir, base=draft_id)
    record = extraction.record.model_copy(update={"id": slug(Path(upload_name).stem, 60)})
    header = [f"Draft extracted by metkg from {upload_name} for review in the browser."]
    return extraction.text_name, extraction.document.text, record_yaml(record, header)


class _Extractor:
    """One worker process that extracts uploads, started on the first upload."""

    def __init__(self) -> None:
        self.pool: ProcessPoolExecutor | None = None

    def submit(
        self, source: Path, draft_id: str, upload_name: str, ontology_dir: Path
    ) -> asyncio.Future[tuple[str, str, str]]:
        if self.pool is None:
            self.pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        loop = asyncio.get_running_loop()
        return loop.run_in_executor(self.pool, extract_upload, source, draft_id, upload_name, ontology_dir)


_EXTRACTOR = _Extractor()
_RUNNING: set[asyncio.Task[None]] = set()


def _settings(request: Request) -> Settings:
    return request.app.state.service.settings


def _store(request: Request) -> DraftStore:
    return DraftStore(_settings(request).drafts_dir)


def _curator(request: Request) -> str:
    return authorize(request.headers.get("authorization"), _settings(request))


async def _extract(drafts: DraftStore, draft_id: str, ontology_dir: Path) -> None:
    try:
        draft = drafts.get(draft_id)
        text_file, text, draft_yaml = await _EXTRACTOR.submit(
            drafts.source_path(draft_id), draft_id, draft.name, ontology_dir
        )
    except MetkgError as exc:
        drafts.fail_extraction(draft_id, str(exc))
    except Exception as exc:  # a bug on one report must not leave its draft "extracting" for ever
        drafts.fail_extraction(draft_id, f"the extractor failed on this report ({type(exc).__name__}); retry it")
    else:
        drafts.finish_extraction(draft_id, text, draft_yaml, text_file)


def _start_extraction(drafts: DraftStore, draft_id: str, settings: Settings) -> None:
    task = asyncio.get_running_loop().create_task(_extract(drafts, draft_id, settings.ontology_dir))
    _RUNNING.add(task)
    task.add_done_callback(_RUNNING.discard)


# -- pages
@router.get("/review", name="review_home")
def review_home(request: Request) -> Response:
    return render(request, "review_list.html", {})


@router.get("/review/{draft_id}", name="review_draft")
def review_draft(request: Request, draft_id: str) -> Response:
    _store(request).path(draft_id)  # 404 for a malformed id
    return render(request, "review.html", {"draft_id": draft_id})


# -- the API
@router.get("/review/api/drafts")
def list_drafts(request: Request) -> Response:
    _curator(request)
    return JSONResponse([vars(d) for d in _store(request).newest_first()])


@router.post("/review/api/drafts", status_code=202)
async def upload(request: Request, name: str = "report.txt") -> Response:
    """Keep the uploaded report (the body, raw) and start its extraction."""
    _curator(request)
    settings = _settings(request)
    body = await read_body(request, MAX_UPLOAD_BYTES)
    if not body:
        raise ProtocolError("the upload is empty; send the report file as the request body")
    drafts = _store(request)
    draft = await run_in_threadpool(drafts.create, name, body)
    _start_extraction(drafts, draft.id, settings)
    return JSONResponse(vars(draft), status_code=202, headers={"Location": f"/review/{draft.id}"})


@router.post("/review/api/drafts/{draft_id}/extract", status_code=202)
def retry(request: Request, draft_id: str) -> Response:
    """Extract an upload again (after a failure, or a server stopped while extracting)."""
    _curator(request)
    drafts = _store(request)
    draft = drafts.restart_extraction(draft_id)
    _start_extraction(drafts, draft_id, _settings(request))
    return JSONResponse(vars(draft), status_code=202)


@router.post("/review/api/records/{record_id}", status_code=201)
def open_record(request: Request, record_id: str) -> Response:
    """Start a draft from a curated record (data/cases/{id}.yaml) and the text of its first source."""
    _curator(request)
    settings = _settings(request)
    path = settings.data_dir / "cases" / f"{record_id}.yaml"
    if not _RECORD_ID.match(record_id) or not path.is_file():
        raise ResourceNotFoundError(f"no curated record {record_id!r} in {settings.data_dir / 'cases'}")
    loaded = load_record(path)
    text = source_text(loaded.record, loaded.record.default_source(), settings.corpus_dir)
    if text is None:
        raise ResourceNotFoundError(
            f"the source text of {record_id!r} is not in the corpus folder ({settings.corpus_dir}); "
            "set METKG_CORPUS_DIR"
        )
    draft = _store(request).open_record(f"{record_id}.yaml", text, path.read_text(encoding="utf-8"))
    return JSONResponse(vars(draft), status_code=201, headers={"Location": f"/review/{draft.id}"})


@router.get("/review/api/drafts/{draft_id}/diff")
def diff_draft(request: Request, draft_id: str) -> Response:
    """What the draft says differently from the curated record of the same report (by DOI), if any."""
    _curator(request)
    settings = _settings(request)
    drafts = _store(request)
    try:
        record = CaseRecord.model_validate(yaml.safe_load(drafts.read(draft_id, "draft.yaml") or "") or {})
    except ValueError:
        return JSONResponse({"curated": None, "reason": "the draft does not load as a record yet"})
    curated = _curated_with_doi(settings.data_dir / "cases", record.report.doi)
    if curated is None:
        return JSONResponse({"curated": None, "reason": f"no curated record has DOI {record.report.doi}"})
    result = compare(record, curated, load_terminology(settings.ontology_dir))
    groups = result.groups.values()
    return JSONResponse(
        {
            "curated": curated.id,
            "same": sum(g.matched for g in groups),
            "added": [f"{g.name}: {fact}" for g in groups for fact in g.false_facts],
            "missing": [f"{g.name}: {fact}" for g in groups for fact in g.misses],
        }
    )


def _curated_with_doi(folder: Path, doi: str) -> CaseRecord | None:
    for path in sorted(folder.glob("*.yaml")):
        try:
            record = load_record(path).record
        except RecordValidationError:
            continue
        if record.report.doi.lower() == doi.lower():
            return record
    return None


def _terms_of(settings: Settings) -> dict[str, list[list[str]]]:
    terms = load_terminology(settings.ontology_dir)
    return {
        category: sorted(([t.key, t.label] for t in terms.all_terms() if t.category == category), key=lambda x: x[1])
        for category in ("site", "histology", "marker", "drug", "procedure")
    }


@router.get("/review/api/terms")
def terms(request: Request) -> Response:
    """The ontology's terms a curator may choose, per category: [key, label] pairs."""
    return JSONResponse(_terms_of(_settings(request)))


def _facts_of(record_data: dict[str, Any], text: str | None, settings: Settings) -> list[dict[str, Any]]:
    """The facts of a draft as the review screen shows them; none while the draft does not load."""
    try:
        record = CaseRecord.model_validate(record_data)
    except ValueError:
        return []
    terms = load_terminology(settings.ontology_dir)
    texts = dict.fromkeys(record.sources, None) | {record.default_source(): text}
    return [
        {
            "path": f.path,
            "kind": f.kind,
            "summary": f.summary,
            "pointer": f.pointer,
            "flags": f.flags,
            "quotes": [{"quote": q.quote, "start": q.start, "source": q.source} for q in f.quotes],
        }
        for f in facts(record, texts, terms)
    ]


@router.get("/review/api/drafts/{draft_id}")
def get_draft(request: Request, draft_id: str) -> Response:
    """A draft: its state, its text, the record as JSON, its facts and the decisions so far."""
    _curator(request)
    drafts = _store(request)
    draft = drafts.get(draft_id)
    body: dict[str, Any] = {"draft": vars(draft), "text": None, "record": None, "facts": [], "decisions": {}}
    if draft.status in ("ready", "published"):
        text = drafts.read(draft_id, drafts.text_name(draft_id))
        record = yaml.safe_load(drafts.read(draft_id, "draft.yaml") or "") or {}
        body |= {
            "text": text,
            "record": record,
            "facts": _facts_of(record, text, _settings(request)),
            "decisions": drafts.decisions(draft_id),
        }
    return JSONResponse(body, headers={"ETag": f'"{draft.revision}"'})


def _revision(request: Request, payload: dict[str, Any]) -> int:
    tag = request.headers.get("if-match", "").strip().strip('"')
    value = tag or payload.get("revision")
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ProtocolError("say which revision the change starts from: If-Match header or 'revision'") from None


async def _payload(request: Request) -> dict[str, Any]:
    try:
        payload = await request.json()
    except ValueError:
        raise ProtocolError("send a JSON object") from None
    if not isinstance(payload, dict):
        raise ProtocolError("send a JSON object")
    return payload


def _decisions(payload: dict[str, Any]) -> dict[str, str]:
    decisions = payload.get("decisions") or {}
    if not isinstance(decisions, dict) or any(v not in _DECISIONS for v in decisions.values()):
        raise ProtocolError(f"decisions map a fact's pointer to one of {', '.join(_DECISIONS)}")
    return {str(k): str(v) for k, v in decisions.items()}


@router.put("/review/api/drafts/{draft_id}")
async def save_draft(request: Request, draft_id: str) -> Response:
    """Save the curator's record and decisions, unless someone saved since (409)."""
    who = _curator(request)
    payload = await _payload(request)
    record = payload.get("record")
    if not isinstance(record, dict):
        raise ProtocolError("send the draft's record as a JSON object under 'record'")
    draft_yaml = yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=100)
    drafts = _store(request)
    draft = await run_in_threadpool(
        drafts.save, draft_id, draft_yaml, _revision(request, payload), who, _decisions(payload)
    )
    return JSONResponse(vars(draft), headers={"ETag": f'"{draft.revision}"'})


def _remove(record: dict[str, Any], pointers: list[str]) -> dict[str, Any]:
    """The record without the items at ``pointers`` (deepest and last first, so others keep their place)."""

    def key(pointer: str) -> list[Any]:
        return [int(p) if p.isdigit() else p for p in pointer.strip("/").split("/")]

    for pointer in sorted(pointers, key=key, reverse=True):
        *parents, last = key(pointer)
        node: Any = record
        try:
            for part in parents:
                node = node[part]
            del node[last]
        except (KeyError, IndexError, TypeError):
            continue
    return record


def publishable(drafts: DraftStore, draft_id: str, settings: Settings, reviewer: str) -> str:
    """The draft as the record to publish: rejected facts removed, every flag decided, stamped."""
    text = drafts.read(draft_id, drafts.text_name(draft_id))
    record = yaml.safe_load(drafts.read(draft_id, "draft.yaml") or "") or {}
    decisions = drafts.decisions(draft_id)
    undecided = [f for f in _facts_of(record, text, settings) if f["flags"] and f["pointer"] not in decisions]
    if undecided:
        raise RecordValidationError([_undecided(f) for f in undecided])
    rejected = [p for p, d in decisions.items() if d == "rejected"]
    record = _remove(record, rejected)
    draft_yaml = yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=100)
    return stamp_review(draft_yaml, reviewer, draft=f"{draft_id}/extracted.yaml")


def _first_source_file(data: dict[str, Any]) -> str | None:
    sources = data.get("sources")
    first = next(iter(sources.values()), None) if isinstance(sources, dict) and sources else None
    return first.get("file") if isinstance(first, dict) else None


def _undecided(fact: dict[str, Any]) -> Issue:
    return Issue("draft", None, fact["path"], "; ".join(fact["flags"]) + " (decide: accept, edit or reject)")


@router.post("/review/api/drafts/{draft_id}/publish")
async def publish(request: Request, draft_id: str) -> Response:
    """Publish the saved draft through the write path of PUT /cases/{id}; 422 lists every problem."""
    reviewer = _curator(request)
    payload = await _payload(request)
    settings = _settings(request)
    drafts = _store(request)
    draft = drafts.get(draft_id)
    if draft.revision != _revision(request, payload):
        raise DraftConflictError(f"draft {draft_id!r} changed since the revision you publish; reload it")
    if draft.status not in ("ready", "published"):
        raise ProtocolError(f"draft {draft_id!r} is {draft.status}; only an extracted draft can be published")
    stamped = publishable(drafts, draft_id, settings, reviewer)
    data = yaml.safe_load(stamped) or {}
    record_id = data.get("id")
    if not isinstance(record_id, str):
        raise RecordValidationError([Issue("draft", None, "id", "the record needs an id")])
    checked = settings
    if _first_source_file(data) == drafts.text_name(draft_id):  # quotes checked against the draft's own text
        checked = settings.model_copy(update={"corpus_dir": drafts.path(draft_id)})
    result = await run_in_threadpool(apply_record, checked, record_id, stamped)
    drafts.mark_published(draft_id, result.record_id, reviewer)
    body = {"record": result.record_id, "doi": result.doi, "replaced": result.replaced, "reviewer": reviewer}
    return JSONResponse(body, status_code=200 if result.replaced else 201)
