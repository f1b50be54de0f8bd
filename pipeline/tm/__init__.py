"""Translation memory brought from other tools, as read from their files and kept in the store.

An imported unit is memory, not a document: it never appears in an article or its status,
and translate offers its target where a pending segment's normalised source is the same.
Each unit keeps where it came from (file, ``tuid``, creation and change dates and users,
properties).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from pipeline.errors import InputError
from pipeline.inline import codes_to_json
from pipeline.records import Code, normalise

# The tokens a fuzzy score counts: numbers (one placeable each), words, punctuation marks.
TOKEN = re.compile(r"\d+(?:[.,:]\d+)*|\w+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class MemoryEntry:
    """One source and one target of an imported unit, with its provenance."""

    source_lang: str
    target_lang: str
    source: str
    target: str
    source_codes: tuple[Code, ...] = ()
    target_codes: tuple[Code, ...] = ()
    origin: str = ""  # the file it came from
    tuid: str | None = None
    created_at: str | None = None
    created_by: str | None = None
    changed_at: str | None = None
    changed_by: str | None = None
    props: Mapping[str, list[str]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Return what makes two entries the same memory: languages, texts and codes."""
        fields = [
            self.source_lang,
            self.target_lang,
            normalise(self.source),
            normalise(self.target),
            codes_to_json(self.source_codes),
            codes_to_json(self.target_codes),
        ]
        return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()


def language_tag(
    value: str | None, lang_map: Mapping[str, str] | None = None, source: str | None = None
) -> str | None:
    """Return the pipeline's code for a file's language tag (:func:`canonical_language`).

    ``--lang-map`` entries (``tag=code``) win, compared case-insensitively with ``_`` as ``-``.
    A tag of the ``source`` language in any region or script is the source's code: memory
    matches the documents' source language (en-US and en-GB are en beside --from en). A tag
    CLDR does not know comes back as its primary subtag, for the caller to refuse or map.

    >>> [language_tag(t) for t in ("en-US", "EN", "my-MM", "MYA", "hi_IN", "pt-BR")]
    ['en-US', 'en', 'my', 'my', 'hi', 'pt-BR']
    >>> [language_tag(t, source="en") for t in ("en-US", "en_GB", "my-MM")]
    ['en', 'en', 'my']
    >>> language_tag("zh-Hant-TW", {"zh-hant-tw": "zt"}), language_tag("xx-YY")
    ('zh-Hant', 'xx')
    >>> language_tag("*all*") is None
    True
    """
    from pipeline.errors import LanguageError
    from pipeline.locale import canonical_language

    if not value:
        return None
    tag = value.strip().replace("_", "-").lower()
    mapped = {k.replace("_", "-").lower(): v for k, v in (lang_map or {}).items()}
    primary = tag.split("-")[0]
    chosen = mapped.get(tag) or mapped.get(primary) or tag
    try:
        code = canonical_language(chosen)
    except LanguageError:
        if chosen != tag:
            raise  # a --lang-map code must be one the pipeline knows
        return primary if primary.isalpha() and 2 <= len(primary) <= 8 else None
    if source is not None and code.split("-")[0] == source.split("-")[0]:
        return source
    return code


def parse_lang_map(items: list[str]) -> dict[str, str]:
    """Return ``--lang-map`` items (``TAG=CODE``) as a mapping; raise InputError on a bad one."""
    found = {}
    for item in items:
        for part in filter(None, (p.strip() for p in item.split(","))):
            tag, sep, code = part.partition("=")
            if not sep or not tag.strip() or not code.strip():
                raise InputError(f"--lang-map takes TAG=CODE, not {part!r}")
            found[tag.strip()] = code.strip()
    return found
