"""OWL reasoning and derived facts: inferred types and materialised comparisons.

Everything this package produces goes into the ``inferred`` named graph.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pyoxigraph import Quad

from metkg.records.models import CaseRecord
from metkg.settings import Settings

__all__ = ["infer"]


def infer(
    records: Sequence[CaseRecord],
    case_quads: Sequence[Quad],
    settings: Settings,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[list[Quad], dict[str, Any]]:
    """Inferred and derived quads for the ``inferred`` graph, and a summary of the run."""
    return [], {"reasoner": None}
