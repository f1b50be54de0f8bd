"""A store for export tests: the seed article plus small md, html and txt articles, with
translations in every state and origin (machine, memory, human, import, pseudo, QA-flagged,
edited after MT) into Burmese and Hindi."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pipeline.ingest import read_article
from pipeline.records import (
    Code,
    CodeType,
    Document,
    DocumentDraft,
    Flag,
    Origin,
    Segment,
    SegmentDraft,
    SegmentKind,
    Severity,
    Signature,
    State,
    TranslationDraft,
)
from pipeline.store import open_store
from pipeline.store.base import Store

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "2021-03-05-myanmar-police-cross-into-india.txt"
SCHEMAS = ROOT.parent / "shared" / "schemas"
WHEN = datetime(2021, 3, 5, 9, 30, tzinfo=UTC)

ARGOS = Signature("argos", "translate-en_my", "1.9", "ab" * 32, {"beam_size": 4})
ARGOS_HI = Signature("argos", "translate-en_hi", "1.1", "cd" * 32, {"beam_size": 4})
PSEUDO = Signature("pseudo", "pseudo", "0.1.0")
MEMORY = Signature("tm", model="translation:1")
COPY = Signature("copy", "source", options={"reason": "credit"})
NUMBERS = Flag("numbers", Severity.ERROR, "19 is missing from the target")
LENGTH = Flag("length", Severity.WARNING, "target is 3× the source\nlength")

MARKDOWN = """# Police cross *into* India

YANGON, March 5 (Reuters) - At least 19 officers crossed the border. Nobody else did.

- Officers fled on Feb 9.
"""
HTML = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Police cross</title></head>
<body>
<h1>Police &amp; army</h1>
<p>At least 19 officers crossed. Nobody else did.</p>
</body>
</html>
"""
SCRIPT = "Officials wrote <script>alert('x')</script> & left.\n\nA second paragraph.\n"


@dataclass(frozen=True)
class Target:
    """What one exported target should hold."""

    text: str
    state: State
    pseudo: bool = False
    flags: int = 0


@dataclass
class Kit:
    """The store, its documents and what each unit's targets should be."""

    store: Store
    seed: Document
    markdown: Document
    html: Document
    script: Document
    expected: dict[str, dict[str, Target]] = field(default_factory=dict)

    def segments(self, doc: Document) -> list[Segment]:
        """Return a document's segments in reading order."""
        return self.store.segments(doc.id)

    def write(
        self,
        segment: Segment,
        lang: str,
        text: str,
        state: State,
        origin: Origin,
        signature: Signature | None = None,
        *,
        score: float | None = None,
        author: str = "",
        flags: tuple[Flag, ...] = (),
    ) -> None:
        """Write one translation and record what exports should show for it."""
        draft = TranslationDraft(
            segment.id, lang, text, state, origin, signature, score, author, flags=flags
        )
        self.store.write_translations([draft])
        self.expected.setdefault(lang, {})[f"s{segment.id}"] = Target(
            text, state, pseudo=signature is PSEUDO, flags=len(draft.flags)
        )

    def target(self, unit_id: str, lang: str) -> Target:
        """Return the expected target of a unit (initial and empty when untranslated)."""
        return self.expected.get(lang, {}).get(unit_id, Target("", State.INITIAL))

    def documents(self) -> tuple[Document, ...]:
        """Return the four documents in export order."""
        return (self.seed, self.markdown, self.html, self.script)

    def unit_ids(self, *docs: Document) -> list[str]:
        """Return the unit ids of documents (default: all four) in export order."""
        chosen = docs or self.documents()
        return [f"s{s.id}" for doc in chosen for s in self.segments(doc)]


def write_file(folder: Path, name: str, text: str) -> Path:
    """Write a UTF-8 file and return its path."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def build(folder: Path) -> Kit:
    """Ingest the four articles into the test's store and translate them in every way."""
    store = open_store(os.environ["PIPELINE_STORE"])
    docs = [
        store.ingest(read_article(path)).document
        for path in (
            SEED,
            write_file(folder, "brief.md", MARKDOWN),
            write_file(folder, "page.html", HTML),
            write_file(folder, "script.txt", SCRIPT),
        )
    ]
    kit = Kit(store, *docs)
    seed = kit.segments(kit.seed)
    kit.write(seed[0], "my", "၂၀၂၁-၀၃-၀၅", State.FINAL, Origin.HUMAN, author="Thida")
    kit.write(seed[1], "my", "ရဲများ ဖြတ်ကျော်", State.REVIEWED, Origin.HUMAN, author="Thida")
    kit.write(seed[2], "my", "AP", State.FINAL, Origin.IMPORT, COPY)
    kit.write(
        seed[3],
        "my",
        "အနည်းဆုံး ရဲ ၁၉ ဦး",
        State.TRANSLATED,
        Origin.MT,
        ARGOS,
        score=-0.42,
        flags=(NUMBERS, LENGTH),
    )
    kit.write(seed[4], "my", "ပထမဆုံး အမှု", State.TRANSLATED, Origin.TM, MEMORY)
    kit.write(seed[5], "my", "တင်မောင်နိုင်", State.TRANSLATED, Origin.HUMAN, author="Aung")
    kit.write(seed[6], "my", "⟦Ìñ Ŵàšĥîñĝţöñ ····⟧", State.TRANSLATED, Origin.MT, PSEUDO)
    # Machine output first, then a reviewer's edit: the history keeps the MT text.
    kit.write(seed[7], "my", "မြန်မာ (MT)", State.TRANSLATED, Origin.MT, ARGOS, score=-1.0)
    kit.write(seed[7], "my", "မြန်မာ နိုင်ငံ", State.REVIEWED, Origin.HUMAN, author="Thida")
    kit.write(seed[8], "my", "", State.INITIAL, Origin.HUMAN)
    kit.write(seed[0], "hi", "2021-03-05", State.FINAL, Origin.IMPORT, COPY)
    kit.write(seed[3], "hi", "कम से कम 19 पुलिस", State.REVIEWED, Origin.MT, ARGOS_HI)
    kit.write(
        seed[4],
        "hi",
        'पहला "मामला" \\ टैब\tयहाँ',
        State.TRANSLATED,
        Origin.MT,
        ARGOS_HI,
        flags=(LENGTH,),
    )
    md = kit.segments(kit.markdown)
    kit.write(md[0], "my", "ရဲ *အိန္ဒိယ*", State.REVIEWED, Origin.HUMAN)
    page = kit.segments(kit.html)
    kit.write(page[0], "my", "ရဲ <b>", State.FINAL, Origin.HUMAN)
    script = kit.segments(kit.script)
    kit.write(
        script[0], "my", "<script>alert('my')</script> & ထွက်", State.TRANSLATED, Origin.MT, ARGOS
    )
    return kit


