"""Model output hygiene: the control tokens a model can emit never reach a translation.

Multilingual and badly converged models emit their own control tokens anywhere in a
hypothesis, not only where CTranslate2 puts them: target-language tags (``__my__``,
NLLB's ``mya_Mymr``, Marian's ``>>mya<<``), sentence marks (``<s>``, ``</s>``), ``<pad>`` and
``<unk>``, which SentencePiece would decode as " ⁇ ". A random-weight test model does all of
these. A package's control tokens are read once, when it loads, from what it ships:

- the tokens its config names (``bos_token``, ``eos_token``, ``unk_token``,
  ``decoder_start_token``) and its target prefix;
- the pieces its target SentencePiece model marks as control or unknown;
- every entry of its target vocabulary shaped like a language tag or a ``<...>`` mark.

Such tokens are dropped before decoding (``keep``). A model can also spell a tag out of
ordinary pieces ("▁__", "my", "__"), so the decoded text is scrubbed too (``scrub``): a
control token's text is removed unless the source itself holds it (an article about HTML
may quote ``</s>``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# __my__, __zh_Hant__, __en-US__ (fairseq, M2M-100, Argos multilingual packages)
_FAIRSEQ_TAG = r"__[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*__"
# mya_Mymr, hin_Deva, eng_Latn (NLLB, FLORES-200)
_FLORES_TAG = r"[a-z]{3}_[A-Z][a-z]{3}"
# >>mya<<, >>hin<< (Marian multilingual targets)
_MARIAN_TAG = r">>[A-Za-z_]{2,12}<<"
# <s>, </s>, <pad>, <unk>, <blank>, <2my>, <|endoftext|>
_MARK = r"</?[A-Za-z0-9_|]{1,24}>"
CONTROL_SHAPE = re.compile(rf"(?:{_FAIRSEQ_TAG}|{_FLORES_TAG}|{_MARIAN_TAG}|{_MARK})")
CONFIG_TOKENS = ("bos_token", "eos_token", "unk_token", "decoder_start_token")
DEFAULT_TOKENS = ("<s>", "</s>", "<unk>", "<pad>", "<blank>")
TARGET_VOCABULARIES = tuple(
    f"{side}_vocabulary.{ext}" for side in ("target", "shared") for ext in ("json", "txt")
)


def is_control_shaped(token: str) -> bool:
    """Return whether a vocabulary entry looks like a language tag or a control mark.

    >>> [is_control_shaped(t) for t in ("__my__", "mya_Mymr", ">>hin<<", "</s>", "<unk>")]
    [True, True, True, True, True]
    >>> [is_control_shaped(t) for t in ("▁__init__", "max_len", "▁Mymr", "<", "a<b>c")]
    [False, False, False, False, False]
    """
    return CONTROL_SHAPE.fullmatch(token) is not None


def target_vocabulary(model_dir: Path) -> list[str]:
    """Return the target vocabulary a CTranslate2 model directory holds, or [] if unreadable."""
    for name in TARGET_VOCABULARIES:
        path = model_dir / name
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
            if name.endswith(".json"):
                tokens = json.loads(text)
                return [t for t in tokens if isinstance(t, str)] if isinstance(tokens, list) else []
            return text.splitlines()
        except (OSError, ValueError):
            return []
    return []


def sentencepiece_controls(processor: Any) -> set[str]:
    """Return the pieces a SentencePiece model marks as control or unknown, and tag-like ones."""
    found = set()
    for i in range(processor.get_piece_size()):
        piece = processor.id_to_piece(i)
        if processor.is_control(i) or processor.is_unknown(i) or is_control_shaped(piece):
            found.add(piece)
    return found


def config_tokens(model_dir: Path) -> set[str]:
    """Return the special tokens a model's config.json names (CTranslate2 3 and later)."""
    try:
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    if not isinstance(config, dict):
        return set()
    return {v for k in CONFIG_TOKENS if isinstance(v := config.get(k), str) and v}


@dataclass(frozen=True)
class ControlTokens:
    """One package's control tokens, and the pattern that finds their text in output."""

    tokens: frozenset[str]
    _pattern: re.Pattern[str] | None

    @classmethod
    def of(cls, tokens: Iterable[str]) -> ControlTokens:
        """Return the control set of tokens (blank entries ignored)."""
        found = frozenset(t for t in tokens if t.strip())
        # Longest first, so "</s>" wins over a shorter "<s" of another vocabulary.
        texts = sorted({t.strip().lstrip("\u2581") for t in found} - {""}, key=len, reverse=True)
        pattern = re.compile("|".join(re.escape(t) for t in texts)) if texts else None
        return cls(found, pattern)

    @classmethod
    def for_model(
        cls, model_dir: Path, *, extra: Iterable[str] = (), processor: Any = None
    ) -> ControlTokens:
        """Return the control tokens of a model directory, its tokenizer and extra tokens."""
        tokens = set(DEFAULT_TOKENS) | config_tokens(model_dir) | set(extra)
        tokens |= {t for t in target_vocabulary(model_dir) if is_control_shaped(t)}
        if processor is not None:
            tokens |= sentencepiece_controls(processor)
        return cls.of(tokens)

    def keep(self, tokens: Sequence[str]) -> list[int]:
        """Return the positions of the tokens that are not control tokens."""
        return [i for i, token in enumerate(tokens) if token not in self.tokens]

    def scrub(self, text: str, source: str = "") -> str:
        """Return text without any control token's text that the source does not hold.

        >>> controls = ControlTokens.of(["__my__", "</s>", "<unk>"])
        >>> controls.scrub("မင်္ဂလာ __my__ ပါ</s>")
        'မင်္ဂလာ ပါ'
        >>> controls.scrub("HTML closes with </s>", source="Write </s> to close")
        'HTML closes with </s>'
        """
        if self._pattern is None:
            return text
        pattern = self._pattern

        def drop(match: re.Match[str]) -> str:
            return match.group(0) if match.group(0) in source else ""

        cleaned = pattern.sub(drop, text)
        if cleaned == text:
            return text
        # A removed tag leaves its spaces behind: collapse what it doubled, trim the ends.
        return re.sub(r"[ \t]{2,}", " ", cleaned).strip()
