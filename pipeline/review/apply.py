"""Check a reviewed file against the store, then write its edits as human revisions.

Every unit is checked before anything is written, and the writes are one transaction: an
import with a conflict writes nothing unless the caller asks to skip the conflicting units.
A unit whose text, inline codes and state match the store is left alone, so importing a file
twice is a no-op the second time. A target's codes must be its source's (moved is fine): their
tags and markup are taken from the stored segment, never from the file.

A state in the file counts only where it differs from the state the unit was exported with
(:func:`_exported`): an edited text whose state was merely carried back (``final`` the
pipeline wrote for a credit, ``translated`` from the machine, ``initial`` of a segment never
translated) is the reviewer's edit and takes the importer's edit state, ``reviewed`` unless
the caller says otherwise. Any language the pipeline knows is accepted, translated before or
not: the units' ids and sources tie them to the store.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from pipeline.errors import LanguageError, NotFoundError
from pipeline.glossary.cache import Glossaries
from pipeline.inline import CodeProblem, carried, pieces, places, with_markup
from pipeline.locale import parse_language
from pipeline.qa import TermCheck
from pipeline.qa import check as check_quality
from pipeline.records import (
    Code,
    Document,
    Flag,
    Origin,
    Revision,
    Segment,
    Severity,
    State,
    Translation,
    TranslationDraft,
    normalise,
)
from pipeline.review import ReviewFile, ReviewUnit, language_code
from pipeline.review.documents import document_name
from pipeline.review.errors import ReviewImportError
from pipeline.store.base import Store

__all__ = ["EDIT_STATES", "Conflict", "ImportReport", "Plan", "QAError", "check", "import_review"]

_UNIT_ID = re.compile(r"s(\d+)")
_APPROVED = (State.REVIEWED, State.FINAL)
# How a revision an import wrote begins its note: the import of a file with edits in it.
_NOTE = "review import"
# The states an edit whose file state was merely carried back may take.
EDIT_STATES = (State.REVIEWED, State.FINAL, State.TRANSLATED)


@dataclass(frozen=True)
class Conflict:
    """Why one unit of a reviewed file cannot be applied."""

    unit_id: str
    reason: str

    def __str__(self) -> str:
        # An id from outside may hold a line break: shown escaped, the conflict stays one line.
        shown = self.unit_id if self.unit_id.isprintable() else repr(self.unit_id)
        return f"{shown or '(no id)'}: {self.reason}"


@dataclass(frozen=True)
class QAError:
    """A QA error in a target an import applies: which unit, which language, what is wrong."""

    unit_id: str
    target_lang: str
    message: str

    def __str__(self) -> str:
        return f"{self.unit_id} ({self.target_lang}): {self.message}"


@dataclass(frozen=True)
class Plan:
    """What checking a reviewed file found: the revisions to write, and what stands in the way."""

    drafts: tuple[TranslationDraft, ...]
    unchanged: int
    conflicts: tuple[Conflict, ...]
    # Units holding an earlier revision than the store's (counted in unchanged): not applied.
    older: tuple[str, ...] = ()
    # Units whose target reading changed on its own (Zawgyi converted, zero-width characters
    # dropped), with what changed: said to the user, never done silently.
    repaired: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # QA errors in the targets the plan writes, one per flag.
    errors: tuple[QAError, ...] = ()


@dataclass(frozen=True)
class ImportReport:
    """What an import did; ``stopped`` means conflicts kept it from writing anything."""

    file: str
    applied: int
    unchanged: int
    conflicts: tuple[Conflict, ...] = ()
    stopped: bool = False
    older: tuple[str, ...] = ()
    repaired: tuple[tuple[str, tuple[str, ...]], ...] = ()
    errors: tuple[QAError, ...] = ()


def import_review(
    store: Store,
    review: ReviewFile,
    *,
    to: str | None = None,
    reviewer: str | None = None,
    skip_conflicts: bool = False,
    edit_state: State = State.REVIEWED,
) -> ImportReport:
    """Check every unit of a reviewed file, then write the edits in one transaction."""
    name = review.path.name
    with store.transaction():
        plan = check(store, review, to=to, reviewer=reviewer, edit_state=edit_state)
        if plan.conflicts and not skip_conflicts:
            return ImportReport(
                name, 0, plan.unchanged, plan.conflicts, stopped=True, older=plan.older
            )
        applied = store.write_translations(plan.drafts)
    return ImportReport(
        name,
        applied,
        plan.unchanged,
        plan.conflicts,
        older=plan.older,
        repaired=plan.repaired,
        errors=plan.errors,
    )


def check(
    store: Store,
    review: ReviewFile,
    *,
    to: str | None = None,
    reviewer: str | None = None,
    edit_state: State = State.REVIEWED,
) -> Plan:
    """Check each unit against the store and return the revisions it would write."""
    name = review.path.name
    if to is None and all(u.target_lang is None for u in review.units):
        raise ReviewImportError(f"{name}: the file names no target language; give it with --to")
    lookup = _Lookup(store)
    glossaries = Glossaries(store)
    units, changes = _normalised(review.units)
    if edit_state not in EDIT_STATES:
        raise ReviewImportError(f"an edit cannot be imported as {edit_state}")
    outcomes = [_check_unit(lookup, unit, to, edit_state) for unit in units]
    keys = Counter(o.key for o in outcomes if isinstance(o, _Edit | _Same))
    drafts: list[TranslationDraft] = []
    conflicts: list[Conflict] = []
    unchanged = 0
    older: list[str] = []
    errors: list[QAError] = []
    for unit, outcome in zip(units, outcomes, strict=True):
        if isinstance(outcome, Conflict):
            conflicts.append(outcome)
        elif keys[outcome.key] > 1:
            conflicts.append(Conflict(unit.unit_id, "the file has more than one unit for it"))
        elif isinstance(outcome, _Same):
            unchanged += 1
            if outcome.older:
                older.append(unit.unit_id)
        else:
            author = reviewer or unit.reviewer
            if not author:
                raise ReviewImportError(
                    f"{name}: the file names no reviewer; give one with --reviewer"
                )
            note = "; ".join([f"{_NOTE} {name}", *changes.get(unit.unit_id, ())])
            glossary = glossaries.get(outcome.source_lang, outcome.key[1])
            drafts.append(_draft(outcome, unit, author, note, glossary))
            errors += _errors(unit.unit_id, drafts[-1])
    blocked = {c.unit_id for c in conflicts}
    repaired = tuple((u, c) for u, c in changes.items() if u not in blocked)
    return Plan(tuple(drafts), unchanged, tuple(conflicts), tuple(older), repaired, tuple(errors))


def _errors(unit_id: str, draft: TranslationDraft) -> list[QAError]:
    """Return the QA errors of a draft, named by the unit that brought it."""
    return [
        QAError(unit_id, draft.target_lang, _said(flag))
        for flag in draft.flags
        if flag.severity is Severity.ERROR
    ]


def _said(flag: Flag) -> str:
    """Return a flag as one line: its check, then its message."""
    return f"{flag.check}: {flag.message}"


def _normalised(
    units: Sequence[ReviewUnit],
) -> tuple[list[ReviewUnit], dict[str, tuple[str, ...]]]:
    """Return the units with targets in NFC Unicode (Zawgyi converted) and what changed."""
    result: list[ReviewUnit] = []
    changes: dict[str, tuple[str, ...]] = {}
    for unit in units:
        if unit.target:
            text, codes, changed = _normal_target(unit.target, unit.target_codes, unit.target_lang)
            if text != unit.target:
                unit = replace(unit, target=text, target_codes=codes)
                changes[unit.unit_id] = changed
        result.append(unit)
    return result, changes


def _normal_target(
    target: str, codes: Sequence[Code], lang: str | None
) -> tuple[str, tuple[Code, ...], tuple[str, ...]]:
    """Normalise a target run by run between its codes, so each code keeps its place.

    Whether the text is Zawgyi is decided on the whole target: a short run alone is too
    little to tell, and a misjudged run would be converted or left wrongly.
    """
    from pipeline.burmese import has_myanmar, normalise_burmese, normalise_text

    whole = normalise_text(target, lang or "")
    if not codes or whole.text == target:
        return whole.text, tuple(codes), whole.changes
    threshold = -1.0 if whole.converted else 2.0  # convert every run, or none
    text: list[str] = []
    moved: list[Code] = []
    for piece in pieces(target, codes):
        if isinstance(piece, Code):
            moved.append(piece.moved(sum(map(len, text))))
            continue
        burmese = has_myanmar(piece)
        fixed = normalise_burmese(piece, threshold) if burmese else normalise_text(piece, "")
        text.append(fixed.text)
    return "".join(text), tuple(moved), whole.changes


@dataclass(frozen=True)
class _Same:
    """A unit with nothing to write: as stored, or with no target to import.

    ``older``: the unit holds an earlier revision of the stored translation (the file was
    exported before someone, at the desk say, saved newer work): the newer work is kept.
    """

    key: tuple[int, str]
    older: bool = False


@dataclass(frozen=True)
class _Edit:
    """A unit that changes the translation of a segment in a language."""

    key: tuple[int, str]
    stored: Translation | None
    source: str
    source_lang: str
    state: State
    codes: tuple[Code, ...] = ()
    source_codes: tuple[Code, ...] = ()


def _check_unit(
    lookup: _Lookup, unit: ReviewUnit, to: str | None, edit_state: State
) -> Conflict | _Same | _Edit:
    """Return the first conflict a unit has with the store, or what it would change."""

    def conflict(reason: str) -> Conflict:
        return Conflict(unit.unit_id, reason)

    if unit.problem:
        return conflict(unit.problem)
    segment = lookup.segment(unit.unit_id)
    if segment is None:
        origin = f" (the file is from {unit.document})" if unit.document else ""
        return conflict(f"unknown unit id: no such segment in the store{origin}")
    document = lookup.document(segment.document_id)
    lang = _language(lookup, unit, to, document)
    if isinstance(lang, Conflict):
        return lang
    if normalise(unit.source) != normalise(segment.source):
        elsewhere = _elsewhere(unit, document)
        if elsewhere:
            return conflict(f"source differs from the stored source; {elsewhere}")
        return conflict("source differs from the stored source (article changed since export)")
    current = lookup.current(segment, document)
    if current is None:
        return conflict("article changed since export: the segment is gone from its new version")
    key = (current.id, lang)
    if unit.target is None or not unit.target.strip():
        if unit.state in _APPROVED:
            return conflict(f"empty target marked {unit.state}")
        return _Same(key)
    return _compared(lookup, unit, (segment, current), lang, document.source_lang, edit_state)


def _elsewhere(unit: ReviewUnit, document: Document) -> str:
    """Return why a unit is from another document or store, or "" when nothing says so.

    >>> doc = Document(5, "/news/b.md", "b", "en", "md", "", 1, "", "")
    >>> unit = ReviewUnit("s1", "x", None, State.INITIAL, document="/news/a.md (document 3)")
    >>> _elsewhere(unit, doc)
    'the file is from /news/a.md (document 3), not /news/b.md (document 5)'
    >>> _elsewhere(replace(unit, document="document 5"), doc)
    ''
    """
    ours = document_name(document.uri, document.id)
    if unit.document in ("", ours, document_name(None, document.id)):
        return ""
    return f"the file is from {unit.document}, not {ours}"


def _compared(
    lookup: _Lookup,
    unit: ReviewUnit,
    segments: tuple[Segment, Segment],
    lang: str,
    source_lang: str,
    edit_state: State,
) -> Conflict | _Same | _Edit:
    """Return a unit's edit against the stored translation, or why its codes are wrong."""
    segment, current = segments
    key = (current.id, lang)
    stored = lookup.translation(current, lang)
    if stored is not None and _unchanged(stored, unit):
        return _Same(key)
    try:
        codes = with_markup(unit.target_codes, segment.codes)
    except CodeProblem as exc:
        return Conflict(unit.unit_id, f"inline codes do not match the source: {exc}")
    state = _state(lookup, replace(unit, target_codes=codes), segment, lang, edit_state)
    if state is None:
        return _Same(key)  # marked not translated: left as it is
    if current.id != segment.id:
        codes = carried(
            codes, segment.codes, current.codes, current.source, unit.target or ""
        ).codes
    unit = replace(unit, target_codes=codes, state=state)
    history = lookup.revisions(stored.id) if stored is not None else []
    if stored is not None and _same(stored, unit):
        return _Same(key)
    if any(_same(r, unit) for r in history):
        return _Same(key, older=True)
    pseudo = stored is not None and stored.is_pseudo and stored.text == unit.target
    if pseudo and state in _APPROVED:
        return Conflict(unit.unit_id, f"pseudo-translation marked {state} without a human edit")
    return _Edit(key, stored, current.source, source_lang, state, codes, current.codes)