def review_all(kit: Kit, doc: Document, lang: str) -> dict[int, str]:
    """Mark every segment of a document reviewed with a marked text; return it by segment id."""
    texts = {s.id: f"«{s.source.upper()}»" for s in kit.segments(doc)}
    kit.store.write_translations(
        [
            TranslationDraft(seg_id, lang, text, State.REVIEWED, Origin.HUMAN, author="Thida")
            for seg_id, text in texts.items()
        ]
    )
    return texts


def lines(data: bytes) -> Iterator[str]:
    """Yield the decoded lines of a file."""
    yield from data.decode("utf-8").splitlines()


# --- coded text: segments whose inline markup is kept as codes ---------------------------

OPEN, CLOSE, ALONE = CodeType.OPEN, CodeType.CLOSE, CodeType.STANDALONE
LINK = '<a href="https://example.org/r?a=1&amp;b=2" title="The \'report\'">'
# Source text and codes per segment: a link holding emphasis and an image, then an
# emphasis that spans two sentences (isolated open, isolated close), then plain text.
CODED = (
    (
        "Read the full report here.",
        (
            Code(1, OPEN, "a", LINK, 5),
            Code(2, OPEN, "em", "<em>", 9),
            Code(2, CLOSE, "em", "</em>", 13),
            Code(1, CLOSE, "a", "</a>", 20),
            Code(3, ALONE, "img", '<img src="map.png" alt="A map">', 25),
        ),
    ),
    ("More came later.", (Code(1, OPEN, "em", "<em>", 0),)),
    ("Many more.", (Code(1, CLOSE, "em", "</em>", 10),)),
    ("Plain & simple <b>.", ()),
)
# Burmese targets: the same codes placed in the target text.
CODED_TARGETS = (
    (
        "အစီရင်ခံစာ အပြည့်အစုံ ဖတ်ပါ။",
        (
            Code(1, OPEN, "a", LINK, 0),
            Code(2, OPEN, "em", "<em>", 11),
            Code(2, CLOSE, "em", "</em>", 21),
            Code(1, CLOSE, "a", "</a>", 21),
            Code(3, ALONE, "img", '<img src="map.png" alt="A map">', 28),
        ),
    ),
    ("နောက်မှ ရောက်လာသည်။", (Code(1, OPEN, "em", "<em>", 0),)),
    ("အများကြီး။", (Code(1, CLOSE, "em", "</em>", 10),)),
    ("ရိုးရှင်း & <b>။", ()),
)


def coded_draft(uri: str = "/news/coded.html") -> DocumentDraft:
    """Return an article draft whose segments carry nested, standalone and isolated codes."""
    segments = tuple(
        SegmentDraft(0 if i < 3 else 1, i if i < 3 else 0, SegmentKind.TEXT, text, codes=codes)
        for i, (text, codes) in enumerate(CODED)
    )
    skeleton = "<p>{{p:0}}</p><p>{{p:1}}</p>"
    return DocumentDraft(uri, "Coded", "en", "html", "c0" * 32, skeleton, segments)


def build_coded(store: Store) -> list[Segment]:
    """Store the coded article with machine translations into Burmese; return its segments."""
    doc = store.ingest(coded_draft()).document
    segments = store.segments(doc.id)
    store.write_translations(
        [
            TranslationDraft(
                seg.id, "my", text, State.TRANSLATED, Origin.MT, ARGOS, author="", codes=codes
            )
            for seg, (text, codes) in zip(segments, CODED_TARGETS, strict=True)
        ]
    )
    return segments


def coded_store() -> Iterator[Store]:
    """Yield the test store with the coded article and its Burmese translation; close it."""
    db = open_store(os.environ["PIPELINE_STORE"])
    build_coded(db)
    yield db
    db.close()
