"""Review import: readers per format, each conflict kind, all-or-nothing writes, history."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pytest
import typer
from typer.testing import CliRunner

from pipeline.engines.pseudo import PseudoEngine, pseudo_translate
from pipeline.ingest import read_article
from pipeline.records import Origin, Segment, Signature, State, TranslationDraft
from pipeline.review import ReviewFile, read
from pipeline.review.apply import ImportReport, import_review
from pipeline.review.errors import ReviewFileError, ReviewImportError
from pipeline.store import open_store
from pipeline.store.base import Store

DATA = Path(__file__).resolve().parent / "data" / "review"
MT = Signature(engine="argos", model="translate-en_my", version="1.1", model_hash="ab" * 32)
# (unit id, source, target or None, XLIFF 1.2 state or None)
Row = tuple[str, str, str | None, str | None]


# -- helpers shared with the interop and round-trip tests ---------------------------------


def seeded_store(seed: Path) -> Store:
    """Return the test's store holding the seed article, MT into Burmese and pseudo into Hindi."""
    store = open_store(os.environ["PIPELINE_STORE"])
    doc = store.ingest(read_article(seed)).document
    segments = store.segments(doc.id)
    pseudo = PseudoEngine().signature("en", "hi")
    store.write_translations(
        [
            TranslationDraft(s.id, "my", f"[my] {s.source}", State.TRANSLATED, Origin.MT, MT)
            for s in segments
        ]
        + [
            TranslationDraft(
                s.id, "hi", pseudo_translate(s.source), State.TRANSLATED, Origin.MT, pseudo
            )
            for s in segments
        ]
    )
    return store


def latest_segments(store: Store) -> list[Segment]:
    """Return the segments of the only document's latest version."""
    return store.segments(store.documents()[0].id)


def xliff12(rows: Sequence[Row], lang: str | None = "my") -> str:
    """Return a minimal XLIFF 1.2 file for the rows, the way a CAT tool would save it."""
    units = []
    for uid, source, target, state in rows:
        attr = f" state={quoteattr(state)}" if state else ""
        tgt = f"<target{attr}>{escape(target)}</target>" if target is not None else ""
        units.append(
            f"<trans-unit id={quoteattr(uid)}><source>{escape(source)}</source>{tgt}</trans-unit>"
        )
    lang_attr = f" target-language={quoteattr(lang)}" if lang else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">'
        f'<file original="a.txt" source-language="en"{lang_attr} datatype="plaintext">'
        f"<body>{''.join(units)}</body></file></xliff>\n"
    )


def write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def edited(segments: Sequence[Segment], edits: dict[int, tuple[str, str]]) -> list[Row]:
    """Return rows for every segment: MT text as exported, or (text, state) for edited indexes."""
    rows: list[Row] = []
    for i, s in enumerate(segments):
        text, state = edits.get(i, (f"[my] {s.source}", "translated"))
        rows.append((f"s{s.id}", s.source, text, state))
    return rows


def review_cli() -> tuple[typer.Typer, list[str]]:
    """Return the app serving `review import` and the words before `import`."""
    import typer.main

    from pipeline.cli import app, friendly_errors

    if "review" in typer.main.get_command(app).commands:
        return app, ["review"]
    # Not mounted yet: serve the sub-app with the same error wrapper the main CLI uses.
    from pipeline.cli.review import import_file

    local = typer.Typer()
    local.callback()(lambda: None)
    local.command("import")(friendly_errors(import_file))
    return local, []


