"""Markdown inline tokens (markdown-it) as plain text plus spans holding their markup.

Emphasis keeps its delimiters as written; a link is ``[`` … ``](dest "title")`` rebuilt from
the token's attributes (so a reference link becomes an inline one that renders the same); a
code span is a protected pair whose markup is its backtick fence and whose content is kept
verbatim; autolinks, raw HTML, hard breaks and images are standalone marks. An image's alt
text is a paragraph of its own, written into the image's markup through an ``{{a:N}}``
placeholder. Entities and backslash escapes are read as the characters they stand for.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it.token import Token

from pipeline.burmese import LINE_BREAK
from pipeline.ingest import InlineText, Paragraph, placeholder
from pipeline.ingest.markdown_escape import destination, title
from pipeline.records import SegmentKind

# Markdown whitespace (not Unicode's: a no-break space is text).
_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")
_PAIRS = {"em_open": "em", "strong_open": "strong"}


class MarkdownText(InlineText):
    """An InlineText that folds only Markdown whitespace and can add text verbatim."""

    def __init__(self) -> None:
        super().__init__(collapse=False)
        self._after_space = True

    def add(self, text: str) -> None:
        """Append text with whitespace runs folded to one space, none leading the paragraph."""
        text = _WHITESPACE.sub(" ", text)
        if self._after_space:
            text = text.lstrip(" ")
        self.verbatim(text)

    def verbatim(self, text: str) -> None:
        """Append text exactly as given (a code span's content)."""
        if text:
            super().add(text)
            self._after_space = text.endswith(" ")

    def paragraph(self, kind: SegmentKind) -> Paragraph:
        """Return the text so far, trailing spaces after the last span dropped, as a paragraph."""
        whole = super().paragraph(kind)
        last = max((span.end for span in whole.inline), default=0)
        return Paragraph(kind, whole.text[:last] + whole.text[last:].rstrip(" "), whole.inline)


class InlineReader:
    """Turn one inline token's children into a paragraph; alt texts go to ``paragraphs``."""

    def __init__(self, paragraphs: list[Paragraph], *, cell: bool = False) -> None:
        self.paragraphs = paragraphs
        self.cell = cell
        self.text = MarkdownText()
        self._links: list[Token] = []
        # An autolink being read: its href, and the text the parser made of it.
        self._autolink: tuple[str, list[str]] | None = None
        self._caption = False

    def read(self, children: Sequence[Token], kind: SegmentKind) -> Paragraph:
        """Return the paragraph of an inline token's children."""
        lone = [c for c in children if c.type != "softbreak"]
        self._caption = len(lone) == 1 and lone[0].type == "image"
        for child in children:
            self._add(child)
        return self.text.paragraph(kind)

    def _markup(self, markup: str) -> str:
        """Return markup as it must be written where it stands (a cell splits at ``|``)."""
        return markup.replace("|", "\\|") if self.cell else markup

    def _add(self, token: Token) -> None:
        """Add one inline token."""
        kind = token.type
        if self._autolink is not None and kind != "link_close":
            self._autolink[1].append(token.content)
        elif kind == "text":
            self._text(token.content)
        elif kind == "softbreak":
            self.text.add(" ")
        elif kind == "hardbreak":
            self.text.add(" ")
            self.text.mark("br", markup="\\\n")
        elif kind == "html_inline":
            self.text.mark("html", markup=self._markup(token.content))
        elif kind == "code_inline":
            self._code(token)
        elif kind == "image":
            self._image(token)
        elif kind in ("link_open", "link_close"):
            self._link(token)
        elif kind in _PAIRS:
            self.text.open(_PAIRS[kind], markup=token.markup)
        elif kind.endswith("_close") and kind.replace("_close", "_open") in _PAIRS:
            self.text.close(token.markup)
        else:  # a token of a rule this reader does not know: keep what it says
            self.text.add(token.content)

    def _text(self, content: str) -> None:
        """Add text; a line break character (U+2028, see ``pipeline.burmese``) is a hard break."""
        first, *rest = content.split(LINE_BREAK)
        self.text.add(first)
        for piece in rest:
            self.text.add(" ")
            self.text.mark("br", markup=self._markup("\\\n"))
            self.text.add(piece)

    def _code(self, token: Token) -> None:
        """Add a code span: a protected pair around its content, kept verbatim."""
        content = token.content
        # The parser strips one space from each end of "` a `" and needs one beside a backtick.
        both = content[:1] == " " == content[-1:] and content.strip(" ")
        pad = " " if both or content[:1] == "`" or content[-1:] == "`" else ""
        inner = content.strip(" ")
        lead = content[: len(content) - len(content.lstrip(" "))] if inner else content
        trail = content[len(content.rstrip(" ")) :] if inner else ""
        fence = token.markup
        self.text.open("code", markup=self._markup(fence + pad + lead), protect=True)
        self.text.verbatim(inner)
        self.text.close(self._markup(trail + pad + fence))

    def _link(self, token: Token) -> None:
        """Open or close a link; an autolink is one standalone mark."""
        if token.type == "link_close" and self._autolink is not None:
            href, shown = self._autolink
            self._autolink = None
            written = _autolink(href, "".join(shown))
            self.text.mark("a", {"href": href}, self._markup(f"<{written}>"))
        elif token.type == "link_close":
            opened = self._links.pop()
            self.text.close(self._markup(f"]({_target(opened, 'href')})"))
        elif token.markup == "autolink":
            self._autolink = (str(token.attrGet("href") or ""), [])
        else:
            self._links.append(token)
            self.text.open("a", _attrs(token), "[")

    def _image(self, token: Token) -> None:
        """Add an image as a mark; its text becomes a paragraph of its own."""
        alt = _WHITESPACE.sub(" ", _as_text(token.children or [])).strip(" ")
        label = ""
        if alt:
            kind = SegmentKind.CAPTION if self._caption else SegmentKind.ATTRIBUTE
            self.paragraphs.append(Paragraph(kind, alt))
            label = placeholder(len(self.paragraphs) - 1, "a")
        markup = f"![{label}]({_target(token, 'src')})"
        self.text.mark("img", _attrs(token) | {"alt": alt}, self._markup(markup))


def _attrs(token: Token) -> dict[str, str]:
    """Return a token's attributes as strings."""
    return {str(key): str(value) for key, value in token.attrs.items()}


def _target(token: Token, key: str) -> str:
    """Return ``dest "title"`` of a link or image token."""
    dest = destination(str(token.attrGet(key) or ""))
    name = token.attrGet("title")
    return f"{dest} {title(str(name))}" if name is not None else dest


def _autolink(href: str, shown: str) -> str:
    """Return what stands between an autolink's angle brackets (an e-mail address has no scheme)."""
    if href.startswith("mailto:") and not shown.startswith("mailto:"):
        return href.removeprefix("mailto:")
    return href


def _as_text(tokens: Sequence[Token]) -> str:
    """Return an image's text as a renderer writes it into ``alt`` (markup dropped)."""
    out = []
    for token in tokens:
        if token.type in ("text", "code_inline", "html_inline"):
            out.append(token.content)
        elif token.type == "image":
            out.append(_as_text(token.children or []))
        elif token.type in ("softbreak", "hardbreak"):
            out.append("\n")
    return "".join(out)
