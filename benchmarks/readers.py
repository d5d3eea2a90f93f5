"""Benchmark of `metkg extract` on PDFs: full texts per second, reading alone and read + extract.

Usage (by hand; needs reportlab from the test extra and ../shared/corpus):

    .venv/bin/python benchmarks/readers.py                    # 24 PDFs, 1 and 2 workers
    .venv/bin/python benchmarks/readers.py --copies 16 --workers 1,2

The corpus texts are rendered as two-column PDFs with a running header and footer, page numbers,
hyphenated line ends and a ruled table (tests/extract/readers/renderings.py), each ``--copies``
times under another name. Two figures per worker count: the PDF reader alone (text layer to
normalised text) and the whole batch as `metkg extract DIR -o OUT` runs it (read, extract, draft
the literature tables, write YAML), worker start-up and pipeline build included.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "extract" / "readers"))

from renderings import render_pdf  # noqa: E402

from metkg.extract import extract_files  # noqa: E402
from metkg.extract.readers import read_document  # noqa: E402
from metkg.settings import Settings  # noqa: E402


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the worker processes)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _render(corpus: Path, folder: Path, copies: int) -> list[Path]:
    made = []
    for source in sorted(corpus.glob("0*.txt")):
        first = render_pdf(source.read_text(encoding="utf-8"), folder / f"{source.stem}-0.pdf")
        made.append(first)
        for n in range(1, copies):
            made.append(Path(shutil.copy(first, folder / f"{source.stem}-{n}.pdf")))
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=8, help="PDFs made from each corpus text")
    parser.add_argument("--workers", default="1,2", help="worker counts to time, comma-separated")
    args = parser.parse_args(argv)
    settings = Settings()
    if settings.corpus_dir is None or not settings.corpus_dir.is_dir():
        print("no corpus directory: set METKG_CORPUS_DIR", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        pdfs = _render(settings.corpus_dir, Path(tmp), args.copies)
        pages = sum(len(read_document(p).page_starts) for p in pdfs[:: args.copies])
        print(f"{len(pdfs)} PDFs ({pages // max(1, len(pdfs) // args.copies)} pages on average)")
        t0, c0 = time.perf_counter(), time.process_time()
        for pdf in pdfs:
            read_document(pdf)
        reading, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"read only, 1 process: {len(pdfs) / reading:.1f} PDFs/s ({reading:.1f} s wall, {cpu:.1f} s CPU)")
        for workers in (int(w) for w in args.workers.split(",")):
            out = Path(tmp) / f"out-{workers}"
            t0, c0 = time.perf_counter(), _cpu()
            summary = extract_files(pdfs, out, settings.ontology_dir, workers=workers)
            seconds, cpu = time.perf_counter() - t0, _cpu() - c0
            assert not summary.failures, summary.failures
            print(
                f"read + extract, {workers} worker(s): {len(pdfs) / seconds:.2f} PDFs/s ({seconds:.1f} s wall, "
                f"{cpu:.1f} s CPU; {len(summary.written)} drafts, {summary.patients} patients)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
