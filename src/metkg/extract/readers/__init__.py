"""Readers: a case report file, whatever its format, as one normalised :class:`Document`.

The format is told by content (magic bytes, root element), never by file extension. Each
format is one module of this package with the same small interface:

- ``FORMAT``: the format's name (``"pdf"``);
- ``sniff(head: bytes) -> bool``: whether the first bytes of a file are in this format;
- ``read(data: bytes, name: str) -> Document``: the document, or an
  :class:`~metkg.errors.ExtractionError` naming the file, what is wrong and what to do.

:data:`READERS` lists them in the order they are asked; adding a format is adding a module and
its name there. Files no reader takes (empty, zip archives, other binary data) are refused here.

>>> read_bytes(b"A 62-year-old woman had scalp metastasis.", "a.txt").format
'text'
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from types import ModuleType

from metkg.errors import ExtractionError
from metkg.extract.readers.document import Cell, Document, Metadata, Reference, Table, TextBuilder, normalise
from metkg.extract.readers.plaintext import references_in

__all__ = [
    "READERS",
    "Cell",
    "Document",
    "Metadata",
    "Reference",
    "Table",
    "TextBuilder",
    "normalise",
    "read_bytes",
    "read_document",
    "reader_for",
]

#: Reader modules in the order they are asked (the first whose ``sniff`` accepts wins).
READERS = ("pdf", "html", "jats", "plaintext")

_FORMATS = "PDF, JATS XML (PMC, Europe PMC), an HTML article page or plain text"
_ARCHIVES = {
    b"PK\x03\x04": "a zip archive (or an Office document)",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
}


def _modules() -> list[ModuleType]:
    return [import_module(f"{__name__}.{name}") for name in READERS]


def reader_for(data: bytes, name: str) -> ModuleType:
    """The reader module for a file's content; refuse what no reader takes."""
    if not data.strip():
        raise ExtractionError(f"{name!r} is empty; give the full text of a case report ({_FORMATS})")
    for magic, what in _ARCHIVES.items():
        if data.startswith(magic):
            raise ExtractionError(f"{name!r} is {what}; unpack it and extract the files inside")
    head = data[:4096]
    for module in _modules():
        if module.sniff(head):
            return module
    raise ExtractionError(f"{name!r} is binary data in no format metkg reads; give {_FORMATS}")


def read_bytes(data: bytes, name: str) -> Document:
    """The normalised document of a file's bytes."""
    document = reader_for(data, name).read(data, name)
    if not document.references:
        document.references = references_in(document.text)
    return document


def read_document(path: Path) -> Document:
    """Read one case report file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExtractionError(f"cannot read {str(path)!r}: {exc.strerror or exc}; check the path") from None
    return read_bytes(data, path.name)
