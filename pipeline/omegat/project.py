"""An OmegaT project folder made from the store: what a translator opens, and nothing to set.

``pipeline export --format omegat --to LANG -o DIR`` writes, for one target language:

- ``omegat.project``: source and target language, sentence segmentation off (each unit is
  one of our segments already, a sentence or a heading, cell or caption);
- ``omegat/filters.xml``: tags at a segment's edges kept in the segment (``removeTags``
  false), spaces kept, so every code of a unit is one of OmegaT's tags and goes back;
- ``source/<document stem>.xlf``: each document as XLIFF 1.2 (:mod:`pipeline.omegat.source`);
- ``tm/auto/pipeline-reviewed.tmx``: the store's reviewed and final translations of these
  segments, and imported memory whose source is a segment's, as OmegaT holds memory (level 1,
  its tags as text): OmegaT inserts them when the project opens;
- ``tm/mt/pipeline-mt.tmx``: translated drafts (machine output, memory drafts), which OmegaT
  shows as matches and never inserts; pseudo-translations are written nowhere;
- ``glossary/pipeline.txt``: the language's glossary terms, OmegaT's tab-separated UTF-8;
- ``README.txt`` for the translator, and ``omegat/pipeline-export.json`` saying which
  documents, versions and files the export wrote (it marks the folder as ours, so a later
  export may write over it).

This module says what each file holds; :func:`pipeline.export.export` writes them, all
renamed into place together.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from pipeline import __version__
from pipeline.formats import Counted, ExportOptions, one_line, write_chunks
from pipeline.formats.errors import ExportError
from pipeline.omegat.source import generate_source
from pipeline.records import Code, Document, State, Unit
from pipeline.store.base import Store
from pipeline.tm import MemoryEntry

__all__ = [
    "FOLDERS",
    "MARKER",
    "ProjectFile",
    "check_folder",
    "project_files",
    "source_names",
]

MARKER = "omegat/pipeline-export.json"
REVIEWED_TMX = "tm/auto/pipeline-reviewed.tmx"
MT_TMX = "tm/mt/pipeline-mt.tmx"
GLOSSARY = "glossary/pipeline.txt"
# OmegaT's project layout; it makes none of these itself when a folder is missing.
FOLDERS = ("source", "target", "tm/auto", "tm/mt", "glossary", "dictionary", "omegat")
# Edge tags kept in segments; the filters are OmegaT's defaults (none listed: all enabled).
FILTERS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<filters removeTags="false" removeSpacesNonseg="false" preserveSpaces="true"'
    ' ignoreFileContext="false"></filters>\n'
)
PUBLISHED = (State.REVIEWED, State.FINAL)


@dataclass(frozen=True)
class ProjectFile:
    """One file of a project: its path in the folder, what it counts, how to write it."""

    path: str
    # What write's count counts: "units", "entries", "terms"; "" for a settings file.
    kind: str
    write: Callable[[BinaryIO], int]


def check_folder(folder: Path) -> None:
    """Raise ExportError unless folder is new, empty, or a project an export wrote."""
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"cannot write an OmegaT project to {folder}: it is a file")
    if folder.is_dir() and any(folder.iterdir()) and not (folder / MARKER).is_file():
        raise ExportError(
            f"{folder} is not empty and not an OmegaT project pipeline wrote;"
            " choose a new or empty folder"
        )


def source_names(documents: Sequence[Document]) -> dict[int, str]:
    """Return each document's source file name, ``<stem>.xlf`` (``-d<id>`` when stems clash).

    >>> from pipeline.records import Document
    >>> docs = [Document(i, u, "", "en", "md", "", 1, "", "") for i, u in
    ...         ((1, "a/news.md"), (2, "b/news.html"), (3, "c.txt"))]
    >>> source_names(docs)
    {1: 'news-d1.xlf', 2: 'news-d2.xlf', 3: 'c.xlf'}
    """
    stems = [Path(doc.uri).stem or "document" for doc in documents]
    return {
        doc.id: f"{stem}-d{doc.id}.xlf" if stems.count(stem) > 1 else f"{stem}.xlf"
        for doc, stem in zip(documents, stems, strict=True)
    }


def project_files(
    store: Store, documents: Sequence[Document], lang: str, options: ExportOptions
) -> list[ProjectFile]:
    """Return the files of one language's project, settings first."""
    source_lang = _source_language(documents)
    names = source_names(documents)
    files = [
        ProjectFile("omegat.project", "", _text(project_settings(source_lang, lang))),
        ProjectFile("omegat/filters.xml", "", _text(FILTERS)),
        ProjectFile("README.txt", "", _text(readme(documents, lang, names))),
        ProjectFile(MARKER, "", _text(marker(documents, lang, names, options))),
    ]
    for doc in documents:
        files.append(
            ProjectFile(f"source/{names[doc.id]}", "units", _source(store, doc, lang, options))
        )
    files += [
        ProjectFile(
            REVIEWED_TMX, "entries", _memory(source_lang, reviewed_entries(store, documents, lang))
        ),
        ProjectFile(MT_TMX, "entries", _memory(source_lang, draft_entries(store, documents, lang))),
        ProjectFile(GLOSSARY, "terms", _glossary(store, source_lang, lang)),
    ]
    return files


