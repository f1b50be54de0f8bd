"""Read a glossary file of any supported kind as entries: TBX (2, Basic, v3) or CSV/TSV.

The kind is told by suffix, then by content: ``.tbx``/``.xml`` or text starting with ``<``
is TBX (:mod:`pipeline.glossary.tbx`); ``.csv`` is comma-separated, ``.tsv``/``.tab`` tab-
separated, and a ``.txt`` (or any other) file is a table split at tabs when its first line
has one, else at commas (:mod:`pipeline.glossary.table`). Every input that cannot be read
raises :class:`~pipeline.errors.InputError` with one line naming the file.

Languages are the primary subtags of the file's tags (``en-US`` is ``en``, ``--lang-map``
first). A placeholder language (``xx``, as translate-toolkit's ``csv2tbx`` writes it) is
``target_lang``; with ``target_lang`` only that language's terms are kept, without it every
language but the source.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pipeline import xmlsafe
from pipeline.errors import InputError
from pipeline.glossary import GlossaryEntry
from pipeline.inputs import RefusedFileError
from pipeline.locale import canonical_language

TABLE_SUFFIXES = {".csv": ",", ".tsv": "\t", ".tab": "\t"}
XML_SUFFIXES = {".tbx", ".xml"}


def read_glossary(
    path: Path,
    source_lang: str = "en",
    target_lang: str | None = None,
    lang_map: Mapping[str, str] | None = None,
) -> list[GlossaryEntry]:
    """Return the entries of a glossary file, its kind told by suffix and content."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    source_lang = canonical_language(source_lang)
    target_lang = canonical_language(target_lang) if target_lang else None
    try:
        data = xmlsafe.read_whole(path)  # read whole, whatever the format
    except RefusedFileError as exc:
        raise InputError(f"{path}: {exc}") from None
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    suffix = path.suffix.lower()
    head = data[:4096].removeprefix(b"\xef\xbb\xbf").lstrip()
    if suffix in XML_SUFFIXES or (suffix not in TABLE_SUFFIXES and head.startswith(b"<")):
        from pipeline.glossary.tbx import read_tbx

        return read_tbx(path, source_lang, target_lang, lang_map)
    from pipeline.glossary.table import read_table

    text = _utf8(path, data)
    return read_table(path, text, _delimiter(suffix, text), source_lang, target_lang, lang_map)


def _utf8(path: Path, data: bytes) -> str:
    """Return a table's text: UTF-8, a byte order mark dropped."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _delimiter(suffix: str, text: str) -> str:
    """Return a table's delimiter: by suffix, else a tab when the first line has one.

    >>> _delimiter(".txt", "en\\tmy\\n"), _delimiter(".txt", "en,my\\n"), _delimiter(".tsv", "")
    ('\\t', ',', '\\t')
    """
    if suffix in TABLE_SUFFIXES:
        return TABLE_SUFFIXES[suffix]
    first = text.split("\n", 1)[0]
    return "\t" if "\t" in first else ","
