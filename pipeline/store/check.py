"""The store's own invariants, checked in portable SQL (``pipeline store check``).

The database's own check (SQLite's integrity and foreign key checks, PostgreSQL's catalog) is
the dialect's; these are what the pipeline's writes promise beyond it: every row's parent
exists, one current translation per segment and language, each translation's history ends in
the text it holds, every language code is the one code of its language. A process killed
mid-write must leave every one of them true.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pipeline.i18n import _
from pipeline.store.languages import language_problems

Execute = Callable[[str, Sequence[Any]], Any]

# (table, column, parent table): rows whose parent row does not exist.
PARENTS: tuple[tuple[str, str, str], ...] = (
    ("segments", "document_id", "documents"),
    ("translations", "segment_id", "segments"),
    ("revisions", "translation_id", "translations"),
    ("matches", "segment_id", "segments"),
    ("edit_conflicts", "segment_id", "segments"),
    ("exports", "document_id", "documents"),
    ("claims", "segment_id", "segments"),
)

# (table, key columns): keys that one row at most may hold.
UNIQUE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("documents", ("uri", "version")),
    ("segments", ("document_id", "paragraph", "sentence")),
    ("translations", ("segment_id", "target_lang")),
    ("memory", ("entry_key",)),
    ("glossary", ("entry_key",)),
    ("claims", ("segment_id", "target_lang")),
)

# Problems listed per check: a badly broken store still prints a readable answer.
SHOWN = 5


def invariant_problems(execute: Execute, tables: set[str]) -> list[str]:
    """Return one line per broken invariant of the store's rows (none when sound)."""
    problems: list[str] = []
    for table, column, parent in PARENTS:
        if table not in tables or parent not in tables:
            continue
        rows = execute(
            f"SELECT {column}, COUNT(*) FROM {table} WHERE {column} IS NULL OR {column} NOT IN"
            f" (SELECT id FROM {parent}) GROUP BY {column} ORDER BY {column}",
            (),
        ).fetchall()
        for value, count in rows[:SHOWN]:
            problems.append(
                _(
                    "{table}: {count} row(s) name {column} {value}, which {parent} does not hold"
                ).format(table=table, count=count, column=column, value=value, parent=parent)
            )
    for table, key in UNIQUE:
        if table not in tables:
            continue
        names = ", ".join(key)
        rows = execute(
            f"SELECT {names}, COUNT(*) FROM {table} GROUP BY {names} HAVING COUNT(*) > 1"
            f" ORDER BY {names}",
            (),
        ).fetchall()
        for row in rows[:SHOWN]:
            problems.append(
                _("{table}: {count} rows hold one key ({key}); one at most may").format(
                    table=table,
                    count=row[-1],
                    key=", ".join(f"{k}={v}" for k, v in zip(key, row[:-1], strict=True)),
                )
            )
    if {"translations", "revisions"} <= tables:
        problems.extend(_history_problems(execute))
    problems.extend(language_problems(execute, tables, SHOWN))
    return problems


def _history_problems(execute: Execute) -> list[str]:
    """Translations with no history, or whose newest revision is not the text they hold."""
    problems: list[str] = []
    rows = execute(
        "SELECT t.id, t.segment_id, t.target_lang FROM translations t WHERE NOT EXISTS"
        " (SELECT 1 FROM revisions r WHERE r.translation_id = t.id) ORDER BY t.id",
        (),
    ).fetchall()
    for tid, segment, lang in rows[:SHOWN]:
        problems.append(
            _("translations: translation {id} (segment {segment}, {lang}) has no revision").format(
                id=tid, segment=segment, lang=lang
            )
        )
    rows = execute(
        "SELECT t.id, t.segment_id, t.target_lang FROM translations t"
        " JOIN revisions r ON r.id = (SELECT MAX(id) FROM revisions WHERE translation_id = t.id)"
        " WHERE r.text <> t.text OR r.state <> t.state ORDER BY t.id",
        (),
    ).fetchall()
    for tid, segment, lang in rows[:SHOWN]:
        problems.append(
            _(
                "translations: translation {id} (segment {segment}, {lang}) differs from its "
                "newest revision"
            ).format(id=tid, segment=segment, lang=lang)
        )
    return problems
