"""One code per language in a store: the merge that migration 10 runs, and what check flags.

Stores written before languages were canonicalised (:func:`pipeline.locale.canonical_language`)
can hold one language under several codes (``my``, ``my_MM``, ``MY``, ``mya``). The merge
renames every such code to the canonical one, in every table, losing nothing:

- a segment translated under two codes of one language keeps one translation, the newest
  reviewed or final one (else the newest); every revision of the other joins its history,
  followed by a revision restating the kept text, so the history still ends in what it holds;
- memory and glossary entries get their new key; an entry then identical to one held is kept
  once (the one imported first);
- fuzzy matches and claims, which translate makes again, are dropped where the segment already
  has them under the canonical code; edit conflicts and the export log are renamed.

Each merged code is recorded in ``meta`` (key ``language merge CODE``: the code it became,
when, rows per table) and reported in one line.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from pipeline.glossary import ANY_LANGUAGE
from pipeline.i18n import _
from pipeline.locale import canonical_or_none
from pipeline.records import State

Execute = Callable[[str, Sequence[Any]], Any]

# Every (table, column) that holds a language code.
LANGUAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("documents", "source_lang"),
    ("translations", "target_lang"),
    ("memory", "source_lang"),
    ("memory", "target_lang"),
    ("matches", "target_lang"),
    ("glossary", "source_lang"),
    ("glossary", "target_lang"),
    ("edit_conflicts", "target_lang"),
    ("exports", "target_lang"),
    ("claims", "target_lang"),
)
# Tables whose rows are only renamed: nothing in them must be unique per language.
_RENAMED = ("documents", "edit_conflicts", "exports")
# Tables of suggestions translate makes again: a duplicate under the canonical code wins.
_REDONE = ("matches", "claims")
_APPROVED = (State.REVIEWED.value, State.FINAL.value)


def stored_codes(execute: Execute) -> set[str]:
    """Return every language code any table of the store holds."""
    codes: set[str] = set()
    for table, column in LANGUAGE_COLUMNS:
        rows = execute(f"SELECT DISTINCT {column} FROM {table}", ()).fetchall()
        codes.update(str(row[0]) for row in rows if row[0])
    return codes


def merge_languages(execute: Execute, stamp: str) -> list[str]:
    """Rename every non-canonical language code to its canonical one; return a line per code."""
    renames = {
        code: canonical
        for code in sorted(stored_codes(execute))
        if (canonical := canonical_or_none(code)) is not None and canonical != code
    }
    lines = []
    for old, new in renames.items():
        counts: Counter[str] = Counter()
        renamed, joined, moved = _merge_translations(execute, old, new, stamp)
        counts["translations"] = renamed + joined
        counts["memory"] = _rekey(execute, "memory", old, new, _memory_key)
        counts["glossary"] = _rekey(execute, "glossary", old, new, _glossary_key)
        for table in _REDONE:
            counts[table] = _rename_unique(execute, table, old, new)
        for table, column in LANGUAGE_COLUMNS:
            if table in _RENAMED:
                counts[table] += _rename(execute, table, column, old, new)
        record = {"into": new, "at": stamp, "rows": {t: n for t, n in counts.items() if n}}
        execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)",
            (f"language merge {old}", json.dumps(record, sort_keys=True)),
        )
        lines.append(_line(old, new, counts, joined, moved))
    return lines


def _line(old: str, new: str, counts: Counter[str], joined: int, moved: int) -> str:
    """Return the report of one merged code."""
    held = ", ".join(f"{table} {rows}" for table, rows in sorted(counts.items()) if rows)
    line = f"language code {old!r} merged into {new!r}: {held or 'no rows'}"
    if joined:
        line += (
            f" ({joined} segment(s) held both codes: one translation kept, {moved} revision(s)"
            " of the other moved into its history)"
        )
    return line


def _rename(execute: Execute, table: str, column: str, old: str, new: str) -> int:
    cursor = execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (new, old))
    return max(int(cursor.rowcount), 0)


def _rename_unique(execute: Execute, table: str, old: str, new: str) -> int:
    """Rename a suggestion table's rows, dropping those the segment holds under ``new``."""
    execute(
        f"DELETE FROM {table} WHERE target_lang = ? AND segment_id IN"
        f" (SELECT segment_id FROM {table} WHERE target_lang = ?)",
        (old, new),
    )
    return _rename(execute, table, "target_lang", old, new)