def _unchanged(stored: Translation, unit: ReviewUnit) -> bool:
    """Return whether a unit leaves the stored translation as it is.

    A target confirmed in a tool with no approval (OmegaT) may be the stored text in another
    state: unchanged machine output is approved below, but approved text stays as it is in
    its state, since OmegaT inserts the reviewed work the export put in ``tm/auto`` itself.
    """
    if unit.confirmed:
        return stored.state in _APPROVED and _same_text(stored, unit)
    return _same(stored, unit)


def _exported(
    history: Sequence[Revision], unit: ReviewUnit, exported_at: str | None
) -> Revision | None:
    """Return the revision a unit was exported from (None: the segment was not translated).

    A target found in the history was exported holding its first revision, unless an import
    wrote that one: then the file was exported from the revision before, and a second import
    of the file sees the same base as the first. A new target was exported from the revision
    current at the document's last export in this language, or, with no export logged (a
    file made elsewhere), from the newest one.
    """
    for i, revision in enumerate(history):
        if _same_text(revision, unit):
            if not revision.note.startswith(_NOTE):
                return revision
            return history[i - 1] if i else None
    if exported_at is not None:
        before = [r for r in history if r.created_at <= exported_at]
        return before[-1] if before else None
    return history[-1] if history else None


def _state(
    lookup: _Lookup, unit: ReviewUnit, segment: Segment, lang: str, edit_state: State
) -> State | None:
    """Return the state a unit's target takes, or None for a target marked not translated.

    The file's state is a person's only where it differs from the exported one; an edited
    target whose state was carried back, or that the file gave no state, is the reviewer's
    edit, in the edit state, and so is a target the translator confirmed in a tool with no
    approval (OmegaT), edited or not. The base is read from the segment the file was
    exported from (an older version's, when the article changed since), with the unit's
    codes placed in that segment.
    """
    if unit.confirmed:
        return edit_state
    exported_from = lookup.translation(segment, lang)
    history = lookup.revisions(exported_from.id) if exported_from is not None else []
    base = _exported(history, unit, lookup.exported_at(segment.document_id, lang))
    exported = base.state if base is not None else State.INITIAL
    edited = base is None or not _same_text(base, unit)
    if edited and (unit.state is exported or not unit.state_given):
        return edit_state
    if unit.state is State.INITIAL:
        return None
    return unit.state


