"""Gettext PO: one catalog per target language, one message per segment; passes ``msgfmt -c``.

``msgctxt`` is the unit id (``s<segment id>``), ``msgid`` the source, ``msgstr`` the target.
States: no translation or ``initial`` → empty ``msgstr``; ``translated`` → ``#, fuzzy``;
``reviewed`` → not fuzzy; ``final`` → not fuzzy plus the extracted comment
``#. state: final``. Pseudo-translations are always fuzzy and carry
``#. PSEUDO-TRANSLATION: not a translation``. QA flags are translator comments
(``# qa error: ...``), and so are the glossary terms found in the source (``# term: Naypyitaw
→ နေပြည်တော်``) and each fuzzy memory match translate found, with what its source differs in
(``# fuzzy match 87% (memory:a.tmx tu 4): …``, ``# the source differs: "5" → "6"``); the
position, origin and signature are extracted comments.

Inline codes are written in the readable form of :func:`pipeline.inline.marked`, in msgid
and msgstr alike: ``<1>…</1>`` around the text of a pair, ``<2/>`` for a standalone code,
and a lone ``<3>`` or ``</3>`` for an end whose partner is in another segment. A
translator keeps each marker once (moving them is fine) and never sees the markup itself:
one extracted comment per code says what it stands for, e.g.
``#. <1>…</1> = <a href="https://example.org">…</a>``. Text that itself reads ``<N>``,
``</N>`` or ``<N/>`` is written with a backslash before it (``\\<N>``), and backslashes
just before a marker are doubled, so it reads back as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC
from typing import TYPE_CHECKING, BinaryIO

from pipeline.formats import (
    PSEUDO_WARNING,
    ExportOptions,
    exported_in,
    flag_line,
    match_lines,
    one_line,
    term_line,
    terms_of,
    write_chunks,
)
from pipeline.inline import marked, ordered
from pipeline.records import Code, CodeType, MemoryMatch, State, Translation, Unit

if TYPE_CHECKING:
    from pipeline.glossary.match import TermHit

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"})
# Used when babel has no gettext plural rule for a language.
_DEFAULT_PLURALS = "nplurals=2; plural=(n != 1);"


def quote(text: str) -> str:
    """Return text as one PO string literal.

    >>> quote('He said "go"\\tnow')
    '"He said \\\\"go\\\\"\\\\tnow"'
    """
    return '"' + text.translate(_ESCAPES) + '"'


def plural_forms(lang: str) -> str:
    """Return the gettext Plural-Forms of a language: CLDR's rule (via babel), else a default.

    >>> plural_forms("my")
    'nplurals=1; plural=0;'
    >>> plural_forms("hi")
    'nplurals=2; plural=((n == 0) || (n == 1)) ? 0 : 1;'
    """
    from babel import Locale, UnknownLocaleError
    from babel.messages.plurals import PLURALS
    from babel.plural import to_gettext

    code = lang.replace("-", "_")
    try:
        rule = Locale.parse(code).plural_form
    except (ValueError, UnknownLocaleError):
        rule = None
    if rule is not None:
        if not rule.tags:  # only "other"
            return "nplurals=1; plural=0;"
        count, expression = to_gettext(rule).rstrip(";").split("; plural=", 1)
        # A rule on an operand gettext lacks (the exponent e) cannot be written for msgfmt.
        if not re.search(r"[a-mo-z]", expression):
            return f"{count}; plural={_tidy(expression)};"
    base = code.split("_")[0]
    if base in PLURALS:
        count_, expression_ = PLURALS[base]
        return f"nplurals={count_}; plural={expression_};"
    return _DEFAULT_PLURALS


def _tidy(expression: str) -> str:
    """Return babel's gettext expression without its doubled brackets and ``(0 == 0)`` terms.

    >>> _tidy("((((n == 1)) && ((0 == 0))) ? 0 : 1)")
    '(n == 1) ? 0 : 1'
    """
    previous = None
    while previous != expression:
        previous = expression
        for always in (" && ((0 == 0))", " && (0 == 0)", "(0 == 0) && "):
            expression = expression.replace(always, "")
        expression = re.sub(r"\(\(([^()]*)\)\)", r"(\1)", expression)
    if expression.startswith("(") and expression.endswith(")") and _balanced(expression[1:-1]):
        expression = expression[1:-1]
    return expression


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def header(lang: str, options: ExportOptions) -> str:
    """Return the header entry of a catalog in one target language."""
    stamp = options.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M+0000")
    fields = [
        f"Project-Id-Version: pipeline export {options.tool_version}",
        "Report-Msgid-Bugs-To: ",
        f"POT-Creation-Date: {stamp}",
        f"PO-Revision-Date: {stamp}",
        "Last-Translator: pipeline",
        f"Language-Team: {lang}",
        f"Language: {lang}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=UTF-8",
        "Content-Transfer-Encoding: 8bit",
        f"Plural-Forms: {plural_forms(lang)}",
        f"X-Generator: pipeline {options.tool_version}",
    ]
    lines = ['msgid ""', 'msgstr ""', *(quote(f"{field}\n") for field in fields)]
    return "\n".join(lines) + "\n"


def generate_po(units: Iterable[Unit], options: ExportOptions) -> Iterator[str]:
    """Yield a PO catalog in the first target language: the header, then one entry per unit."""
    lang = options.target_langs[0]
    yield header(lang, options)
    for unit in units:
        if exported_in(unit, lang):
            yield "\n" + entry(
                unit,
                unit.translations.get(lang),
                unit.matches.get(lang, ()),
                terms_of(unit, lang, options),
            )


def legend(codes: Sequence[Code]) -> list[str]:
    """Return one line per code (a pair on one line) saying what its marker stands for.

    >>> from pipeline.records import Code, CodeType as T
    >>> legend([Code(1, T.OPEN, "a", '<a href="x">', 0), Code(1, T.CLOSE, "a", "</a>", 3),
    ...         Code(2, T.STANDALONE, "br", "<br>", 3), Code(3, T.CLOSE, "em", "", 3)])
    ['<1>…</1> = <a href="x">…</a>', '<2/> = <br>', '</3> = (em), opened in another segment']
    """
    closes = {c.id: c for c in codes if c.type is CodeType.CLOSE}
    opens = {c.id for c in codes if c.type is CodeType.OPEN}
    lines = []
    for code in ordered(codes):
        n = code.id
        if code.type is CodeType.STANDALONE:
            lines.append(f"<{n}/> = {_shown(code)}")
        elif code.type is CodeType.OPEN and n in closes:
            inside = ", keep its content as it is" if code.protect else ""
            both = f"{_shown(code)}…{_shown(closes[n])}" if code.data else _shown(code)
            lines.append(f"<{n}>…</{n}> = {both}{inside}")
        elif code.type is CodeType.OPEN:
            lines.append(f"<{n}> = {_shown(code)}, closed in another segment")
        elif n not in opens:
            lines.append(f"</{n}> = {_shown(code)}, opened in another segment")
    return lines


def _shown(code: Code) -> str:
    return one_line(code.data) or f"({code.tag or 'code'})"


def entry(
    unit: Unit,
    t: Translation | None,
    matches: Sequence[MemoryMatch] = (),
    terms: Sequence[TermHit] = (),
) -> str:
    """Return one PO entry: comments, flags, msgctxt, msgid and msgstr."""
    seg, doc = unit.segment, unit.document
    lines = [f"# {flag_line(flag)}" for flag in (t.flags if t else ())]
    lines += [f"# {term_line(hit)}" for hit in terms]
    lines += [f"# {line}" for m in matches for line in match_lines(m, seg.source)]
    lines.append(
        f"#. document {doc.id} v{doc.version}, paragraph {seg.paragraph},"
        f" sentence {seg.sentence}, {seg.kind.value}"
    )
    lines.extend(f"#. {line}" for line in legend(seg.codes))
    if t is not None:
        if t.is_pseudo:
            lines.append(f"#. {PSEUDO_WARNING}")
        if t.state is State.FINAL:
            lines.append("#. state: final")
        lines.append(f"#. origin: {t.origin.value}")
        if t.signature is not None:
            lines.append(f"#. signature: {one_line(str(t.signature))}")
    published = t is not None and t.state is not State.INITIAL
    source = marked(seg.source, seg.codes)
    text = marked(t.text, t.codes) if t is not None and published else ""
    if t is not None and text and (t.state is State.TRANSLATED or t.is_pseudo):
        lines.append("#, fuzzy")
    lines += [
        f"msgctxt {quote(unit.unit_id)}",
        f"msgid {quote(source)}",
        f"msgstr {quote(_match_ends(source, text))}",
    ]
    return "\n".join(lines) + "\n"


def _match_ends(source: str, text: str) -> str:
    """Return text starting and ending with a newline exactly when the source does.

    msgfmt -c rejects a msgstr whose leading or trailing newline differs from the msgid's.

    >>> _match_ends("a\\n", "b")
    'b\\n'
    """
    if not text:
        return text
    core = text.strip("\n")
    head = "\n" if source.startswith("\n") else ""
    tail = "\n" if source.endswith("\n") and len(source) > 1 else ""
    return head + core + tail


def write(units: Iterable[Unit], out: BinaryIO, options: ExportOptions) -> None:
    """Write units as a PO catalog in the first target language."""
    write_chunks(generate_po(units, options), out)
