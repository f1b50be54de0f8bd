"""Time argostranslate's own translate() path; runs inside the peer venv, not the project's.

Usage: python argos_peer.py JOB.json RESULT.json

JOB.json holds the article's paragraphs, each a list of sentences, and the pinned decoding
length. The paragraphs are joined as argostranslate expects an article ("\\n" between
paragraphs) and translate() does the rest; only two things are changed, both here:

* the sentence splitter: argostranslate picks MiniSBD, which downloads a model, so its class is
  replaced by one that returns the benchmark's own sentences for each paragraph;
* the decoded length: argostranslate passes no max_decoding_length, so every translate_batch
  call is forced to decode exactly the pinned number of tokens (min = max), like the others.

Beam size, threads, batch size and compute type come from Argos's own settings (ARGOS_BEAM_SIZE,
ARGOS_INTER_THREADS, ...), which the benchmark sets in the environment. Only translate() calls
after a warm-up call (which loads the model) are timed; the translation cache is emptied before
each, so every timed call translates the whole article.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, ClassVar


class GivenSentences:
    """A sentencizer that returns the sentences the benchmark gave for each paragraph."""

    sentences: ClassVar[dict[str, list[str]]] = {}

    def __init__(self, pkg: Any) -> None:
        self.pkg = pkg

    def split_sentences(self, text: str) -> list[str]:
        """Return the given sentences of a paragraph (the paragraph itself if unknown)."""
        return self.sentences.get(text, [text] if text.strip() else [])


def pin_decoding(length: int, lengths: list[int]) -> None:
    """Make every CTranslate2 translate_batch call decode exactly length tokens."""
    import ctranslate2

    class PinnedTranslator(ctranslate2.Translator):  # type: ignore[misc]
        def translate_batch(self, source: Any, *args: Any, **kwargs: Any) -> Any:
            kwargs["max_decoding_length"] = length
            kwargs["min_decoding_length"] = length
            results = super().translate_batch(source, *args, **kwargs)
            lengths.extend(len(r.hypotheses[0]) for r in results)
            return results

    ctranslate2.Translator = PinnedTranslator


def run(job: dict[str, Any]) -> dict[str, Any]:
    """Warm up, then time translate() over the whole article job["reps"] times."""
    lengths: list[int] = []
    pin_decoding(job["length"], lengths)
    from importlib.metadata import version

    from argostranslate import settings
    from argostranslate import translate as argos

    paragraphs: list[list[str]] = job["paragraphs"]
    GivenSentences.sentences = {" ".join(p): p for p in paragraphs}
    argos.MiniSBDSentencizer = GivenSentences  # the class PackageTranslation instantiates
    text = "\n".join(" ".join(p) for p in paragraphs)
    translation = argos.get_translation_from_codes(job["from_code"], job["to_code"])
    argos.translate("A warm-up sentence loads the model.", job["from_code"], job["to_code"])
    lengths.clear()
    times = []
    for _ in range(job["reps"]):
        translation.cache = {}  # CachedTranslation would otherwise skip the unchanged article
        start = time.perf_counter()
        output = argos.translate(text, job["from_code"], job["to_code"])
        times.append(time.perf_counter() - start)
    return {
        "times": times,
        "segments": sum(len(p) for p in paragraphs),
        "decoded": [min(lengths), max(lengths)] if lengths else None,
        "calls_per_article": len(paragraphs),
        "output_lines": len(output.split("\n")),
        "settings": {
            "argostranslate": version("argostranslate"),
            "beam_size": settings.beam_size,
            "inter_threads": settings.inter_threads,
            "intra_threads": settings.intra_threads,
            "batch_size_tokens": settings.batch_size,
            "compute_type": settings.compute_type,
            "device": settings.device,
        },
    }


def main() -> None:
    """Read the job, run it, write the result."""
    job = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    Path(sys.argv[2]).write_text(json.dumps(run(job)), encoding="utf-8")


if __name__ == "__main__":
    main()
