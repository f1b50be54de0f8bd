"""Reading Markdown into segments with inline codes, front matter fields and table cells."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.ingest import ReadOptions, read_article, rebuild
from pipeline.ingest.markdown import escaper, parser
from pipeline.inline import render
from pipeline.records import Code, CodeType, DocumentDraft, SegmentKind
from tests.articlekit import element_tree, identity_article

K = SegmentKind
T = CodeType
DATA = Path(__file__).resolve().parent / "data" / "ingest"


def write(tmp_path: Path, text: str, name: str = "article.md") -> Path:
    """Write a Markdown file under tmp_path and return its path."""
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def sources(document: DocumentDraft) -> list[tuple[SegmentKind, str]]:
    """Return (kind, source) of each segment."""
    return [(s.kind, s.source) for s in document.segments]


def rendered(markdown: str) -> str:
    """Return Markdown rendered to HTML by the parser the reader uses."""
    return parser().render(markdown)


def same_rendering(path: Path, tmp_path: Path, options: ReadOptions | None = None) -> bool:
    """Return whether the identity round trip of a file renders as the file does."""
    again = identity_article(path, tmp_path / "identity.db", options)
    original = path.read_text("utf-8")
    return element_tree(rendered(again)) == element_tree(rendered(original))


def test_inline_markup_becomes_codes_holding_the_markup_as_written() -> None:
    """Emphasis keeps its delimiter, a link its brackets and target, a code span its fence."""
    document = read_article(DATA / "article.md")
    assert document.segments[0].codes == (
        Code(1, T.OPEN, "em", "*", 18),
        Code(1, T.CLOSE, "em", "*", 23),
    )
    link = next(s for s in document.segments if s.source.startswith("Read"))
    assert link.source == "Read the full report. It is long before the config.x change."
    assert link.codes == (
        Code(1, T.OPEN, "a", "[", 5),
        Code(1, T.CLOSE, "a", '](https://example.com/report "Report")', 32),
        Code(2, T.OPEN, "code", "`", 44, protect=True),
        Code(2, T.CLOSE, "code", "`", 52, protect=True),
    )


def test_skeleton_keeps_blocks_and_puts_the_image_text_in_its_brackets() -> None:
    """The skeleton keeps block markup and code; an image's text is an ``{{a:N}}`` value."""
    document = read_article(DATA / "article.md")
    assert document.skeleton == (
        "# {{p:0}}\n\n{{p:1}}\n\n{{p:2}}\n\n![{{a:3}}](photo.jpg)\n\n## {{p:4}}\n\n"
        "- {{p:5}}\n\n* {{p:6}}\n\n1. {{p:7}}\n2. {{p:8}}\n\n```text\ncode. Not text.\n```\n"
    )


def test_reference_link_is_rebuilt_inline_and_its_definition_kept(tmp_path: Path) -> None:
    """A reference link's codes carry its resolved target; the definition stays verbatim."""
    path = write(tmp_path, 'See [the report][r] now.\n\n[r]: /a%20b "T"\n')
    document = read_article(path)
    assert document.segments[0].codes[1].data == '](/a%20b "T")'
    assert document.skeleton == '{{p:0}}\n\n[r]: /a%20b "T"\n'
    assert same_rendering(path, tmp_path)


def test_autolinks_raw_html_and_hard_breaks_are_standalone(tmp_path: Path) -> None:
    """An autolink, inline HTML and a hard break are each one standalone code."""
    path = write(tmp_path, "Mail <a@b.org> or <https://x.org>, <b>now</b>\\\nthen.\n")
    codes = read_article(path).segments[0].codes
    assert [(c.type, c.data) for c in codes] == [
        (T.STANDALONE, "<a@b.org>"),
        (T.STANDALONE, "<https://x.org>"),
        (T.STANDALONE, "<b>"),
        (T.STANDALONE, "</b>"),
        (T.STANDALONE, "\\\n"),
    ]
    assert same_rendering(path, tmp_path)


def test_image_text_is_an_attribute_segment_inside_the_code(tmp_path: Path) -> None:
    """An image inside text is a standalone code whose alt text is an ATTRIBUTE segment."""
    path = write(tmp_path, 'The map ![Rakhine *state*](m.png "Map") shows it.\n')
    document = read_article(path)
    assert sources(document) == [(K.ATTRIBUTE, "Rakhine state"), (K.TEXT, "The map shows it.")]
    assert document.segments[1].codes[0].data == '![{{a:0}}](m.png "Map")'
    assert same_rendering(path, tmp_path)


