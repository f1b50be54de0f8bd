"""Read a reviewed PO file with babel: msgctxt is the unit id, fuzzy means not yet reviewed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.records import State
from pipeline.review import ReviewFile, ReviewUnit, reviewer_name
from pipeline.review.errors import ReviewFileError

if TYPE_CHECKING:
    from babel.messages.catalog import Message

# The extracted comment an export writes on final entries, which PO cannot otherwise mark.
FINAL_COMMENT = "state: final"


def read(path: Path) -> ReviewFile:
    """Read every active entry of a PO file (obsolete ``#~`` entries are left out)."""
    from babel.messages.pofile import PoFileError, read_po

    try:
        with path.open("rb") as handle:
            catalog = read_po(handle, abort_invalid=True)
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
    return ReviewUnit(
        unit_id=message.context or "",
        source=source,
        target=target or None,
        state=_state(message, target),
        target_lang=lang,
        reviewer=reviewer,
        notes=(
            *(c for c in message.auto_comments if c.strip() != FINAL_COMMENT),
            *message.user_comments,
        ),
        problem=problem,
    )


def _state(message: Message, target: str) -> State:
    """Return an entry's state: empty is initial, fuzzy translated, else reviewed or final."""
    if not target:
        return State.INITIAL
    if message.fuzzy:
        return State.TRANSLATED
    if any(c.strip() == FINAL_COMMENT for c in message.auto_comments):
        return State.FINAL
    return State.REVIEWED
