"""Benchmark of `metkg extract`: reports per second and peak memory on the case-report corpus.

Usage:

    .venv/bin/python benchmarks/extraction.py                 # the corpus, 5 rounds
    .venv/bin/python benchmarks/extraction.py --rounds 20 DIR # any directory of *.txt reports

The pipeline is built once (its cost is reported apart); each round extracts every report
and renders its YAML. Peak memory is the process's maximum resident set size
(resource.getrusage) and the Python heap peak during extraction (tracemalloc).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

from metkg.extract import extract_text, record_yaml
from metkg.extract.pipeline import get_pipeline
from metkg.settings import Settings


def _rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 1024 / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=None, help="directory of *.txt reports")
    parser.add_argument("--rounds", type=int, default=5, help="times each report is extracted")
    args = parser.parse_args(argv)
    settings = Settings()
    corpus = args.corpus or settings.corpus_dir
    if corpus is None or not corpus.is_dir():
        print("no corpus directory: give one, or set METKG_CORPUS_DIR", file=sys.stderr)
        return 2
    reports = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(corpus.glob("*.txt"))]
    if not reports:
        print(f"no *.txt reports in {corpus}", file=sys.stderr)
        return 2

    t0 = time.perf_counter()
    get_pipeline(settings.ontology_dir)
    build_seconds = time.perf_counter() - t0
    rss_after_build = _rss_mb()

    per_report: dict[str, list[float]] = {name: [] for name, _ in reports}
    t0 = time.perf_counter()
    for _ in range(args.rounds):
        for name, text in reports:
            t = time.perf_counter()
            record_yaml(extract_text(text, name, settings.ontology_dir))
            per_report[name].append(time.perf_counter() - t)
    total = time.perf_counter() - t0

    # Heap peak in a separate round: tracemalloc slows Python down several times over.
    tracemalloc.start()
    for name, text in reports:
        record_yaml(extract_text(text, name, settings.ontology_dir))
    _, heap_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    n = args.rounds * len(reports)
    chars = sum(len(text) for _, text in reports) * args.rounds
    print(f"{'report':<34}{'chars':>8}{'median s':>10}")
    for name, text in reports:
        print(f"{name:<34}{len(text):>8}{statistics.median(per_report[name]):>10.3f}")
    print()
    print(f"{'pipeline build (once)':<34}{build_seconds:>8.2f} s")
    print(f"{'reports extracted':<34}{n:>8}")
    print(f"{'reports per second':<34}{n / total:>8.2f}")
    print(f"{'characters per second':<34}{chars / total:>8.0f}")
    print(f"{'peak RSS after pipeline build':<34}{rss_after_build:>8.0f} MB")
    print(f"{'peak RSS overall':<34}{_rss_mb():>8.0f} MB")
    print(f"{'peak Python heap while extracting':<34}{heap_peak / 2**20:>8.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
