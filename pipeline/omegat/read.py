"""Read a translator's work back from an OmegaT project folder as review units.

The units and their sources come from the project's ``source/*.xlf`` (what ``pipeline
export --format omegat`` wrote); each unit's translation from what OmegaT writes:

- ``omegat/project_save.tmx``, OmegaT's memory of every segment the translator confirmed,
  its tags written as text (``<g0>…</g0>``). An entry is matched to a unit by the source as
  OmegaT shows it (:func:`pipeline.omegat.tags.to_omegat`) and its tags are mapped back to
  the source's codes; an alternative translation (OmegaT's for one occurrence of a repeated
  source, told by its file and the sources of the segments before and after it, as OmegaT
  3.6 keys them for XLIFF) comes before the default one. The entry's author
  (``changeid``) is the unit's reviewer.
- else ``target/*.xlf``, the translated documents: OmegaT turns its tags back into our XLIFF
  elements, and writes the source again for a segment nobody translated. Such a copy is
  never a translation; only the memory can say that a translator confirmed the source as it
  stands (a name, a number).

OmegaT never touches the XLIFF ``state`` attribute and has no approval: a state the files
carry is not the translator's, so every translation read is ``confirmed`` and the importer
gives it the ``--state`` asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.inline import CodeProblem, places
from pipeline.omegat.tags import Names, from_omegat, names, to_omegat
from pipeline.records import State
from pipeline.review import ReviewFile, ReviewUnit
from pipeline.review.errors import ReviewFileError
from pipeline.review.tmx import parse_tmx

if TYPE_CHECKING:
    from lxml.etree import _Element

__all__ = ["is_project", "read"]

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_SUFFIXES = (".xlf", ".xliff")


@dataclass(frozen=True)
class Entry:
    """A translation in OmegaT's memory: the target as OmegaT holds it, and who wrote it."""

    target: str
    author: str | None


# Where a segment stands, as OmegaT tells repeated sources apart: its source, its file (the
# path under source/) and the sources of the segments before and after it in that file.
Context = tuple[str, str, str, str]


@dataclass(frozen=True)
class Memory:
    """The entries of ``project_save.tmx``: default ones by source, alternative ones by context."""

    default: dict[str, Entry]
    alternative: dict[Context, Entry]

    def find(self, context: Context) -> Entry | None:
        """Return the translation of a segment, its own alternative first."""
        return self.alternative.get(context) or self.default.get(context[0])


def is_project(folder: Path) -> bool:
    """Return whether a folder is an OmegaT project (it has an ``omegat.project`` file)."""
    return (folder / "omegat.project").is_file()


def read(folder: Path) -> ReviewFile:
    """Read every unit of an OmegaT project's source files with the translation OmegaT kept."""
    if not is_project(folder):
        raise ReviewFileError(
            f"{folder}: a folder, but not an OmegaT project (no omegat.project); "
            "review import reads a review file or an OmegaT project folder"
        )
    sources = _source_files(folder / "source")
    if not sources:
        raise ReviewFileError(f"{folder.name}: an OmegaT project with no XLIFF file in source/")
    memory = _memory(folder / "omegat" / "project_save.tmx")
    units: list[ReviewUnit] = []
    for source in sources:
        name = source.relative_to(folder / "source")
        translated = _targets(folder / "target" / name)
        found = _xliff(source).units
        shown = [_shown(unit) for unit in found]
        for i, unit in enumerate(found):
            before = shown[i - 1] if i else ""
            after = shown[i + 1] if i + 1 < len(shown) else ""
            entry = memory.find((shown[i], name.as_posix(), before, after))
            units.append(_unit(unit, translated.get(unit.unit_id), entry))
    return ReviewFile(folder, "omegat", tuple(units))


def _shown(unit: ReviewUnit) -> str:
    """Return a unit's source as OmegaT shows it: its codes as OmegaT's tags."""
    if unit.problem:
        return ""
    return to_omegat(unit.source, unit.source_codes, names(unit.source, unit.source_codes))