@pytest.mark.parametrize(
    "text",
    [
        "# not a heading * or [a link](x) or `code`",
        "- 1. > ~~~ +",
        "5 < 6 & 7 &amp; 8 _under_ **bold** <b>",
        "a \\*b\\* ! ![x](y)",
        "{{p:0}} stays literal",
    ],
)
def test_translated_text_is_escaped_to_render_as_text(text: str) -> None:
    """A translated run that looks like Markdown is written back so it renders as plain text."""
    html = rendered(rebuild("{{p:0}}\n", {0: escaper("p")(text, None)}))
    assert element_tree(html)[2:] == [("p", (), text, "")]


def test_code_span_content_is_written_verbatim() -> None:
    """Inside a code span nothing is escaped, while the text around it is."""
    codes = (
        Code(1, T.OPEN, "code", "`", 2, protect=True),
        Code(1, T.CLOSE, "code", "`", 5, protect=True),
    )
    assert render("a*b c*d", codes, inside=escaper("p")) == "a\\*`b c`\\*d"


def test_yaml_front_matter_keeps_all_but_the_named_values(tmp_path: Path) -> None:
    """YAML front matter stays as written; the named keys' values become FIELD segments."""
    front = (
        '---\ntitle: "Police: a report"\ndate: 2021-03-05\ntags: [a, b]\n'
        "summary: >\n  Two\n  lines\n---\n"
    )
    path = write(tmp_path, front + "\n# Heading\n")
    document = read_article(path)
    assert sources(document)[:2] == [(K.FIELD, "Police: a report"), (K.FIELD, "Two lines\n")]
    assert document.title == "Police: a report"
    assert document.skeleton.startswith(
        '---\ntitle: "{{j:0}}"\ndate: 2021-03-05\ntags: [a, b]\nsummary: "{{j:1}}"\n---\n'
    )
    again = identity_article(path, tmp_path / "identity.db")
    assert yaml.safe_load(again.split("---\n")[1]) == yaml.safe_load(front.split("---\n")[1])
    assert again.endswith("---\n\n# Heading\n")


def test_front_matter_values_are_written_back_as_valid_quoted_strings(tmp_path: Path) -> None:
    """A translated value holding quotes, a backslash or a line break stays a valid string."""
    value = 'He said "no" \\ then:\n\t# left'
    quoted = escaper("j")(value, None)
    yaml_path = write(tmp_path, "---\ntitle: Old\n---\n\nText.\n", "y.md")
    toml_path = write(tmp_path, "+++\ntitle = 'Old'\nweight = 3\n+++\n\nText.\n", "t.md")
    yaml_skeleton = read_article(yaml_path).skeleton
    toml_skeleton = read_article(toml_path).skeleton
    assert toml_skeleton.startswith('+++\ntitle = "{{j:0}}"\nweight = 3\n+++\n')
    yaml_front = rebuild(yaml_skeleton, {0: quoted}).split("---\n")[1]
    toml_front = rebuild(toml_skeleton, {0: quoted}).split("+++\n")[1]
    assert yaml.safe_load(yaml_front) == {"title": value}
    assert tomllib.loads(toml_front) == {"title": value, "weight": 3}


def test_ingest_fields_option_names_the_front_matter_keys(tmp_path: Path) -> None:
    """``pipeline ingest --fields`` chooses which front matter values are translated."""
    path = write(tmp_path, "---\ntitle: Kept\nsubtitle: Small print\n---\n\nBody.\n")
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", "--fields", "subtitle", str(path)]).exit_code == 0
    shown = runner.invoke(app, ["show", str(path), "--json"]).stdout.splitlines()
    assert [json.loads(line)["source"] for line in shown] == ["Small print", "Body."]


def test_table_cells_are_segments_found_left_to_right(tmp_path: Path) -> None:
    """Each GFM table cell is a CELL segment, its placeholders in reading order on the row."""
    table = "| City | Note |\n|---|:-:|\n| Yangon | a \\| `x\\|y` |\n| Sittwe | *x* |\n"
    path = write(tmp_path, table)
    document = read_article(path)
    assert [s.source for s in document.segments if s.kind is K.CELL] == [
        "City",
        "Note",
        "Yangon",
        "a | x|y",
        "Sittwe",
        "x",
    ]
    assert document.skeleton == (
        "| {{c:0}} | {{c:1}} |\n|---|:-:|\n| {{c:2}} | {{c:3}} |\n| {{c:4}} | {{c:5}} |\n"
    )
    assert same_rendering(path, tmp_path)


