"""Token alignments from CTranslate2's attention, as character spans of source and target.

CTranslate2 returns, per hypothesis, one attention row per output token (the echoed target
prefix included) over the source tokens it was given (the framing it adds from the model's
config left out; some versions keep it, and it is dropped here). Each token is turned into
the characters it stands for: source pieces by SentencePiece's own offsets, target tokens by
decoding ever longer prefixes, so the spans agree with the detokenized text exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pipeline.align import Alignment, Span, hard_links

__all__ = [
    "decoded_piece_spans",
    "decoded_spans",
    "from_attention",
    "searched_spans",
    "sentencepiece_spans",
]


def sentencepiece_spans(processor: Any, text: str) -> tuple[list[str], list[Span]]:
    """Return the pieces of text and the character span of each in text."""
    try:
        proto = processor.encode(text, out_type="immutable_proto")
    except ValueError:  # sentencepiece >= 0.2.1 names it "proto"
        proto = processor.encode(text, return_type="proto")
    # SentencePiece counts offsets in UTF-8 bytes.
    chars = _char_offsets(text)
    pieces = [p.piece for p in proto.pieces]
    spans = [(chars.get(p.begin, len(text)), chars.get(p.end, len(text))) for p in proto.pieces]
    return pieces, spans


def searched_spans(text: str, surfaces: Sequence[str]) -> list[Span]:
    """Return the span of each token's surface, found in text in order (empty where not found).

    >>> searched_spans("Tom & Jerry", ["Tom", "&", "Jer", "ry", "!"])
    [(0, 3), (4, 5), (6, 9), (9, 11), (11, 11)]
    """
    spans = []
    done = 0
    for surface in surfaces:
        at = text.find(surface, done) if surface else -1
        if at < 0:
            spans.append((done, done))
            continue
        spans.append((at, at + len(surface)))
        done = at + len(surface)
    return spans


def decoded_piece_spans(processor: Any, tokens: Sequence[str], text: str) -> list[Span] | None:
    """Return each piece's span in ``text`` from SentencePiece's own offsets, if they fit.

    One decode call instead of one per prefix; None when SentencePiece's text is not
    ``text`` (pieces unknown to the model), so the caller measures prefixes instead.
    """
    try:
        proto = processor.decode_pieces(list(tokens), out_type="proto")
    except (TypeError, ValueError, RuntimeError):
        return None
    if proto.text != text or len(proto.pieces) != len(tokens):
        return None
    chars = _char_offsets(text)
    spans = []
    done = 0
    for piece in proto.pieces:
        begin, end = chars.get(piece.begin, len(text)), chars.get(piece.end, len(text))
        while begin < end and text[begin].isspace():
            begin += 1
        # A piece of only spaces adds nothing: empty, where the text so far ends (as above).
        begin, end = (begin, end) if begin < end else (done, done)
        spans.append((begin, end))
        done = max(done, end)
    return spans


def _char_offsets(text: str) -> dict[int, int]:
    """Return the character index of each UTF-8 byte offset that starts a character."""
    chars: dict[int, int] = {}
    offset = 0
    for index, char in enumerate(text):
        chars[offset] = index
        offset += len(char.encode("utf-8"))
    chars[offset] = len(text)
    return chars


def decoded_spans(
    decode: Callable[[Sequence[str]], str], tokens: Sequence[str]
) -> tuple[str, list[Span]]:
    """Return the decoded text and each token's span: what it adds to the text of those before."""
    text = decode(tokens)
    spans = []
    done = 0
    for count in range(1, len(tokens) + 1):
        prefix = decode(tokens[:count]) if count < len(tokens) else text
        end = len(prefix) if text.startswith(prefix) else done
        end = max(done, min(end, len(text)))
        begin = done
        while begin < end and text[begin].isspace():
            begin += 1
        spans.append((begin, end))
        done = end
    return text, spans


def from_attention(
    attention: Sequence[Sequence[float]],
    source: Sequence[Span],
    target: Sequence[Span],
    *,
    prefix: int = 0,
    framing: tuple[int, int] = (0, 0),
) -> Alignment | None:
    """Return the hard alignment of one hypothesis, or None when the shapes do not agree.

    ``prefix`` is the number of echoed target prefix rows; ``framing`` the number of tokens
    CTranslate2 added before and after the source, dropped when the columns include them.
    """
    rows = [list(row) for row in attention]
    if len(rows) == len(target) + prefix:
        rows = rows[prefix:]
    if len(rows) != len(target):
        return None
    before, after = framing
    if rows and len(rows[0]) == len(source) + before + after:
        rows = [row[before : len(row) - after] for row in rows]
    if rows and len(rows[0]) != len(source):
        return None
    return Alignment(tuple(source), tuple(target), hard_links(rows))