def _merge_translations(execute: Execute, old: str, new: str, stamp: str) -> tuple[int, int, int]:
    """Move translations from ``old`` to ``new``; return how many renamed, joined, revisions moved.

    Joined: the segment also had a translation under ``new``; one is kept, the other's
    revisions move into its history.
    """
    rows = execute(
        "SELECT o.id, n.id FROM translations o LEFT JOIN translations n"
        " ON n.segment_id = o.segment_id AND n.target_lang = ?"
        " WHERE o.target_lang = ? ORDER BY o.id",
        (new, old),
    ).fetchall()
    renamed = joined = moved = 0
    for old_id, new_id in rows:
        if new_id is None:
            _rename_translation(execute, old_id, new)
            renamed += 1
            continue
        keep, drop = sorted((old_id, new_id), key=lambda tid: _rank(execute, tid), reverse=True)
        cursor = execute(
            "UPDATE revisions SET translation_id = ? WHERE translation_id = ?", (keep, drop)
        )
        moved += max(int(cursor.rowcount), 0)
        execute("DELETE FROM translations WHERE id = ?", (drop,))
        if keep == old_id:
            _rename_translation(execute, keep, new)
        execute(
            "INSERT INTO revisions (translation_id, text, state, origin, signature, score,"
            " author, created_at, note, codes) SELECT id, text, state, origin, signature, score,"
            " author, ?, ?, codes FROM translations WHERE id = ?",
            (stamp, f"kept when language codes {old} and {new} were merged", keep),
        )
        joined += 1
    return renamed, joined, moved


def _rename_translation(execute: Execute, translation_id: int, new: str) -> None:
    execute("UPDATE translations SET target_lang = ? WHERE id = ?", (new, translation_id))


def _rank(execute: Execute, translation_id: int) -> tuple[bool, str, int]:
    """Return what makes a translation the one to keep: approved, then newest."""
    state, updated = execute(
        "SELECT state, updated_at FROM translations WHERE id = ?", (translation_id,)
    ).fetchone()
    return state in _APPROVED, str(updated), translation_id


def _rekey(
    execute: Execute, table: str, old: str, new: str, key: Callable[[Sequence[Any]], str]
) -> int:
    """Rename a keyed table's languages, keeping one entry where two become the same."""
    rows = execute(
        f"SELECT id, source_lang, target_lang, {_KEY_COLUMNS[table]} FROM {table}"
        " WHERE source_lang = ? OR target_lang = ? ORDER BY id",
        (old, old),
    ).fetchall()
    for row in rows:
        languages = [new if code == old else code for code in row[1:3]]
        entry_key = key([*languages, *row[3:]])
        held = execute(f"SELECT id FROM {table} WHERE entry_key = ?", (entry_key,)).fetchone()
        if held is not None and held[0] != row[0]:
            execute(f"DELETE FROM {table} WHERE id = ?", (row[0],))
            continue
        execute(
            f"UPDATE {table} SET source_lang = ?, target_lang = ?, entry_key = ? WHERE id = ?",
            (*languages, entry_key, row[0]),
        )
    return len(rows)


_KEY_COLUMNS = {
    "memory": "source, target, source_codes, target_codes",
    "glossary": "term, target, status, dnt",
}


def _memory_key(row: Sequence[Any]) -> str:
    """Return a memory row's entry_key, made as an import makes it."""
    from pipeline.inline import codes_from_json
    from pipeline.tm import MemoryEntry

    src, tgt, source, target, source_codes, target_codes = row
    codes = codes_from_json(json.loads(source_codes)), codes_from_json(json.loads(target_codes))
    return MemoryEntry(src, tgt, source, target, *codes).key


def _glossary_key(row: Sequence[Any]) -> str:
    """Return a glossary row's entry_key, made as an import makes it."""
    from pipeline.glossary import GlossaryEntry, TermStatus

    src, tgt, term, target, status, dnt = row
    return GlossaryEntry(src, tgt, term, target, TermStatus(status), bool(dnt)).key


def language_problems(execute: Execute, tables: set[str], shown: int) -> list[str]:
    """Return a line per stored language code that is not canonical (``store check``)."""
    problems: list[str] = []
    for table, column in LANGUAGE_COLUMNS:
        if table not in tables:
            continue
        rows = execute(
            f"SELECT {column}, COUNT(*) FROM {table} GROUP BY {column} ORDER BY {column}", ()
        ).fetchall()
        odd = [
            (code, count)
            for code, count in rows
            if code != ANY_LANGUAGE and canonical_or_none(str(code)) != code
        ]
        for code, count in odd[:shown]:
            canonical = canonical_or_none(str(code))
            if canonical:
                line = _("{table}: {count} row(s) hold {column} {code!r}, which is {canonical}")
            else:
                line = _("{table}: {count} row(s) hold {column} {code!r}, not a language code")
            problems.append(
                line.format(table=table, count=count, column=column, code=code, canonical=canonical)
            )
    return problems