def _source_language(documents: Sequence[Document]) -> str:
    """Return the documents' one source language, or raise ExportError."""
    langs = sorted({doc.source_lang for doc in documents})
    if len(langs) != 1:
        raise ExportError(
            f"an OmegaT project has one source language; these documents have {', '.join(langs)}:"
            " export them separately"
        )
    return langs[0]


def _text(text: str) -> Callable[[BinaryIO], int]:
    """Return a writer of a fixed UTF-8 text (it counts nothing)."""

    def write(out: BinaryIO) -> int:
        out.write(text.encode("utf-8"))
        return 0

    return write


def _source(
    store: Store, doc: Document, lang: str, options: ExportOptions
) -> Callable[[BinaryIO], int]:
    """Return the writer of a document's source file; it counts the units."""

    def write(out: BinaryIO) -> int:
        units = Counted(store.units([doc.id], [lang]))
        write_chunks(generate_source(doc, units, lang, options.created_at), out)
        return units.count

    return write


def _memory(source_lang: str, entries: Iterable[MemoryEntry]) -> Callable[[BinaryIO], int]:
    """Return the writer of an OmegaT memory file; it counts the entries written."""

    def write(out: BinaryIO) -> int:
        from pipeline.tm.tmx_write import write_omegat_memory

        return write_omegat_memory(entries, out, source_lang).entries

    return write


def _glossary(store: Store, source_lang: str, lang: str) -> Callable[[BinaryIO], int]:
    """Return the writer of the glossary file; it counts the lines."""

    def write(out: BinaryIO) -> int:
        lines = glossary_lines(store, source_lang, lang)
        out.write("".join(line + "\n" for line in lines).encode("utf-8"))
        return len(lines)

    return write


def project_settings(source_lang: str, lang: str) -> str:
    """Return ``omegat.project``: languages, sentence segmentation off, OmegaT's folders.

    Tokenizers are left out: OmegaT chooses each language's own when it opens the project.
    """
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<omegat>
    <project version="1.0">
        <source_dir>__DEFAULT__</source_dir>
        <source_dir_excludes/>
        <target_dir>__DEFAULT__</target_dir>
        <tm_dir>__DEFAULT__</tm_dir>
        <glossary_dir>__DEFAULT__</glossary_dir>
        <glossary_file>__DEFAULT__</glossary_file>
        <dictionary_dir>__DEFAULT__</dictionary_dir>
        <source_lang>{source_lang}</source_lang>
        <target_lang>{lang}</target_lang>
        <sentence_seg>false</sentence_seg>
        <support_default_translations>true</support_default_translations>
        <remove_tags>false</remove_tags>
    </project>
</omegat>
"""


def reviewed_entries(
    store: Store, documents: Sequence[Document], lang: str
) -> Iterator[MemoryEntry]:
    """Yield each distinct source's reviewed or final translation, else an imported match."""
    seen: set[tuple[str, str]] = set()
    for doc in documents:
        units = list(store.units([doc.id], [lang]))
        wanted = [u for u in units if _state(u, lang) not in PUBLISHED]
        imported = store.imported_memory(
            {u.segment.source_hash for u in wanted}, doc.source_lang, lang
        )
        for unit in units:
            entry = _reviewed(unit, lang) or _imported(unit, imported)
            if entry is not None and _first(seen, unit):
                yield entry


def draft_entries(store: Store, documents: Sequence[Document], lang: str) -> Iterator[MemoryEntry]:
    """Yield each distinct source's translated draft (never a pseudo-translation)."""
    seen: set[tuple[str, str]] = set()
    for doc in documents:
        for unit in store.units([doc.id], [lang]):
            t = unit.translations.get(lang)
            if t is None or t.state is not State.TRANSLATED or t.is_pseudo:
                continue
            if _first(seen, unit):
                yield _entry(unit, lang, t.text, t.codes, f"store:{t.origin.value}", t.author)


