"""Front matter of a Markdown article: YAML between ``---`` lines or TOML between ``+++`` lines.

The block is kept as it is, except the string values of the keys named as translatable
(``ReadOptions.fields``), which become FIELD paragraphs: each value is replaced by
``"{{j:N}}"``, a double-quoted string whose content the ``j`` escaper writes as a JSON string
literal's (valid in a YAML double-quoted and a TOML basic string). A block that does not
parse as a mapping is not front matter: it is read as Markdown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.ingest import placeholder

# Opening fence -> the closing lines it accepts.
_FENCES = {"---": ("---", "..."), "+++": ("+++",)}


@dataclass(frozen=True)
class FrontMatter:
    """A file's front matter: its skeleton, its translatable values and where the body starts."""

    skeleton: str
    values: tuple[str, ...]
    end: int
    title: str = ""


def read(text: str, fields: Sequence[str]) -> FrontMatter:
    """Return the front matter at the start of text (an empty one if there is none).

    Its values are paragraphs 0, 1, … in the order they stand.
    """
    fenced = _fenced(text)
    if fenced is None:
        return FrontMatter("", (), 0)
    inner_start, inner_end, end = fenced
    inner = text[inner_start:inner_end]
    found = _yaml(inner, fields) if text.startswith("---") else _toml(inner, fields)
    if found is None:
        return FrontMatter("", (), 0)
    skeleton, values, title = found
    return FrontMatter(text[:inner_start] + skeleton + text[inner_end:end], values, end, title)


def _fenced(text: str) -> tuple[int, int, int] | None:
    """Return (content start, content end, block end) of a fenced block opening the text."""
    first_end = text.find("\n")
    if first_end < 0 or text[:first_end].rstrip() not in _FENCES:
        return None
    closers = _FENCES[text[:first_end].rstrip()]
    at = first_end + 1
    while at < len(text):
        line_end = text.find("\n", at)
        line_end = len(text) if line_end < 0 else line_end
        if text[at:line_end].rstrip() in closers:
            return first_end + 1, at, min(line_end + 1, len(text))
        at = line_end + 1
    return None


# The block's skeleton, its translatable values in order, and its title ("" if none).
_Found = tuple[str, tuple[str, ...], str]


def _field(index: int) -> str:
    """Return the quoted placeholder standing for value ``index``."""
    return f'"{placeholder(index, "j")}"'


def _yaml(inner: str, fields: Sequence[str]) -> _Found | None:
    """Return the YAML block with its translatable values replaced; None if not a mapping."""
    import yaml

    try:
        root = yaml.compose(inner, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    if not isinstance(root, yaml.MappingNode):
        return None
    out: list[str] = []
    values: list[str] = []
    done, title = 0, ""
    for key, value in root.value:
        if not (isinstance(key, yaml.ScalarNode) and _is_text(value)):
            continue
        if key.value == "title":
            title = str(value.value)
        start, end = value.start_mark.index, value.end_mark.index
        # An anchored or tagged value keeps its markup: another key may refer to it.
        if key.value in fields and inner[start] not in "&!":
            kept = inner[start:end]
            # A block scalar ends after its line breaks: they stay.
            out.append(inner[done:start] + _field(len(values)) + kept[len(kept.rstrip()) :])
            values.append(str(value.value))
            done = end
    out.append(inner[done:])
    return "".join(out), tuple(values), title


def _is_text(node: object) -> bool:
    """Return whether a YAML node is a non-empty string."""
    import yaml

    return (
        isinstance(node, yaml.ScalarNode)
        and node.tag == "tag:yaml.org,2002:str"
        and bool(str(node.value).strip())
    )


def _toml(inner: str, fields: Sequence[str]) -> _Found | None:
    """Return the TOML block with its translatable values replaced; None if not TOML.

    tomlkit writes a document back as it read it, so replacing the values in the parsed
    document and writing it gives the skeleton; if it would not write this block back
    unchanged, the block is kept whole.
    """
    import tomlkit
    from tomlkit.exceptions import TOMLKitError
    from tomlkit.items import String

    try:
        document = tomlkit.parse(inner)
    except TOMLKitError:
        return None
    title = document.get("title")
    title = str(title) if isinstance(title, String) else ""
    if tomlkit.dumps(document) != inner:
        return inner, (), title
    values: list[str] = []
    for key, item in list(document.items()):
        if key in fields and isinstance(item, String) and str(item).strip():
            document[key] = tomlkit.string(placeholder(len(values), "j"))
            values.append(str(item))
    return tomlkit.dumps(document), tuple(values), title