def _source_files(folder: Path) -> list[Path]:
    """Return the project's XLIFF source files, in a stable order."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in _SUFFIXES and p.is_file())


def _xliff(path: Path) -> ReviewFile:
    from pipeline.review import xliff12

    return xliff12.read(path)


def _targets(path: Path) -> dict[str, ReviewUnit]:
    """Return the units of a translated document OmegaT wrote, by id (none before it wrote it)."""
    if not _present(path):
        return {}
    return {unit.unit_id: unit for unit in _xliff(path).units}


def _unit(source: ReviewUnit, target: ReviewUnit | None, entry: Entry | None) -> ReviewUnit:
    """Return a source unit with the translation the translator left for it, if any."""
    # OmegaT's files carry no state of the translator's: --state decides (state_given False).
    base = replace(source, target=None, target_codes=(), state=State.TRANSLATED, state_given=False)
    if source.problem:
        return base
    if entry is not None:
        return _from_memory(base, entry, names(source.source, source.source_codes))
    if target is None or target.target is None or _is_copy(target):
        return base  # not translated: OmegaT wrote the source again
    return replace(
        base,
        target=target.target,
        target_codes=target.target_codes,
        target_lang=target.target_lang or base.target_lang,
        problem=target.problem,
        confirmed=True,
    )


def _from_memory(base: ReviewUnit, entry: Entry, tags: Names) -> ReviewUnit:
    """Return a unit holding a memory entry's translation, its tags read as the source's codes."""
    try:
        text, codes = from_omegat(entry.target, tags)
    except CodeProblem as exc:
        return replace(base, target="", problem=f"OmegaT's translation: {exc}")
    return replace(base, target=text, target_codes=codes, reviewer=entry.author, confirmed=True)


def _is_copy(unit: ReviewUnit) -> bool:
    """Return whether a unit's target is its source as it stands, codes in the same places."""
    return unit.target == unit.source and places(unit.target_codes) == places(unit.source_codes)


def _memory(path: Path) -> Memory:
    """Read OmegaT's project memory; an empty one where OmegaT has saved none yet."""
    memory = Memory({}, {})
    if not _present(path):
        return memory
    root = parse_tmx(path)
    header = root.find("header")
    source_lang = (header.get("srclang", "") if header is not None else "").lower()
    for tu in root.iterfind("body/tu"):
        found = _entry(tu, source_lang)
        if found is None:
            continue
        shown, entry = found
        props = {p.get("type"): p.text or "" for p in tu.iterfind("prop")}
        if "file" in props:
            where = (shown, props["file"], props.get("prev", ""), props.get("next", ""))
            memory.alternative[where] = entry
        else:
            memory.default[shown] = entry
    return memory


def _entry(tu: _Element, source_lang: str) -> tuple[str, Entry] | None:
    """Return a ``<tu>``'s source and its translation, or None for an entry without both."""
    tuvs = tu.findall("tuv")
    source = next((t for t in tuvs if _lang(t).startswith(source_lang)), None)
    target = next((t for t in tuvs if t is not source), None)
    if source is None or target is None:
        return None
    author = target.get("changeid") or target.get("creationid")
    return _seg(source), Entry(_seg(target), author)


def _lang(tuv: _Element) -> str:
    """Return a ``<tuv>``'s language, lower case (TMX 1.1 writes ``lang``, 1.4 ``xml:lang``)."""
    return (tuv.get(_XML_LANG) or tuv.get("lang") or "").lower()


def _seg(tuv: _Element) -> str:
    """Return a ``<seg>``'s text: OmegaT's tags are in it as text (in level 2, inside codes)."""
    seg = tuv.find("seg")
    return "".join(map(str, seg.itertext())) if seg is not None else ""


def _present(path: Path) -> bool:
    """Return whether anything is at the path: what is there but no regular file is refused."""
    return path.exists() or path.is_symlink()