def run_import(*args: str) -> tuple[int, str, str]:
    """Run `pipeline review import ARGS` in-process; return exit code, stdout and stderr."""
    app, prefix = review_cli()
    result = CliRunner().invoke(app, [*prefix, "import", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def store(seed: Path) -> Iterator[Store]:
    """The seeded store, closed after the test."""
    db = seeded_store(seed)
    yield db
    db.close()


def import_text(store: Store, tmp_path: Path, text: str, **options: Any) -> ImportReport:
    """Write a reviewed XLIFF file and import it into the store."""
    return import_review(store, read(write(tmp_path, "reviewed.xlf", text)), **options)


def po_string(text: str) -> str:
    """Return text as a quoted PO string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


# -- readers ------------------------------------------------------------------------------


def test_xliff12_reader_maps_states() -> None:
    """XLIFF 1.2 states, approved="yes", phases, notes and inline markup read as our records."""
    units = {u.unit_id: u for u in read(DATA / "reviewed-12.xlf").units}
    assert {uid: u.state for uid, u in units.items()} == {
        "s1": State.INITIAL,
        "s2": State.INITIAL,
        "s3": State.TRANSLATED,
        "s4": State.REVIEWED,
        "s5": State.FINAL,
        "s6": State.REVIEWED,
        "s7": State.TRANSLATED,
        "s8": State.INITIAL,
    }
    assert units["s1"].target is None and units["s1"].target_lang == "my-MM"
    assert units["s3"].notes == ("check the name", "spelling fixed")
    assert units["s4"].source == "Signed off."
    assert units["s4"].target == "အတည်ပြုပြီး။"  # <g> text kept, <ph> native code dropped
    assert units["s4"].reviewer == "Thida Aung" and units["s5"].reviewer is None
    assert units["s8"].problem == "unknown XLIFF 1.2 state 'x-custom'"


def test_xliff20_reader_joins_segments() -> None:
    """XLIFF 2.0 units read with trgLang, states, notes, inline text and joined segments."""
    review = read(DATA / "reviewed-20.xlf")
    units = {u.unit_id: u for u in review.units}
    assert review.format == "xliff20"
    assert [u.state for u in review.units[:4]] == [
        State.INITIAL,
        State.TRANSLATED,
        State.REVIEWED,
        State.FINAL,
    ]
    assert units["s1"].target is None and units["s1"].target_lang == "hi-IN"
    assert units["s2"].notes == ("a note",)
    assert (units["s3"].source, units["s3"].target) == ("Reviewed text.", "समीक्षित पाठ।")
    # Segments and the ignorable between them join; the least advanced state wins.
    assert (units["s5"].source, units["s5"].target) == ("First. Second!", "पहला। दूसरा!")
    assert units["s5"].state is State.TRANSLATED
    assert units["s6"].state is State.TRANSLATED
    assert units["s7"].problem == "unknown XLIFF 2.0 state 'approved'"


def test_po_reader_keeps_context_fuzzy_and_final() -> None:
    """Babel keeps msgctxt and fuzzy: ids, states, language, translator and notes read right."""
    review = read(DATA / "reviewed.po")
    units = {u.unit_id: u for u in review.units}
    assert list(units) == ["s1", "s2", "s3", "s4", "s5"]  # the obsolete #~ entry is left out
    assert {uid: u.state for uid, u in units.items()} == {
        "s1": State.REVIEWED,
        "s2": State.TRANSLATED,
        "s3": State.FINAL,
        "s4": State.INITIAL,
        "s5": State.INITIAL,
    }
    assert units["s3"].source == "A long source over two lines."
    assert units["s3"].notes == ("translator's own remark",)
    assert {u.target_lang for u in review.units} == {"my_MM"}
    assert {u.reviewer for u in review.units} == {"Thida Aung"}


# -- applying -----------------------------------------------------------------------------


def test_edits_enter_history_as_human_revisions(store: Store, tmp_path: Path) -> None:
    """Changed targets and states become human revisions by the reviewer; history is kept."""
    segs = latest_segments(store)
    rows = edited(segs, {3: ("မြန်မာ ရဲ", "signed-off"), 4: (f"[my] {segs[4].source}", "final")})
    report = import_text(store, tmp_path, xliff12(rows), reviewer="Thida")
    assert (report.applied, report.unchanged, report.conflicts) == (2, len(segs) - 2, ())
    now = store.translations(segs[0].document_id, "my")
    first, second = now[segs[3].id], now[segs[4].id]
    assert (first.text, first.state, first.origin, first.author) == (
        "မြန်မာ ရဲ",
        State.REVIEWED,
        Origin.HUMAN,
        "Thida",
    )
    assert first.signature is None
    # Approving the machine text unchanged keeps the signature of how it was made.
    assert (second.state, second.origin, second.signature) == (State.FINAL, Origin.HUMAN, MT)
    history = store.revisions(first.id)
    assert [(r.origin, r.state) for r in history] == [
        (Origin.MT, State.TRANSLATED),
        (Origin.HUMAN, State.REVIEWED),
    ]
    assert history[-1].author == "Thida" and history[-1].note == "review import reviewed.xlf"


def test_importing_twice_is_a_noop(store: Store, tmp_path: Path) -> None:
    """The second import of the same file applies nothing and adds no history."""
    segs = latest_segments(store)
    path = write(tmp_path, "r.xlf", xliff12(edited(segs, {5: ("ပြင်ပြီး", "signed-off")})))
    assert import_review(store, read(path), reviewer="Thida").applied == 1
    tid = store.translations(segs[0].document_id, "my")[segs[5].id].id
    before = store.revisions(tid)
    again = import_review(store, read(path), reviewer="Someone else")
    assert (again.applied, again.unchanged, again.conflicts) == (0, len(segs), ())
    assert store.revisions(tid) == before


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (("s9999", "Nothing.", "x", "translated"), "unknown unit id: no such segment in the store"),
        (("p12", "Nothing.", "x", "translated"), "unknown unit id: no such segment in the store"),
        (("s{id}", "A different sentence.", "x", "translated"), "source differs"),
        (("s{id}", "{source}", "", "signed-off"), "empty target marked reviewed"),
        (("s{id}", "{source}", " ", "final"), "empty target marked final"),
        (("s{id}", "{source}", "x", "x-odd"), "unknown XLIFF 1.2 state 'x-odd'"),
    ],
)
def test_each_unit_conflict_stops_the_import(
    store: Store, tmp_path: Path, row: Row, reason: str
) -> None:
    """A unit conflict is reported with its id, and nothing else in the file is written."""
    segs = latest_segments(store)
    uid, source, target, state = row
    bad = (uid.format(id=segs[2].id), source.format(source=segs[2].source), target, state)
    rows = [*edited(segs[:2], {0: ("ပြင်ပြီး", "signed-off")}), bad]
    report = import_text(store, tmp_path, xliff12(rows), reviewer="Thida")
    assert report.stopped and report.applied == 0
    [conflict] = report.conflicts
    assert conflict.unit_id == bad[0] and reason in conflict.reason
    assert store.translations(segs[0].document_id, "my")[segs[0].id].origin is Origin.MT


def test_wrong_target_language_is_a_conflict(store: Store, tmp_path: Path) -> None:
    """A file for another language than --to, or for a language nobody knows, is a conflict."""
    segs = latest_segments(store)
    rows = edited(segs[:1], {0: ("ပြင်ပြီး", "signed-off")})
    against_to = import_text(store, tmp_path, xliff12(rows, "hi"), reviewer="T", to="my")
    assert "target language hi in the file, not --to my" in str(against_to.conflicts[0])
    unknown = import_text(store, tmp_path, xliff12(rows, "xx"), reviewer="T")
    assert [str(c) for c in unknown.conflicts] == [f"s{segs[0].id}: unknown target language 'xx'"]
    assert import_text(store, tmp_path, xliff12(rows, "my-MM"), reviewer="T").applied == 1


def test_file_without_language_needs_to(store: Store, tmp_path: Path) -> None:
    """A file naming no target language is refused without --to and imported with it."""
    segs = latest_segments(store)
    text = xliff12(edited(segs[:1], {0: ("ပြင်ပြီး", "signed-off")}), lang=None)
    with pytest.raises(ReviewImportError, match="names no target language; give it with --to"):
        import_text(store, tmp_path, text, reviewer="T")
    assert import_text(store, tmp_path, text, reviewer="T", to="my").applied == 1


def test_unedited_pseudo_approval_is_a_conflict(store: Store, tmp_path: Path) -> None:
    """Approving pseudo text as it is conflicts in the check; an edited approval applies."""
    segs = latest_segments(store)
    pseudo = pseudo_translate(segs[3].source)
    rows: list[Row] = [
        (f"s{segs[3].id}", segs[3].source, pseudo, "signed-off"),
        (f"s{segs[4].id}", segs[4].source, "हिंदी में", "signed-off"),
    ]
    report = import_text(store, tmp_path, xliff12(rows, "hi"), reviewer="Asha")
    assert [str(c) for c in report.conflicts] == [
        f"s{segs[3].id}: pseudo-translation marked reviewed without a human edit"
    ]
    report = import_text(store, tmp_path, xliff12(rows, "hi"), reviewer="Asha", skip_conflicts=True)
    assert report.applied == 1
    stored = store.translations(segs[0].document_id, "hi")[segs[4].id]
    assert (stored.text, stored.state, stored.signature) == ("हिंदी में", State.REVIEWED, None)


def test_duplicate_units_are_conflicts(store: Store, tmp_path: Path) -> None:
    """Two units for the same segment and language are both conflicts."""
    segs = latest_segments(store)
    row: Row = (f"s{segs[3].id}", segs[3].source, "တစ်", "signed-off")
    report = import_text(store, tmp_path, xliff12([row, (*row[:2], "နှစ်", "final")]), reviewer="T")
    assert [c.reason for c in report.conflicts] == ["the file has more than one unit for it"] * 2


def test_skip_conflicts_applies_the_rest(store: Store, tmp_path: Path) -> None:
    """With skip_conflicts the clean units are written and the conflicts reported."""
    segs = latest_segments(store)
    rows = [
        *edited(segs[:3], {1: ("ပြင်ပြီး", "signed-off")}),
        ("s9999", "Nothing.", "x", "translated"),
    ]
    report = import_text(store, tmp_path, xliff12(rows), reviewer="T", skip_conflicts=True)
    assert not report.stopped
    assert (report.applied, report.unchanged, len(report.conflicts)) == (1, 2, 1)
    assert store.translations(segs[0].document_id, "my")[segs[1].id].text == "ပြင်ပြီး"


def test_superseded_version_applies_to_the_latest(seed: Path, tmp_path: Path) -> None:
    """Units exported from an older version land on the latest one; a removed sentence conflicts."""
    article = tmp_path / seed.name
    shutil.copy(seed, article)
    store = seeded_store(article)
    old = latest_segments(store)
    text = article.read_text(encoding="utf-8").replace(old[5].source, "A brand new sentence.")
    article.write_text(text, encoding="utf-8")
    store.ingest(read_article(article))
    new = latest_segments(store)
    assert new[0].document_id != old[0].document_id
    rows = edited(old, {3: ("ပြင်ပြီး", "signed-off"), 5: ("ဖျက်ပြီး", "signed-off")})
    report = import_text(store, tmp_path, xliff12(rows), reviewer="T", skip_conflicts=True)
    assert [str(c) for c in report.conflicts] == [
        f"s{old[5].id}: article changed since export: the segment is gone from its new version"
    ]
    assert report.applied == 1
    latest = store.translations(new[0].document_id, "my")
    moved = next(s for s in new if s.source == old[3].source)
    assert (latest[moved.id].text, latest[moved.id].state) == ("ပြင်ပြီး", State.REVIEWED)
    assert store.translations(old[0].document_id, "my")[old[3].id].state is State.TRANSLATED
    store.close()


def test_reviewer_from_po_header_unless_given(store: Store, tmp_path: Path) -> None:
    """The PO Last-Translator (without e-mail) is the reviewer; --reviewer overrides it."""
    segs = latest_segments(store)

    def po(ctx: int, target: str) -> str:
        return (
            'msgid ""\nmsgstr ""\n"Language: my_MM\\n"\n'
            '"Last-Translator: Thida Aung <thida@example.org>\\n"\n'
            '"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
            f'msgctxt "s{segs[ctx].id}"\nmsgid {po_string(segs[ctx].source)}\nmsgstr "{target}"\n'
        )

    import_review(store, read(write(tmp_path, "a.po", po(3, "တစ်"))))
    import_review(store, read(write(tmp_path, "b.po", po(4, "နှစ်"))), reviewer="Mya")
    done = store.translations(segs[0].document_id, "my")
    assert (done[segs[3].id].author, done[segs[3].id].state) == ("Thida Aung", State.REVIEWED)
    assert done[segs[4].id].author == "Mya"


def test_missing_reviewer_is_an_error(store: Store, tmp_path: Path) -> None:
    """A file with edits but no reviewer in it asks for --reviewer and writes nothing."""
    segs = latest_segments(store)
    text = xliff12(edited(segs[:1], {0: ("ပြင်ပြီး", "signed-off")}))
    with pytest.raises(ReviewImportError, match="give one with --reviewer"):
        import_text(store, tmp_path, text)
    assert store.translations(segs[0].document_id, "my")[segs[0].id].origin is Origin.MT


# -- the command --------------------------------------------------------------------------


def test_cli_reports_conflicts_and_exits_non_zero(store: Store, tmp_path: Path) -> None:
    """The command prints counts and one line per conflict, and fails when they stopped it."""
    segs = latest_segments(store)
    rows = [*edited(segs[:2], {0: ("ပြင်ပြီး", "signed-off")}), ("s9999", "x", "y", "final")]
    path = write(tmp_path, "reviewed.xlf", xliff12(rows))
    code, out, err = run_import(str(path), "--reviewer", "Thida")
    assert code == 7
    assert out.strip() == "reviewed.xlf: applied 0, unchanged 1, conflicts 1"
    assert err.splitlines() == [
        "s9999: unknown unit id: no such segment in the store (the file is from a.txt)",
        "error: 1 conflict; nothing imported (fix them, or apply the rest with --skip-conflicts)",
    ]
    code, out, err = run_import(str(path), "--reviewer", "Thida", "--skip-conflicts")
    assert code == 0 and "applied 1, unchanged 1, conflicts 1" in out


def test_cli_imports_po_and_xliff20_fixture_formats(store: Store, tmp_path: Path) -> None:
    """The command picks the reader from the file: PO and XLIFF 2.0 both import."""
    segs = latest_segments(store)
    po = write(
        tmp_path,
        "r.po",
        f'msgid ""\nmsgstr "Language: my\\n"\n\n#. state: final\n'
        f'msgctxt "s{segs[3].id}"\nmsgid {po_string(segs[3].source)}\nmsgstr "နောက်ဆုံး"\n',
    )
    xlf = write(
        tmp_path,
        "r.xlf",
        '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" '
        f'trgLang="my"><file id="f"><unit id="s{segs[4].id}"><segment state="reviewed">'
        f"<source>{escape(segs[4].source)}</source><target>စစ်ပြီး</target></segment>"
        "</unit></file></xliff>",
    )
    assert run_import(str(po), "--reviewer", "T")[0] == 0
    assert run_import(str(xlf), "--reviewer", "T")[0] == 0
    done = store.translations(segs[0].document_id, "my")
    assert done[segs[3].id].state is State.FINAL and done[segs[4].id].state is State.REVIEWED


MALFORMED = {
    "not-xml.xlf": (b"this is not XML at all", "not well-formed XML"),
    "tmx.xlf": (b'<tmx version="1.4"><body/></tmx>', "use pipeline tm import"),
    "v3.xlf": (b'<xliff version="3.0"><file/></xliff>', "XLIFF 3.0, expected XLIFF 1.x"),
    "truncated.xlf": (
        b'<xliff version="1.2"><file target-language="my"><body><trans-unit id="s1">',
        "not well-formed XML",
    ),
    "latin1.xlf": (
        '<?xml version="1.0" encoding="UTF-8"?><xliff version="1.2"><file><body>'
        '<trans-unit id="s1"><source>café</source></trans-unit></body></file></xliff>'.encode(
            "latin-1"
        ),
        "not well-formed XML",
    ),
    "entities.xlf": (
        b'<?xml version="1.0"?><!DOCTYPE xliff [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><xliff version="1.2"><file><body>'
        b'<trans-unit id="s1"><source>&b;</source></trans-unit></body></file></xliff>',
        "internal DTD subset; refused for safety",
    ),
    "empty.xlf": (b'<xliff version="1.2"><file><body/></file></xliff>', "no translation units"),
    "broken.po": (b'msgctxt "s1"\nmsgid "a"\n', "not a valid PO file"),
    "garbage.po": (b"hello, world\n", "not a valid PO file"),
    "latin1.po": (
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgctxt "s1"\nmsgid "a"\nmsgstr "café"\n'.encode("latin-1"),
        "not valid utf-8 text at byte",
    ),
    "header-only.po": (b'msgid ""\nmsgstr "Language: my\\n"\n', "no translation units"),
    "notes.txt": (b"plain notes", "not a review file"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_file_is_one_line_and_writes_nothing(
    store: Store, tmp_path: Path, name: str
) -> None:
    """A file that is not XLIFF or PO, or is broken, fails in one line and writes nothing."""
    data, message = MALFORMED[name]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ReviewFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read(path)
    before = os.path.getmtime(os.environ["PIPELINE_STORE"])
    code, out, err = run_import(str(path), "--reviewer", "T", "--to", "my")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"error: {name}: ")
    assert os.path.getmtime(os.environ["PIPELINE_STORE"]) == before


def test_missing_file_and_missing_store(tmp_path: Path) -> None:
    """A missing file, or no store to import into, is one line and creates no store."""
    code, _, err = run_import(str(tmp_path / "gone.xlf"))
    assert code == 2 and err.strip().endswith("gone.xlf: no such file")
    path = tmp_path / "ok.po"
    path.write_bytes((DATA / "reviewed.po").read_bytes())
    code, _, err = run_import(str(path))
    assert code != 0 and err.startswith("error: no store at")
    assert not Path(os.environ["PIPELINE_STORE"]).exists()


def test_readers_return_review_files() -> None:
    """Every fixture reads as a ReviewFile of its own format."""
    formats = {p.name: read(p).format for p in sorted(DATA.iterdir()) if p.is_file()}
    assert formats == {
        "reviewed-12.xlf": "xliff12",
        "reviewed-20.xlf": "xliff20",
        "reviewed.po": "po",
    }
    assert isinstance(read(DATA / "reviewed.po"), ReviewFile)


def test_zawgyi_target_is_converted_recorded_and_checked(seed: Path, tmp_path: Path) -> None:
    """A Zawgyi target is stored as Unicode, the conversion noted, and QA runs on the edit."""
    store = seeded_store(seed)
    seg = next(s for s in latest_segments(store) if "1,500" in s.source)
    zawgyi = "လူ ၁,၅၀၀ ေက်ာ္ကိုလည္း ဖမ္းဆီးထားသည္။"
    unicode = "လူ ၁,၅၀၀ ကျော်ကိုလည်း ဖမ်းဆီးထားသည်။"
    path = write(tmp_path, "z.xlf", xliff12([(f"s{seg.id}", seg.source, zawgyi, "signed-off")]))
    report = import_review(store, read(path), reviewer="Thida")
    assert report.applied == 1
    stored = store.translations(seg.document_id, "my")[seg.id]
    assert stored.text == unicode and stored.state is State.REVIEWED
    assert "zawgyi" in store.revisions(stored.id)[-1].note.lower()
    assert all(f.check != "zawgyi" for f in stored.flags)
    # The seed says 1,500; the target says ၁,၅၀၀: the same number, so no numbers flag.
    assert all(f.check != "numbers" for f in stored.flags)
    again = import_review(store, read(path), reviewer="Thida")
    assert (again.applied, again.unchanged) == (0, 1)


def test_review_import_names_each_converted_unit(seed: Path, tmp_path: Path) -> None:
    """No silent repair: the summary names the unit whose Zawgyi target was converted."""
    from pipeline.cli import app

    store = seeded_store(seed)
    first, second = [s for s in latest_segments(store) if s.source.strip()][:2]
    store.close()
    zawgyi = "ေက်ာ္ကိုလည္း ဖမ္းဆီးထားသည္။"
    unicode = "ကျော်ကိုလည်း ဖမ်းဆီးထားသည်။"
    rows = [
        (f"s{first.id}", first.source, zawgyi, "signed-off"),
        (f"s{second.id}", second.source, unicode, "signed-off"),
    ]
    path = write(tmp_path, "z.xlf", xliff12(rows))
    result = CliRunner().invoke(app, ["review", "import", str(path), "--reviewer", "Thida"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert f"s{first.id}: target converted from Zawgyi" in lines[0]
    # The made-up targets drop the source's numbers: their QA errors are counted after.
    assert lines[-1].startswith(
        f"z.xlf: applied 2, unchanged 0, conflicts 0, repaired 1 (s{first.id}), QA errors "
    )
    assert not any(line.startswith(f"s{second.id}") for line in lines)
    again = CliRunner().invoke(app, ["review", "import", str(path), "--reviewer", "Thida"])
    # Converted again, so named again, though nothing is written the second time.
    assert again.stdout.splitlines()[-1].endswith(
        f"unchanged 2, conflicts 0, repaired 1 (s{first.id})"
    )


def test_edited_target_gets_fresh_qa_flags(seed: Path, tmp_path: Path) -> None:
    """A reviewer's text that changes a number is stored with a numbers error."""
    store = seeded_store(seed)
    seg = next(s for s in latest_segments(store) if "1,500" in s.source)
    wrong = "လူ ၁,၆၀၀ ကျော်ကိုလည်း ဖမ်းဆီးထားသည်။"
    path = write(tmp_path, "n.xlf", xliff12([(f"s{seg.id}", seg.source, wrong, "translated")]))
    import_review(store, read(path), reviewer="Thida")
    flags = store.translations(seg.document_id, "my")[seg.id].flags
    assert [f.check for f in flags if f.severity.value == "error"] == ["numbers", "numbers"]


def test_a_file_from_another_store_names_its_document(tmp_path: Path) -> None:
    """Units whose ids exist but whose sources differ name the document the file came from."""
    from tests.publishkit import cli

    first, second = tmp_path / "police.txt", tmp_path / "weather.txt"
    first.write_text("Police crossed the border.\n", encoding="utf-8")
    second.write_text("Rain fell on Yangon.\n", encoding="utf-8")
    stores = {first: str(tmp_path / "a.db"), second: str(tmp_path / "b.db")}
    for article, location in stores.items():
        assert cli("ingest", str(article), "--store", location)[0] == 0
    xlf = tmp_path / "police.my.xlf"
    code, _, err = cli(
        "export", "--format", "xliff12", "--to", "my", "1", "-o", str(xlf), "--store", stores[first]
    )
    assert code == 0, err
    code, _, err = cli(
        "review", "import", str(xlf), "--reviewer", "Thida", "--store", stores[second]
    )
    assert code == 7
    assert (
        f"s1: source differs from the stored source; the file is from {first} (document 1),"
        f" not {second} (document 1)"
    ) in err


def test_a_conflict_on_an_id_holding_a_line_break_is_one_line() -> None:
    """A unit id from outside that holds a line break is shown escaped: one line per conflict."""
    from pipeline.review.apply import Conflict

    assert str(Conflict("s1\nerror: forged", "unknown unit id")).count("\n") == 0
    assert str(Conflict("s12", "unknown unit id")) == "s12: unknown unit id"
