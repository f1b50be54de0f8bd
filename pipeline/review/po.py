"""Read a reviewed PO file with babel: msgctxt is the unit id, fuzzy means not yet reviewed.

Inline codes are read from the readable markers the export writes (:func:`pipeline.inline.marked`):
``<N>`` and ``</N>`` the two ends of a pair, ``<N/>`` a standalone code; ``\\<N>`` is text.
The reader keeps their ids, types and offsets; the importer takes their markup from the
stored segment.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.inline import read_markers
from pipeline.records import Code, State
from pipeline.review import ReviewFile, ReviewUnit, reviewer_name
from pipeline.review.documents import document_name
from pipeline.review.errors import ReviewFileError

if TYPE_CHECKING:
    from babel.messages.catalog import Message

# The extracted comment an export writes on each entry: "document 3 v1, paragraph 0, …".
_DOCUMENT = re.compile(r"document (\d+) v\d+,")
# The extracted comment an export writes on final entries, which PO cannot otherwise mark.
FINAL_COMMENT = "state: final"


def read(path: Path) -> ReviewFile:
    """Read every active entry of a PO file (obsolete ``#~`` entries are left out)."""
    from babel.messages.pofile import PoFileError, read_po

    try:
        data = path.read_bytes()
        # A UTF-8 BOM, which Windows editors add, is no PO keyword: babel would refuse it.
        data = data.removeprefix(b"\xef\xbb\xbf")
        catalog = read_po(io.BytesIO(data), abort_invalid=True)
    except PoFileError as exc:
        raise ReviewFileError(f"{path.name}: not a valid PO file ({exc})") from None
    except UnicodeDecodeError as exc:
        raise ReviewFileError(
            f"{path.name}: not valid {exc.encoding} text at byte {exc.start}; "
            "save it as UTF-8 or fix its Content-Type charset"
        ) from None
    except LookupError as exc:
        raise ReviewFileError(f"{path.name}: unknown charset ({exc})") from None
    except OSError as exc:
        raise ReviewFileError(f"{path}: cannot read it ({exc})") from None
    lang = catalog.locale_identifier
    reviewer = reviewer_name(catalog.last_translator)
    units = tuple(_unit(m, lang, reviewer) for m in catalog if m.id)
    return ReviewFile(path, "po", units)


def _unit(message: Message, lang: str | None, reviewer: str | None) -> ReviewUnit:
    problem = ""
    source, target = message.id, message.string
    if not isinstance(source, str) or not isinstance(target, str):
        problem = "plural entries cannot be imported"
        source = source if isinstance(source, str) else source[0]
        target = target if isinstance(target, str) else ""
    source, source_codes = markers(source)
    plain, target_codes = markers(target)
    return ReviewUnit(
        unit_id=message.context or "",
        source=source,
        target=plain if target else None,
        state=_state(message, target),
        source_codes=source_codes,
        target_codes=target_codes,
        target_lang=lang,
        reviewer=reviewer,
        notes=(
            *(c for c in message.auto_comments if c.strip() != FINAL_COMMENT),
            *message.user_comments,
        ),
        problem=problem,
        document=_document(message.auto_comments),
    )


def _document(comments: list[str]) -> str:
    """Return the document our export's ``#. document N vV, paragraph …`` comment names."""
    found = next(filter(None, (_DOCUMENT.match(c.strip()) for c in comments)), None)
    return document_name(None, found.group(1)) if found else ""


def _state(message: Message, target: str) -> State:
    """Return an entry's state: empty is initial, fuzzy translated, else reviewed or final."""
    if not target:
        return State.INITIAL
    if message.fuzzy:
        return State.TRANSLATED
    if any(c.strip() == FINAL_COMMENT for c in message.auto_comments):
        return State.FINAL
    return State.REVIEWED


def markers(text: str) -> tuple[str, tuple[Code, ...]]:
    """Return the plain text of a marked text and its codes (ids, types, offsets; no markup).

    A marker written with a backslash before it (``\\<3>``) is text
    (:func:`pipeline.inline.read_markers`).

    >>> plain, codes = markers("<1>map</1> here<2/>")
    >>> plain, [(c.id, c.type.value, c.at) for c in codes]
    ('map here', [(1, 'open', 0), (1, 'close', 3), (2, 'standalone', 8)])
    """
    return read_markers(text)
