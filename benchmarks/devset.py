"""Extraction measured on real case reports: the devset score, or robustness and speed on a bulk folder.

Usage:

    .venv/bin/python benchmarks/devset.py ../shared/devset/reports OUT_DIR
    .venv/bin/python benchmarks/devset.py --bulk ../shared/bulk/pmc-oa-fulltext [--limit 200]

The first form extracts every report of REPORTS_DIR (the text after its header lines, without the
``=== Excerpt n (...) ===`` marker lines) and writes ``OUT_DIR/<stem>.json`` in the devset gold
schema (:mod:`metkg.records.summary`); when a ``gold/`` folder stands beside REPORTS_DIR it then
prints the table of the devset's ``score.py`` (``--errors`` adds its list of misses).

``--bulk DIR`` extracts every text of DIR (and its subfolders) and reports failures, reports per
second, the p95 seconds per report and the peak memory; ``--workers N`` runs N processes.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from metkg.extract import extract_text
from metkg.reasoning import record_conversions
from metkg.records.summary import summarise
from metkg.settings import Settings
from metkg.terminology import load_terminology

_HEADER = re.compile(r"\A(?:[A-Z][A-Z ]+:[^\n]*\n)+\n")
_EXCERPT = re.compile(r"^=== Excerpt \d+ \([^)]*\) ===[ \t]*\n?", re.MULTILINE)


def report_text(raw: str) -> str:
    """The article text of a devset or bulk file: header lines and excerpt markers removed."""
    return _EXCERPT.sub("", _HEADER.sub("", raw, count=1))


def _extract_one(path: Path, settings: Settings) -> dict:
    """The devset summary of one report, with the receptor conversions the build derives from the draft."""
    terms = load_terminology(settings.ontology_dir)
    record = extract_text(report_text(path.read_text(encoding="utf-8")), path.name, settings.ontology_dir)
    return summarise(record, terms, conversions=record_conversions(record, terms, settings))


def extract_reports(reports: Path, out: Path, settings: Settings) -> int:
    """Write ``out/<stem>.json`` (the devset gold schema) for every report of ``reports``; return the count."""
    out.mkdir(parents=True, exist_ok=True)
    paths = sorted(reports.glob("*.txt"))
    for path in paths:
        flat = _extract_one(path, settings)
        (out / f"{path.stem}.json").write_text(json.dumps(flat, indent=2, ensure_ascii=False), encoding="utf-8")
    return len(paths)


def score(reports: Path, out: Path, errors: bool) -> int:
    t0 = time.perf_counter()
    count = extract_reports(reports, out, Settings())
    print(f"{count} reports extracted in {time.perf_counter() - t0:.1f} s into {out}", file=sys.stderr)
    gold = reports.parent / "gold"
    scorer = reports.parent / "score.py"
    if not gold.is_dir() or not scorer.is_file():
        return 0
    scores, misses = devset_scores(scorer, gold, out)
    print(score_table(scores))
    if errors:
        print("\n".join(misses))
    return 0


def devset_scores(scorer: Path, gold: Path, predictions: Path) -> tuple[dict[str, dict], list[str]]:
    """The devset's own scorer run on ``predictions``, with a ``micro`` row over all groups."""
    spec = importlib.util.spec_from_file_location("devset_score", scorer)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    result = module.score(gold, predictions)
    scores = dict(result["scores"])
    tp, fp, fn = (sum(v[k] for v in scores.values()) for k in ("tp", "fp", "fn"))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    scores["micro"] = {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}
    return scores, result["errors"]


def score_table(scores: dict[str, dict]) -> str:
    """The scores as a Markdown table."""
    lines = ["| field group | precision | recall | F1 | tp | fp | fn |", "|---|---:|---:|---:|---:|---:|---:|"]
    for group, v in scores.items():
        figures = f"{v['precision']:.2f} | {v['recall']:.2f} | {v['f1']:.2f} | {v['tp']} | {v['fp']} | {v['fn']}"
        lines.append(f"| {group} | {figures} |")
    return "\n".join(lines)


def _timed(args: tuple[Path, Path]) -> tuple[str, float, str | None]:
    path, ontology_dir = args
    t = time.perf_counter()
    try:
        extract_text(report_text(path.read_text(encoding="utf-8", errors="replace")), path.name, ontology_dir)
    except Exception as exc:
        return path.name, time.perf_counter() - t, f"{type(exc).__name__}: {exc}"
    return path.name, time.perf_counter() - t, None


def _warm(ontology_dir: Path) -> None:
    extract_text("A 50-year-old woman.", "warm.txt", ontology_dir)


def bulk(folder: Path, workers: int, limit: int | None) -> int:
    settings = Settings()
    paths = sorted(p for p in folder.rglob("*.txt") if p.name != "README.txt")[:limit]
    if not paths:
        print(f"no *.txt texts under {folder}", file=sys.stderr)
        return 2
    jobs = [(p, settings.ontology_dir) for p in paths]
    t0 = time.perf_counter()
    if workers > 1:
        with ProcessPoolExecutor(workers, initializer=_warm, initargs=(settings.ontology_dir,)) as pool:
            t0 = time.perf_counter()
            results = list(pool.map(_timed, jobs, chunksize=4))
    else:
        _warm(settings.ontology_dir)
        t0 = time.perf_counter()
        results = [_timed(job) for job in jobs]
    wall = time.perf_counter() - t0
    seconds = sorted(s for _, s, _ in results)
    p95 = seconds[min(len(seconds) - 1, int(0.95 * len(seconds)))]
    failures = [(name, err) for name, _, err in results if err]
    slow = [(name, s) for name, s, _ in results if s > 10]
    peak = resource.getrusage(resource.RUSAGE_CHILDREN if workers > 1 else resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"texts: {len(paths)}  failures: {len(failures)}  over 10 s: {len(slow)}")
    print(f"reports/s: {len(paths) / wall:.2f} ({workers} worker(s), {wall:.1f} s)", end="  ")
    print(f"p95: {p95:.2f} s  max: {seconds[-1]:.2f} s")
    print(f"peak memory (largest process): {peak:.0f} MB")
    for name, err in failures[:20]:
        print(f"  FAILED {name}: {err}")
    for name, s in slow[:20]:
        print(f"  SLOW {name}: {s:.1f} s")
    return 1 if failures or slow else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", type=Path, nargs="?", help="folder of devset reports (*.txt)")
    parser.add_argument("out", type=Path, nargs="?", help="folder for the <stem>.json predictions")
    parser.add_argument("--errors", action="store_true", help="list every miss and false fact")
    parser.add_argument("--bulk", type=Path, help="robustness and speed over every text of a folder")
    parser.add_argument("--workers", type=int, default=1, help="worker processes for --bulk")
    parser.add_argument("--limit", type=int, default=None, help="only the first N texts of --bulk")
    args = parser.parse_args(argv)
    if args.bulk is not None:
        return bulk(args.bulk, args.workers, args.limit)
    if args.reports is None or args.out is None:
        parser.error("give REPORTS_DIR and OUT_DIR, or --bulk DIR")
    return score(args.reports, args.out, args.errors)


if __name__ == "__main__":
    sys.exit(main())
