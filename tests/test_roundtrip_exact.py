"""Exact round trips over the corpora: an export imported untouched changes nothing, any format.

Every file of ``../shared/corpus`` that ingest reads (the 38 news pages, the 655 CommonMark
spec examples as Markdown documents) goes into one store per corpus and is pseudo-translated
into Burmese. Each format is then exported with ``pipeline export``, imported back as it is
with ``pipeline review import`` and ``pipeline tm import``, and the store compared: the same
translations, texts, states, codes and revisions, no memory entry added, and the import says
it applied nothing and met no conflict. The same holds for a language with no translation
at all (Hindi): the file carries every source and no target, and importing it is a no-op.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.engines import load_engine
from pipeline.ingest import read_article
from pipeline.records import Document
from pipeline.store import open_store
from pipeline.translate import TranslationJob
from tests.articlekit import CORPUS
from tests.test_corpus_commonmark import spec_examples

FORMATS = {
    "xliff12": "xlf",
    "xliff20": "xlf",
    "po": "po",
    "tmx": "tmx",
    "tsv": "tsv",
    "csv": "csv",
    "jsonl": "jsonl",
}
REPORT = re.compile(r": applied (\d+), unchanged (\d+), conflicts (\d+)")
runner = CliRunner()


@dataclass(frozen=True)
class Corpus:
    """One corpus in its own store, pseudo-translated into Burmese."""

    name: str
    store: str
    documents: tuple[Document, ...]
    segments: int


def _build(name: str, files: list[Path], folder: Path) -> Corpus:
    """Ingest files into a new store and pseudo-translate them into Burmese."""
    path = str(folder / f"{name}.db")
    with open_store(path) as store:
        docs = tuple(store.ingest(read_article(f, "en")).document for f in files)
        job = TranslationJob(store, load_engine("pseudo"), docs, ["my"])
        job.plan()
        job.run()
        count = sum(len(store.segments(d.id)) for d in docs)
    return Corpus(name, path, docs, count)


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Corpus]:
    """Return the news pages and the CommonMark examples, each in one translated store."""
    folder = tmp_path_factory.mktemp("exact")
    examples = []
    for number, markdown in enumerate(spec_examples(), start=1):
        path = folder / f"example-{number}.md"
        path.write_text(markdown, "utf-8")
        examples.append(path)
    news = sorted((CORPUS / "news").glob("*.html"))
    assert len(news) == 38 and len(examples) == 655
    return {
        "news": _build("news", news, folder),
        "commonmark": _build("commonmark", examples, folder),
    }


def cli(*args: str) -> tuple[int, str]:
    """Run the CLI in-process; return the exit code and everything it printed."""
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def state(corpus: Corpus, lang: str) -> Iterator[object]:
    """Yield everything an import could change: translations, revisions and memory."""
    with open_store(corpus.store) as store:
        for doc in corpus.documents:
            for seg_id, t in sorted(store.translations(doc.id, lang).items()):
                yield seg_id, t.text, t.codes, t.state, t.origin, t.author, t.updated_at
            yield sorted(store.revision_ids(doc.id, lang).items())
        yield sorted(e.key for e in store.memory_entries())


def untouched(corpus: Corpus, fmt: str, lang: str, folder: Path) -> tuple[str, str]:
    """Export a corpus in a format, import the file as it is; return both imports' output."""
    path = folder / f"{corpus.name}.{lang}.{FORMATS[fmt]}"
    store = ("--store", corpus.store)
    code, out = cli("export", "--format", fmt, "--to", lang, "-o", str(path), *store)
    assert code == 0, out
    code, review = cli("review", "import", str(path), "--to", lang, *store)
    assert code == 0, review
    code, memory = cli("tm", "import", str(path), "--to", lang, *store)
    assert code == 0, memory
    return review, memory


@pytest.mark.parametrize("name", ["news", "commonmark"])
@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("lang", ["my", "hi"], ids=["pseudo", "untranslated"])
def test_an_untouched_export_imports_as_nothing(
    corpora: dict[str, Corpus], name: str, fmt: str, lang: str, tmp_path: Path
) -> None:
    """An export imported untouched changes no translation, revision or memory, and says so."""
    corpus = corpora[name]
    before = list(state(corpus, lang))
    review, memory = untouched(corpus, fmt, lang, tmp_path)
    found = REPORT.search(review)
    assert found is not None, review
    applied, unchanged, conflicts = map(int, found.groups())
    assert (applied, conflicts) == (0, 0), review
    assert unchanged == corpus.segments
    assert " 0 entries added" in memory, memory
    assert list(state(corpus, lang)) == before