def _same(stored: Translation | Revision, unit: ReviewUnit) -> bool:
    """Return whether a unit holds the stored translation: text, state and codes' places."""
    return stored.state is unit.state and _same_text(stored, unit)


def _same_text(stored: Translation | Revision, unit: ReviewUnit) -> bool:
    """Return whether a unit's target is a stored text, its codes in the same places."""
    return stored.text == unit.target and places(stored.codes) == places(unit.target_codes)


def _language(
    lookup: _Lookup, unit: ReviewUnit, to: str | None, document: Document
) -> str | Conflict:
    """Return the store's code for a unit's target language, or why it is the wrong one."""
    exported = lookup.languages(document.id)
    named = unit.target_lang or to
    if named is None:
        return Conflict(unit.unit_id, "no target language in the file; give it with --to")
    lang = _known(named, exported)
    if lang is None:
        return Conflict(unit.unit_id, f"unknown target language {named!r}")
    if to is not None and unit.target_lang is not None and _known(to, exported) != lang:
        return Conflict(
            unit.unit_id, f"target language {unit.target_lang} in the file, not --to {to}"
        )
    return lang


def _known(tag: str, translated: Sequence[str]) -> str | None:
    """Return the store's code for a language tag, or None for a language nobody knows.

    A language the document has no translation into yet is fine (a translator working
    without the machine): the units' ids and sources tie the file to the store.
    """
    try:
        lang = _match(tag, translated)
        if lang not in translated:
            parse_language(lang)
    except LanguageError:
        return None
    return lang