def test_a_pipe_in_a_translated_cell_stays_in_its_cell() -> None:
    """A ``|`` in a cell's translation is escaped, so the row keeps its cells."""
    skeleton = "| {{c:0}} | {{c:1}} |\n|---|---|\n"
    body = rebuild(skeleton, {0: render("a | b", (), inside=escaper("c")), 1: "c"})
    assert element_tree(rendered(body))[-2:] == [("th", (), "a | b", ""), ("th", (), "c", "")]


def test_code_blocks_html_blocks_and_definitions_are_kept_verbatim(tmp_path: Path) -> None:
    """Code blocks, HTML blocks and link reference definitions stand in the skeleton as written."""
    kept = '    indented *code*\n\n<div class="x">\n*raw*\n</div>\n\n[id]: <http://x.org> (T)\n'
    document = read_article(write(tmp_path, "Text.\n\n" + kept))
    assert document.skeleton == "{{p:0}}\n\n" + kept


def test_a_file_of_only_code_exports_unchanged(tmp_path: Path) -> None:
    """A file with only code ingests with no segments and exports as it was."""
    text = "```python\nprint('*hi*')\n```\n"
    path = write(tmp_path, text)
    runner = CliRunner()
    ingested = runner.invoke(app, ["ingest", str(path)])
    assert ingested.exit_code == 0 and "0 segments" in ingested.stdout
    out = tmp_path / "out.my.md"
    args = ["export", "--format", "article", "--to", "my", str(path), "-o", str(out)]
    assert runner.invoke(app, args).exit_code == 0
    assert out.read_text("utf-8") == text


def test_blanks_at_a_paragraphs_ends_stay_in_the_skeleton(tmp_path: Path) -> None:
    """A no-break space opening a paragraph stays, as a character reference, outside the text."""
    path = write(tmp_path, "&nbsp;Indented line.\n")
    document = read_article(path)
    assert (document.skeleton, sources(document)) == (
        "&#xA0;{{p:0}}\n",
        [(K.TEXT, "Indented line.")],
    )
    assert same_rendering(path, tmp_path)


def test_an_exclamation_mark_before_a_link_stays_text(tmp_path: Path) -> None:
    """A ``!`` that ends a run before a link is escaped, so the link does not become an image."""
    path = write(tmp_path, "Look\\![here](/x) now.\n")
    again = identity_article(path, tmp_path / "identity.db")
    assert again == "Look\\![here](/x) now.\n"


def test_a_line_break_in_a_translated_cell_keeps_the_row() -> None:
    """A translation's line break is written as a space, so it cannot end a row or open a block."""
    skeleton = "| {{c:0}} | {{c:1}} |\n|---|---|\n"
    body = rebuild(skeleton, {0: escaper("c")("a\n\n# b", None), 1: "c"})
    assert element_tree(rendered(body))[-2:] == [("th", (), "a # b", ""), ("th", (), "c", "")]


def test_underscore_emphasis_inside_a_word_is_written_with_stars(tmp_path: Path) -> None:
    """A translation that puts _emphasis_ against a letter (Burmese) still renders emphasis."""
    from pipeline.formats.article import render as render_article
    from pipeline.records import Origin, State, TranslationDraft
    from pipeline.store import open_store

    path = write(tmp_path, "The _army_ left the town, and __all__ of it.\n")
    with open_store(str(tmp_path / "store.db")) as store:
        document = store.ingest(read_article(path)).document
        segment = store.segments(document.id)[0]
        em, strong = segment.codes[:2], segment.codes[2:]
        target = "စစ်တပ်သည်မြို့မှ ထွက်ခွာသွားသည်၊ အားလုံးပါ။"
        codes = (em[0].moved(0), em[1].moved(6), strong[0].moved(33), strong[1].moved(40))
        draft = TranslationDraft(
            segment.id, "my", target, State.REVIEWED, Origin.HUMAN, author="Thida", codes=codes
        )
        store.write_translations([draft])
        article = render_article(list(store.units([document.id], ["my"])), "my")
    html = parser().render(article)
    assert "<em>စစ်တပ်</em>" in html and "<strong>အားလုံး</strong>" in html
    assert "_" not in article
