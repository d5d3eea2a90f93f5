"""The devset score: extraction of real reports it has never been tuned on, scored by the devset's
own scorer (``../shared/devset/score.py``) through ``benchmarks/devset.py``; skipped without it.

Where the extraction reaches issue 13's targets (micro-F1 0.85, biomarker results 0.80, drugs
0.80, conversions 0.80) the threshold is the target; elsewhere it is the figure reached less a
small margin (sites: 0.75 against a target of 0.85), so that a change that loses ground fails
here. A precision floor keeps a change from buying recall with false facts.
"""

from __future__ import annotations

import importlib.util
from types import ModuleType

import pytest

from metkg.settings import PROJECT_ROOT, Settings

DEVSET = PROJECT_ROOT.parent / "shared" / "devset"
#: Minimum F1 per field group of the devset scorer (``micro``: over all groups).
MIN_F1 = {
    "micro": 0.85,
    "markers": 0.80,
    "marker_values": 0.80,
    "sites": 0.73,
    "drugs": 0.80,
    "patient": 0.93,
    "primary": 0.85,
    "conversions": 0.80,
}
MIN_MICRO_PRECISION = 0.88
#: Scores are ratios of small counts (6 of 8 conversions is 0.8 exactly): compared with a tolerance.
_TOLERANCE = 1e-9

pytestmark = pytest.mark.slow


def _benchmark() -> ModuleType:
    path = PROJECT_ROOT / "benchmarks" / "devset.py"
    spec = importlib.util.spec_from_file_location("devset_benchmark", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def scores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    for needed in ("reports", "gold", "score.py"):
        if not (DEVSET / needed).exists():
            pytest.skip(f"../shared/devset/{needed} is not present")
    bench = _benchmark()
    out = tmp_path_factory.mktemp("devset")
    assert bench.extract_reports(DEVSET / "reports", out, Settings()) > 0
    found, _ = bench.devset_scores(DEVSET / "score.py", DEVSET / "gold", out)
    return found


@pytest.mark.parametrize("group", list(MIN_F1))
def test_devset_f1_holds(scores: dict[str, dict], group: str) -> None:
    got = scores[group]
    assert got["f1"] >= MIN_F1[group] - _TOLERANCE, f"{group}: F1 {got['f1']:.3f} < {MIN_F1[group]} ({got})"


def test_devset_precision_holds(scores: dict[str, dict]) -> None:
    precision = scores["micro"]["precision"]
    assert precision >= MIN_MICRO_PRECISION, f"micro precision {precision:.3f} < {MIN_MICRO_PRECISION}"
