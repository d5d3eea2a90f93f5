"""Benchmark reasoning on synthetic cases: seconds and peak memory at 1,000 and 10,000 cases.

Run by hand (not part of the test suite)::

    .venv/bin/python benchmarks/reasoning.py                    # 1,000 and 10,000 cases
    .venv/bin/python benchmarks/reasoning.py --sizes 1000,50000 --workers 2 --json out.json

Each size runs in a fresh process, so peak memory is that size's own: the Python process's
peak resident set (and how much of it reasoning added on top of the records and their quads),
and the reasoner JVMs' (polled from /proc: the largest one, and all of them at once). Stages:
generating the records (metkg.synthetic), mapping them to quads (metkg.mapping), and reasoning
(metkg.reasoning.infer: rules and derived facts, classifying the ontology, consistency of
batches of cases). CPU seconds are given beside wall seconds: on a shared machine the wall
clock also counts other people's work.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any


def _rss_mb(pid: int | str, field: str = "VmRSS") -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class _JvmWatch(threading.Thread):
    """Polls the resident set of this process's child JVMs: the largest, and all at once."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.largest = 0.0
        self.together = 0.0
        self.done = threading.Event()

    def _children(self) -> list[str]:
        me = str(os.getpid())
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[1] == me:
                found.append(stat.parent.name)
        return found

    def run(self) -> None:
        while not self.done.wait(0.25):
            sizes = [_rss_mb(pid) for pid in self._children()]
            self.largest = max([self.largest, *sizes])
            self.together = max(self.together, sum(sizes))


def _run_one(size: int, seed: int, workers: int | None, reasoner: str) -> dict[str, Any]:
    from metkg.mapping import map_record
    from metkg.reasoning import infer
    from metkg.settings import Settings
    from metkg.synthetic import synthetic_records
    from metkg.terminology import load_terminology

    settings = Settings(reasoner=reasoner, corpus_dir=None)
    terms = load_terminology(settings.ontology_dir.resolve())
    clock, cpu = time.perf_counter(), time.process_time()
    records = list(synthetic_records(size, seed=seed, terms=terms))
    generated, generated_cpu = time.perf_counter() - clock, time.process_time() - cpu
    clock, cpu = time.perf_counter(), time.process_time()
    quads = [q for record in records for q in map_record(record, terms, settings.base_iri)]
    mapped, mapped_cpu = time.perf_counter() - clock, time.process_time() - cpu
    before = _rss_mb("self")
    watch = _JvmWatch()
    watch.start()
    clock, cpu = time.perf_counter(), time.process_time()
    inferred, summary = infer(records, quads, settings, workers=workers)
    reasoning = time.perf_counter() - clock
    watch.done.set()
    watch.join()
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
            "generate": round(generated_cpu, 2),
            "map": round(mapped_cpu, 2),
            "reason_python": round(time.process_time() - cpu, 2),
            "reason_jvms": round(children.ru_utime + children.ru_stime, 2),
        },
        "generate_records_per_cpu_second": round(size / max(generated_cpu, 1e-9)),
        "peak_rss_mb": {
            "python": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "python_added_by_reasoning": round(_rss_mb("self", "VmHWM") - before),
            "largest_jvm": round(watch.largest),
            "jvms_together": round(watch.together),
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
        s, mem, cpu = result["seconds"], result["peak_rss_mb"], result["cpu_seconds"]
        print(
            f"{size:>7,} cases ({result['specimens']:,} specimens): reasoning {s['reason']:.1f} s wall "
            f"(rules {s['reason.rules']:.1f}, ontology {s['reason.classify_ontology']:.1f}, "
            f"consistency {s['reason.consistency']:.1f} in {result['consistency_batches']} batches), "
            f"CPU python {cpu['reason_python']:.1f} s + JVMs {cpu['reason_jvms']:.1f} s; "
            f"peak RSS python {mem['python']} MB ({mem['python_added_by_reasoning']} MB added by reasoning), "
            f"largest JVM {mem['largest_jvm']} MB, JVMs together {mem['jvms_together']} MB; "
            f"generate {s['generate']:.1f} s ({result['generate_records_per_cpu_second']:,} records/CPU s), "
            f"map {s['map']:.1f} s; load {result['load_average'][0]:.1f}",
            flush=True,
        )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(results, out, indent=2)


if __name__ == "__main__":
    main()
