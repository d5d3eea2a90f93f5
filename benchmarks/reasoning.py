"""Benchmark reasoning on synthetic cases: seconds and peak memory at 1,000 and 10,000 cases.

Run by hand (not part of the test suite)::

    .venv/bin/python benchmarks/reasoning.py                    # 1,000 and 10,000 cases
    .venv/bin/python benchmarks/reasoning.py --sizes 1000,50000 --workers 2 --json out.json

Each size runs in a fresh process, so peak memory is that size's own: the Python process's
peak resident set, and the largest reasoner JVM's. Stages: generating the records
(metkg.synthetic), mapping them to quads (metkg.mapping), and reasoning (metkg.reasoning.infer:
rules and derived facts, classifying the ontology, consistency of batches of cases).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from typing import Any


def _run_one(size: int, seed: int, workers: int | None, reasoner: str) -> dict[str, Any]:
    from metkg.mapping import map_record
    from metkg.reasoning import infer
    from metkg.settings import Settings
    from metkg.synthetic import synthetic_records
    from metkg.terminology import load_terminology

    settings = Settings(reasoner=reasoner, corpus_dir=None)
    terms = load_terminology(settings.ontology_dir.resolve())
    clock = time.perf_counter()
    records = list(synthetic_records(size, seed=seed, terms=terms))
    generated = time.perf_counter() - clock
    clock = time.perf_counter()
    quads = [q for record in records for q in map_record(record, terms, settings.base_iri)]
    mapped = time.perf_counter() - clock
    clock = time.perf_counter()
    cpu = time.process_time()
    inferred, summary = infer(records, quads, settings, workers=workers)
    reasoning = time.perf_counter() - clock
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    specimens = sum(len(p.specimens) for r in records for p in r.patients)
    return {
        "cases": size,
        "specimens": specimens,
        "case_quads": len(quads),
        "inferred_quads": len(inferred),
        "seconds": {
            "generate": round(generated, 2),
            "map": round(mapped, 2),
            "reason": round(reasoning, 2),
            **{f"reason.{k}": v for k, v in summary["seconds"].items()},
        },
        "cpu_seconds": {
            "python": round(time.process_time() - cpu, 2),
            "reasoner_jvms": round(children.ru_utime + children.ru_stime, 2),
        },
        "peak_rss_mb": {
            "python": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "largest_jvm": round(children.ru_maxrss / 1024),
        },
        "consistency_batches": summary["consistency_batches"],
        "workers": workers or "default",
        "reasoner": summary["reasoner"],
        "derived": summary["derived"],
        "load_average": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated numbers of cases")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None, help="reasoner processes (default: CPUs, at most 4)")
    parser.add_argument("--reasoner", default="hermit", choices=("hermit", "pellet"))
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_run_one(args.one, args.seed, args.workers, args.reasoner)))
        return
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        command = [sys.executable, __file__, "--one", str(size), "--seed", str(args.seed), "--reasoner", args.reasoner]
        if args.workers:
            command += ["--workers", str(args.workers)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.exit(f"{size} cases failed:\n{done.stderr[-3000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        results.append(result)
        s, mem = result["seconds"], result["peak_rss_mb"]
        print(
            f"{size:>7,} cases ({result['specimens']:,} specimens): reasoning {s['reason']:.1f} s "
            f"(rules {s['reason.rules']:.1f}, ontology {s['reason.classify_ontology']:.1f}, "
            f"consistency {s['reason.consistency']:.1f} in {result['consistency_batches']} batches); "
            f"generate {s['generate']:.1f} s, map {s['map']:.1f} s; "
            f"peak RSS python {mem['python']} MB, largest JVM {mem['largest_jvm']} MB; "
            f"JVM CPU {result['cpu_seconds']['reasoner_jvms']:.0f} s; load {result['load_average'][0]:.1f}",
            flush=True,
        )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(results, out, indent=2)


if __name__ == "__main__":
    main()
