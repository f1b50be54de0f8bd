"""Find glossary terms in a text, and check that a translation uses the approved ones.

A term matches where the text, in comparison form, holds it on a boundary at both ends:

- Comparison form: NFC, whitespace runs as one space, soft hyphens and zero-width
  characters (ZWSP, ZWNJ, ZWJ, word joiner, BOM) ignored. NFC decomposes the composition
  exclusions, so Devanagari ``ज़`` written as U+095B and as ``ज`` + nukta U+093C are one
  spelling. Spans are offsets in the original text.
- Case: compared through :meth:`str.casefold`, except for an acronym (two or more letters,
  all capitals: ``NLD``, ``UN``, ``U.S.``) or with ``case_sensitive=True``: then as written.
- Boundaries: a word boundary, where word characters are letters, digits, ``_`` and
  combining marks (Devanagari vowel signs): ``मिज़ोरम`` is not found in ``मिज़ोरमके`` and is
  in ``मिज़ोरम में``; an apostrophe is not a word character (``Naypyitaw's``). For Burmese
  (the language ``my`` or a term in Myanmar script), inside Myanmar script the boundaries
  are the syllable starts of :func:`syllable_bounds`, and a change between Myanmar and other
  script is a boundary too (``COVID-19ကာကွယ်ဆေး``).

A :class:`Glossary` finds all its terms in one pass: each term is indexed by its first unit
(the text from its start to its first boundary: a word, a syllable, a sign), and at each
boundary of a text only the terms whose first unit is the text's unit there are compared.
Overlapping matches go to the longest ("Aung San Suu Kyi" over "Aung San").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from pipeline.glossary import GlossaryEntry, TermStatus
from pipeline.glossary.form import Form, Text, comparison_form, is_myanmar, starts_syllable
from pipeline.marks import stream_safe
from pipeline.records import Flag, Severity

Action = Literal["keep", "replace", "ambiguous", "none"]


def syllable_bounds(text: str) -> set[int]:
    """Return the offsets where a syllable of a Burmese text may begin, with 0 and len(text).

    The rule is Ye Kyaw Thu's Sylbreak: a syllable begins before a consonant, an independent
    vowel, a digit or a punctuation mark, or before and after any non-Myanmar character,
    but not before a consonant that an asat (U+103A, or U+1037 U+103A) kills or a virama
    (U+1039) stacks, nor before a consonant stacked under a virama.

    >>> def syllables(text):
    ...     cuts = sorted(syllable_bounds(text))
    ...     return "|".join(text[a:b] for a, b in zip(cuts, cuts[1:]))
    >>> syllables("နေပြည်တော်"), syllables("အောင်ဆန်းစုကြည်"), syllables("မန္တလေး")
    ('နေ|ပြည်|တော်', 'အောင်|ဆန်း|စု|ကြည်', 'မန္တ|လေး')
    >>> syllables("အင်္ဂလိပ် NLD ပါတီ။")
    'အင်္ဂ|လိပ်| |N|L|D| |ပါ|တီ|။'
    """
    bounds = {0, len(text)}
    for i, ch in enumerate(text):
        if not is_myanmar(ch):
            bounds.update((i, i + 1))
        elif starts_syllable(text, i):
            bounds.add(i)
    return bounds


def is_acronym(term: str) -> bool:
    """Return whether a term is an acronym: two or more letters, all capitals.

    >>> [is_acronym(t) for t in ("NLD", "U.S.", "UN", "Police", "A", "COVID-19", "နေပြည်တော်")]
    [True, True, True, False, False, True, False]
    """
    letters = [ch for ch in term if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


def _is_burmese(lang: str, term: str) -> bool:
    return lang.split("-")[0].lower() == "my" or any(map(is_myanmar, term))


def _find(text: Text, term: str, lang: str, case_sensitive: bool | None) -> list[tuple[int, int]]:
    sensitive = is_acronym(term) if case_sensitive is None else case_sensitive
    burmese = _is_burmese(lang, term)
    wanted = comparison_form(term.strip(), not sensitive, burmese).text
    form = text.form(not sensitive, burmese)
    spans = []
    at = form.text.find(wanted) if wanted else -1
    while at >= 0:
        end = at + len(wanted)
        if at in form.bounds and end in form.bounds:
            spans.append((form.starts[at], form.ends[end]))
            at = form.text.find(wanted, end)
        else:
            at = form.text.find(wanted, at + 1)
    return spans


def find_term(
    text: str, term: str, lang: str, *, case_sensitive: bool | None = None
) -> list[tuple[int, int]]:
    """Return the non-overlapping spans of a term in a text (rules: the module docstring).

    >>> find_term("Naypyitaw's police and the POLICE", "Police", "en")
    [(12, 18), (27, 33)]
    >>> find_term("nld and NLD", "NLD", "en"), find_term("ပြည်", "ပြ", "my")
    ([(8, 11)], [])
    >>> find_term("နေပြည်တော်တွင်", "နေပြည်တော်", "my")
    [(0, 10)]
    """
    return _find(Text(text), term, lang, case_sensitive)


_Key = tuple[bool, str]  # (case-sensitive, comparison form)
T = TypeVar("T")


def _longest(spans: Iterable[tuple[int, int, T]]) -> list[tuple[int, int, T]]:
    """Return the spans that no longer (or earlier, equal) span overlaps, in text order.

    The offsets taken are marked in a bytearray: a look-up costs the span's length in C,
    where comparing each span with all those taken was quadratic in the number of hits.

    Spans are never empty (a term has characters).

    >>> _longest([(0, 2, "a"), (1, 5, "b"), (5, 7, "c"), (6, 7, "d"), (0, 1, "e")])
    [(0, 1, 'e'), (1, 5, 'b'), (5, 7, 'c')]
    """
    ordered = sorted(spans, key=lambda s: (s[0] - s[1], s[0]))
    taken: list[tuple[int, int, T]] = []
    used = bytearray(max((s[1] for s in ordered), default=0) + 1)
    for span in ordered:
        start, end = span[0], span[1]
        if used.find(1, start, end) < 0:
            taken.append(span)
            used[start:end] = b"\x01" * (end - start)
    return sorted(taken, key=lambda s: s[0])


def _prefix(form: Form, i: int) -> tuple[str, str | None]:
    """Return the text of the unit at cut ``i`` and through the next non-space unit (or None)."""
    cuts, last = form.cuts, len(form.cuts) - 1
    one = form.text[cuts[i] : cuts[i + 1]]
    j = i + 1
    if j < last and form.text[cuts[j]] == " ":
        j += 1
    return one, form.text[cuts[i] : cuts[j + 1]] if j < last else None


class _Index:
    """Terms found in a text in one pass: each is indexed by its first two units (or one).

    At each boundary of a text, only the terms whose first units are the text's units there
    are compared. A term and a text it matches have the same boundaries inside the match,
    so the units agree.
    """

    def __init__(self, terms: Sequence[str], burmese: bool) -> None:
        self.burmese = burmese
        self._first: dict[_Key, list[str]] = defaultdict(list)
        self.keys: list[_Key] = []  # each term's key, in the order given
        seen: set[_Key] = set()
        for term in terms:
            sensitive = is_acronym(term)
            form = comparison_form(term.strip(), not sensitive, burmese)
            key = (sensitive, form.text)
            self.keys.append(key)
            if form.text and key not in seen:
                seen.add(key)
                one, two = _prefix(form, 0)
                self._first[(sensitive, two or one)].append(form.text)
        for bucket in self._first.values():
            bucket.sort(key=len, reverse=True)
        self._modes = sorted({key[0] for key in self._first})

    def find(self, text: Text) -> list[tuple[int, int, _Key]]:
        """Return the terms found in a text: (start, end, key), longest first where they overlap."""
        found = []
        for sensitive in self._modes:
            form = text.form(not sensitive, self.burmese)
            for i, a in enumerate(form.cuts[:-1]):
                if form.text[a] == " ":
                    continue
                for prefix in _prefix(form, i):
                    for wanted in self._first.get((sensitive, prefix), ()) if prefix else ():
                        end = a + len(wanted)
                        if end in form.bounds and form.text.startswith(wanted, a):
                            found.append((form.starts[a], form.ends[end], (sensitive, wanted)))
        return _longest(found)


@dataclass(frozen=True)
class TermHit:
    """A glossary term found in a source text, and what the glossary says to do with it.

    ``targets`` are the approved targets, preferred ones first; ``preferred`` those of them
    that are preferred (empty: treat all as preferred).

    >>> TermHit(0, 9, "Naypyitaw", "Naypyitaw", ("နေပြည်တော်",)).replacement
    'နေပြည်တော်'
    >>> TermHit(0, 2, "US", "US", ("အမေရိကန်", "ယူအက်စ်"), preferred=("အမေရိကန်",)).action
    'replace'
    """

    start: int
    end: int
    text: str
    term: str
    targets: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()
    dnt: bool = False
    notes: tuple[str, ...] = ()
    preferred: tuple[str, ...] = ()

    @property
    def action(self) -> Action:
        """Return what to do: keep (dnt), replace (one target to use), ambiguous or none."""
        if self.dnt:
            return "keep"
        chosen = self.preferred or self.targets
        if len(chosen) == 1:
            return "replace"
        return "ambiguous" if chosen else "none"

    @property
    def replacement(self) -> str | None:
        """Return the text to put in the translation: the target, the source kept, or None."""
        if self.action == "keep":
            return self.text
        if self.action == "replace":
            return (self.preferred or self.targets)[0]
        return None


@dataclass
class _Term:
    """The entries of one source term (as compared), merged."""

    term: str
    preferred: list[str] = field(default_factory=list)
    admitted: list[str] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dnt: bool = False

    def add(self, entry: GlossaryEntry, target_lang: str) -> None:
        self.dnt = self.dnt or entry.dnt
        if entry.note and entry.note not in self.notes:
            self.notes.append(entry.note)
        if entry.target_lang != target_lang or not entry.target.strip():
            return
        kind = {
            TermStatus.PREFERRED: self.preferred,
            TermStatus.ADMITTED: self.admitted,
            TermStatus.FORBIDDEN: self.forbidden,
        }[entry.status]
        target = " ".join(entry.target.split())
        if target not in kind:
            kind.append(target)

    @property
    def approved(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.preferred + self.admitted))


class Glossary:
    """A language pair's glossary: its terms found in sources, translations checked for them.

    Entries of other language pairs are left out, but a do-not-translate entry holds for
    every target language. Building indexes each source term, and each target term for the
    forbidden-term check, by its first unit (see the module docstring): finding terms costs
    a look-up per boundary of the text, not a comparison per term.
    """

    def __init__(
        self, entries: Iterable[GlossaryEntry], source_lang: str, target_lang: str
    ) -> None:
        self.source_lang, self.target_lang = source_lang, target_lang
        kept = [
            e
            for e in entries
            if e.source_lang == source_lang
            and (e.target_lang == target_lang or e.dnt)
            and e.term.strip()
        ]
        terms = [e.term for e in kept]
        self._source = _Index(terms, _is_burmese(source_lang, "".join(terms)))
        self._terms: dict[_Key, _Term] = {}
        for entry, key in zip(kept, self._source.keys, strict=True):
            self._terms.setdefault(key, _Term(" ".join(entry.term.split()))).add(entry, target_lang)
        own = [
            (e, key)
            for e, key in zip(kept, self._source.keys, strict=True)
            if e.target_lang == target_lang and e.target.strip()
        ]
        targets = [e.target for e, _ in own]
        self._target = _Index(targets, _is_burmese(target_lang, "".join(targets)))
        self._forbidden = self._forbidden_messages(own)

    def _forbidden_messages(self, own: list[tuple[GlossaryEntry, _Key]]) -> dict[_Key, str]:
        """Return the error of each forbidden target, naming what its concept approves."""
        approved = {k for (e, _), k in zip(own, self._target.keys, strict=True) if e.approved}
        by_concept: dict[tuple[str, str], list[GlossaryEntry]] = defaultdict(list)
        for entry, _ in own:
            if entry.approved and entry.concept:
                by_concept[(entry.origin, entry.concept)].append(entry)
        messages = {}
        for (entry, source_key), key in zip(own, self._target.keys, strict=True):
            if entry.status is not TermStatus.FORBIDDEN or key in approved or key in messages:
                continue
            same = sorted(by_concept.get((entry.origin, entry.concept), []), key=_rank)
            use = tuple(dict.fromkeys(e.target for e in same)) or self._terms[source_key].approved
            target = " ".join(entry.target.split())
            message = f"forbidden term {target!r} in the translation"
            messages[key] = message + (f" (use {' or '.join(use)})" if use else "")
        return messages

    def __len__(self) -> int:
        """Return the number of source terms."""
        return len(self._terms)

    def hits(self, source: str) -> list[TermHit]:
        """Return the terms found in a source text, in text order, longest where they overlap.

        >>> g = Glossary([GlossaryEntry("en", "my", "Aung San", "အောင်ဆန်း"),
        ...               GlossaryEntry("en", "my", "Aung San Suu Kyi", "အောင်ဆန်းစုကြည်")],
        ...              "en", "my")
        >>> [(h.text, h.replacement) for h in g.hits("Aung San Suu Kyi, daughter of Aung San")]
        [('Aung San Suu Kyi', 'အောင်ဆန်းစုကြည်'), ('Aung San', 'အောင်ဆန်း')]
        """
        return [self._hit(source, a, b, key) for a, b, key in self._source.find(Text(source))]

    def _hit(self, source: str, start: int, end: int, key: _Key) -> TermHit:
        term = self._terms[key]
        return TermHit(
            start,
            end,
            source[start:end],
            term.term,
            term.approved,
            tuple(term.forbidden),
            term.dnt,
            tuple(term.notes),
            tuple(term.preferred),
        )

    def check(self, source: str, target: str) -> list[Flag]:
        """Return the ``terms`` flags of a translation: approved terms missing, forbidden used.

        >>> g = Glossary([GlossaryEntry("en", "hi", "police", "पुलिस"),
        ...               GlossaryEntry("en", "hi", "police", "पोलिस", TermStatus.FORBIDDEN)],
        ...              "en", "hi")
        >>> for flag in g.check("The police came.", "पोलिस आई।"): print(flag.message)
        term 'police': expected पुलिस in the translation
        forbidden term 'पोलिस' in the translation (use पुलिस)
        """
        # Runs of marks bounded (the flags hold no offsets): normalising a run is quadratic.
        source, target = stream_safe(source), stream_safe(target)
        text = Text(target)
        found: dict[str, list[TermHit]] = defaultdict(list)
        for hit in self.hits(source):
            found[hit.term].append(hit)
        flags = [flag for hits in found.values() if (flag := self._missing(text, hits))]
        for _, _, key in self._target.find(text):
            message = self._forbidden.get(key)
            if message and all(flag.message != message for flag in flags):
                flags.append(Flag("terms", Severity.ERROR, message))
        return flags

    def _missing(self, target: Text, hits: list[TermHit]) -> Flag | None:
        """Return a warning when the translation has fewer approved targets than the source."""
        hit = hits[0]
        shown: tuple[str, ...]
        if hit.action == "none":
            return None
        if hit.action == "keep":
            expected = tuple(dict.fromkeys([hit.term, *(h.text for h in hits)]))
            shown, sensitive = (hit.term,), True
        else:
            expected, shown, sensitive = hit.targets, hit.targets, None
        spans = _longest(
            (a, b, wanted)
            for wanted in expected
            for a, b in _find(target, wanted, self.target_lang, sensitive)
        )
        if len(spans) >= len(hits):
            return None
        message = f"term {hit.term!r}: expected {' or '.join(shown)} in the translation"
        if spans:
            message += f" ({len(spans)} of {len(hits)})"
        return Flag("terms", Severity.WARNING, message)


def _rank(entry: GlossaryEntry) -> int:
    return 0 if entry.status is TermStatus.PREFERRED else 1