def _match(tag: str, known: Sequence[str]) -> str:
    """Return the store's code for a tag: a known one as spelled, else its canonical code.

    >>> _match("my_MM", ["hi", "my"]), _match("pt_BR", ["pt-BR"]), _match("MYA", [])
    ('my', 'pt-BR', 'my')
    """
    wanted = tag.strip()
    if wanted in known:
        return wanted
    return language_code(wanted) or wanted


def _draft(
    edit: _Edit, unit: ReviewUnit, author: str, note: str, glossary: TermCheck | None = None
) -> TranslationDraft:
    """Return the human revision for an edit; an approval of unchanged text keeps its signature."""
    segment_id, lang = edit.key
    stored = edit.stored
    same_codes = stored is not None and places(stored.codes) == places(edit.codes)
    kept = stored if stored is not None and stored.text == unit.target and same_codes else None
    target = unit.target or ""
    return TranslationDraft(
        segment_id=segment_id,
        target_lang=lang,
        text=target,
        state=edit.state,
        origin=Origin.HUMAN,
        signature=kept.signature if kept else None,
        score=kept.score if kept else None,
        author=author,
        note=note,
        flags=kept.flags
        if kept
        else check_quality(
            edit.source,
            target,
            edit.source_lang,
            lang,
            source_codes=edit.source_codes,
            target_codes=edit.codes,
            terms=glossary,
        ),
        codes=edit.codes,
    )