def _state(unit: Unit, lang: str) -> State:
    t = unit.translations.get(lang)
    return t.state if t is not None else State.INITIAL


def _first(seen: set[tuple[str, str]], unit: Unit) -> bool:
    """Return whether a unit's source (text and codes) is new to a memory being written."""
    from pipeline.inline import codes_to_json

    key = (unit.segment.source, json.dumps(codes_to_json(unit.segment.codes)))
    if key in seen:
        return False
    seen.add(key)
    return True


def _reviewed(unit: Unit, lang: str) -> MemoryEntry | None:
    t = unit.translations.get(lang)
    if t is None or t.state not in PUBLISHED or t.is_pseudo:
        return None
    return _entry(unit, lang, t.text, t.codes, f"store:{t.state.value}", t.author)


def _imported(unit: Unit, imported: dict[str, MemoryEntry]) -> MemoryEntry | None:
    """Return an imported entry for a segment's source, its codes carried onto the segment's."""
    from pipeline.inline import carried

    entry = imported.get(unit.segment.source_hash)
    if entry is None:
        return None
    seg = unit.segment
    placed = carried(entry.target_codes, entry.source_codes, seg.codes, seg.source, entry.target)
    return replace(entry, source=seg.source, source_codes=seg.codes, target_codes=placed.codes)


def _entry(
    unit: Unit, lang: str, text: str, codes: tuple[Code, ...], origin: str, author: str
) -> MemoryEntry:
    """Return a translation of a unit as a memory entry of its source."""
    return MemoryEntry(
        unit.document.source_lang,
        lang,
        unit.segment.source,
        text,
        unit.segment.codes,
        codes,
        origin=origin,
        tuid=unit.unit_id,
        changed_by=author or None,
    )


def glossary_lines(store: Store, source_lang: str, lang: str) -> list[str]:
    """Return the language's terms as OmegaT glossary lines: source, target, comment."""
    lines = []
    for entry in store.glossary(source_lang, lang):
        if entry.dnt:
            target, comment = entry.term, "do not translate"
        elif entry.approved:
            target, comment = entry.target, entry.status.value
        elif entry.target:
            target, comment = "", f"do not use: {entry.target}"
        else:
            target, comment = "", "no approved translation"
        if entry.note:
            comment += f"; {entry.note}"
        lines.append("\t".join(one_line(field) for field in (entry.term, target, comment)))
    return lines


def readme(documents: Sequence[Document], lang: str, names: dict[int, str]) -> str:
    """Return README.txt: what the translator does with the folder and what comes back."""
    listed = "\n".join(
        f"  source/{names[doc.id]}  {one_line(doc.title or doc.uri)}" for doc in documents
    )
    return f"""OmegaT project: translate into {lang}

Open this folder in OmegaT (Project > Open). Everything is set: languages, segmentation
(one segment per sentence, heading or caption, as the newsroom's pipeline split them) and
the file filters. The documents:

{listed}

What you see
- Each segment shows the English source. Inline tags such as <g0>...</g0> or <x1/> stand
  for links, emphasis, code and images: keep each tag in your translation, around the
  words it belongs to (the order may change). Do not type tags that are not there.
- Segments already reviewed in the newsroom are filled in from tm/auto when the project
  opens: check them, change them if needed.
- Machine translation drafts (tm/mt) appear in the Fuzzy Matches pane only: insert one
  (Ctrl+I) or replace it (Ctrl+R) and correct it; nothing is inserted for you.
- Glossary terms (glossary/pipeline.txt) appear in the Glossary pane.

When you are done
- Project > Save (Ctrl+S), then Project > Create Translated Documents (Ctrl+D).
- Send the whole folder back (zip it). Segments you leave untranslated come back as the
  English (OmegaT writes the source there); the newsroom never takes them as translations.

The newsroom then runs: pipeline review import <this folder> --reviewer "Your name"
Your confirmed segments become reviewed translations (or another state the editor chooses).
"""


def marker(
    documents: Sequence[Document], lang: str, names: dict[int, str], options: ExportOptions
) -> str:
    """Return the export's record: languages, documents, versions and source files."""
    record = {
        "written_by": f"pipeline {__version__}",
        "exported_at": options.created_at.isoformat(),
        "source_lang": documents[0].source_lang,
        "target_lang": lang,
        "documents": [
            {"id": d.id, "uri": d.uri, "version": d.version, "file": f"source/{names[d.id]}"}
            for d in documents
        ],
    }
    return json.dumps(record, ensure_ascii=False, indent=2) + "\n"
