"""What a glossary file's fields mean, the same for TBX and tables: status, dnt, languages.

- Status: ``deprecated``, ``superseded``, ``forbidden`` and ``notRecommended`` (with or
  without TBX's ``Term-admn-sts`` suffix) are forbidden; ``admitted`` is admitted; anything
  else, and no status at all, is preferred.
- Do-not-translate: a text saying "do not translate" (any spacing or hyphens, e.g. TBX's
  ``doNotTranslate``) or the word "DNT"; in a table, a dnt cell saying yes, true, 1, x or y.
- Languages: a BCP 47 tag's canonical code (:func:`pipeline.tm.language_tag`), the source
  language's in any region (en-US is en beside --from en). A placeholder
  (``xx``, as translate-toolkit's ``csv2tbx`` writes, ``und``, ``x-…``, or no tag at all)
  is the ``--to`` language, and an error without one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from pipeline.errors import InputError
from pipeline.glossary import TermStatus
from pipeline.tm import language_tag

_FORBIDDEN = ("deprecated", "superseded", "forbidden", "notrecommended")
_DNT = re.compile(r"\bdo[\s_-]*not[\s_-]*translate\b|\bdnt\b", re.IGNORECASE)
_PLACEHOLDERS = {"xx", "und", "zxx", "mul"}
_YES = {"yes", "y", "true", "1", "x"}


def term_status(value: str | None) -> TermStatus:
    """Return the status an administrative status value names.

    >>> values = ("deprecatedTerm-admn-sts", "admitted", "", "notRecommended", "supersededTerm")
    >>> [term_status(v).value for v in values]
    ['forbidden', 'admitted', 'preferred', 'forbidden', 'forbidden']
    """
    letters = re.sub(r"[^a-z]", "", (value or "").lower())
    if letters.startswith(_FORBIDDEN):
        return TermStatus.FORBIDDEN
    if letters.startswith("admitted"):
        return TermStatus.ADMITTED
    return TermStatus.PREFERRED


def says_dnt(text: str | None) -> bool:
    """Return whether a note or data category says the term is not to be translated.

    >>> [says_dnt(t) for t in ("Do not translate", "doNotTranslate", "DNT: brand", "dental")]
    [True, True, True, False]
    """
    return bool(text) and _DNT.search(text or "") is not None


def is_yes(cell: str | None) -> bool:
    """Return whether a table cell says yes.

    >>> [is_yes(c) for c in ("Yes", " x ", "1", "no", "")]
    [True, True, True, False, False]
    """
    return (cell or "").strip().lower() in _YES


def usable_language(
    value: str | None, lang_map: Mapping[str, str] | None = None, source: str | None = None
) -> str | None:
    """Return the pipeline code of a language tag, or None for a placeholder or a bad tag.

    >>> [usable_language(v) for v in ("my-MM", "xx", "x-private", "und", None, "HI", "mya")]
    ['my', None, None, None, None, 'hi', 'my']
    """
    code = language_tag(value, lang_map, source)
    return None if code is None or code in _PLACEHOLDERS else code


def target_language(
    path: Path,
    value: str | None,
    target_lang: str | None,
    lang_map: Mapping[str, str] | None,
    where: str,
    source: str | None = None,
) -> str:
    """Return a target language tag's code, ``target_lang`` for a placeholder, or raise."""
    code = usable_language(value, lang_map, source)
    if code is not None:
        return code
    if target_lang is not None:
        return target_lang
    shown = repr(value) if value else "no language"
    raise InputError(f"{path}: {where} has {shown}, not a usable language code; give --to")
