"""A short run of the load test (benchmarks/load.py): 10 clients for 5 s, zero errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from metkg.settings import PROJECT_ROOT, Settings


def test_ten_clients_for_five_seconds_without_errors(robust_settings: Settings) -> None:
    command = [
        sys.executable,
        str(PROJECT_ROOT / "benchmarks" / "load.py"),
        *("--clients", "10", "--seconds", "5", "--store", str(Path(robust_settings.store)), "--json"),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert report["overall"]["errors"] == 0, report["error_samples"]
    assert report["overall"]["requests"] >= 50, report
    assert all(figures["requests"] > 0 for figures in report["by_kind"].values()), report["by_kind"]
    assert report["targets"]["named"] >= 8 and report["targets"]["resources"] >= 10, report["targets"]
