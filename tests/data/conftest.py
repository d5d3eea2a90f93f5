"""Fixtures of the per-report tests: each module names its record file as ``RECORD``."""

from __future__ import annotations

import pytest

from metkg.records.loader import load_record


@pytest.fixture(scope="module")
def loaded(request: pytest.FixtureRequest):
    """The module's record (``RECORD``), loaded and type-checked."""
    return load_record(request.module.RECORD)


@pytest.fixture(scope="module")
def patient(loaded):
    """The record's only patient."""
    assert len(loaded.record.patients) == 1
    return loaded.record.patients[0]