@dataclass
class _Lookup:
    """Cached reads of the store for one import."""

    store: Store
    _documents: dict[int, Document] = field(default_factory=dict)
    _latest: dict[str, Document] | None = None
    _segments: dict[int, list[Segment]] = field(default_factory=dict)
    _languages: dict[int, list[str]] = field(default_factory=dict)
    _translations: dict[tuple[int, str], dict[int, Translation]] = field(default_factory=dict)
    _exports: dict[tuple[int, str], str | None] = field(default_factory=dict)
    _revisions: dict[int, list[Revision]] = field(default_factory=dict)

    def segment(self, unit_id: str) -> Segment | None:
        """Return the segment a unit id names, or None."""
        from pipeline.store.base import row_id

        found = _UNIT_ID.fullmatch(unit_id.strip())
        # A file is outside input: s99999999999999999999 or s١ name no segment, like s999.
        number = row_id(found.group(1)) if found is not None else None
        if number is None:
            return None
        try:
            return self.store.segment(number)
        except NotFoundError:
            return None

    def document(self, document_id: int) -> Document:
        """Return a document version by id."""
        if document_id not in self._documents:
            self._documents[document_id] = self.store.document(str(document_id))
        return self._documents[document_id]

    def languages(self, document_id: int) -> list[str]:
        """Return the languages a document version has translations into."""
        if document_id not in self._languages:
            self._languages[document_id] = self.store.target_languages(document_id)
        return self._languages[document_id]

    def current(self, segment: Segment, document: Document) -> Segment | None:
        """Return the segment of the latest version with this segment's source, or None."""
        if self._latest is None:
            self._latest = {d.uri: d for d in self.store.documents()}
        latest = self._latest.get(document.uri, document)
        if latest.id == document.id:
            return segment
        if latest.id not in self._segments:
            self._segments[latest.id] = self.store.segments(latest.id)
        same = [s for s in self._segments[latest.id] if s.source_hash == segment.source_hash]
        for candidate in same:
            if (candidate.paragraph, candidate.sentence) == (segment.paragraph, segment.sentence):
                return candidate
        return same[0] if same else None

    def exported_at(self, document_id: int, lang: str) -> str | None:
        """Return when a document version was last exported in a language (ISO), or None."""
        key = (document_id, lang)
        if key not in self._exports:
            self._exports[key] = self.store.last_export(document_id, lang)
        return self._exports[key]

    def revisions(self, translation_id: int) -> list[Revision]:
        """Return a translation's history (read only for units that differ from the store)."""
        if translation_id not in self._revisions:
            self._revisions[translation_id] = self.store.revisions(translation_id)
        return self._revisions[translation_id]

    def translation(self, segment: Segment, lang: str) -> Translation | None:
        """Return a segment's stored translation into a language, or None."""
        key = (segment.document_id, lang)
        if key not in self._translations:
            self._translations[key] = self.store.translations(segment.document_id, lang)
        return self._translations[key].get(segment.id)
