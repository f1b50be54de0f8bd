"""Convert Hugging Face MT models into Argos packages with CTranslate2's converters.

NLLB-200 and M2M-100 read [source language token, pieces..., </s>] and start their output
with the target language token; OPUS-MT (Marian) models read [pieces..., </s>], and the
multi-target ones need a ``>>mya<<``-style target label first. CTranslate2 adds those source
tokens itself from ``add_source_bos``/``bos_token``/``add_source_eos`` in the model's
config.json (CTranslate2 uses ``bos_token`` for nothing else in a translation model, since the
converter pins ``decoder_start_token``), and the engine passes ``target_prefix`` from
metadata.json and strips it from the output. So a built package runs on the engine unchanged.

Conversion needs the optional 'convert' extra (transformers; torch installed separately, CPU
build); it is imported only when a model is converted.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from pipeline.errors import PackageError

QUANTIZATIONS = ("int8", "int8_float32", "int8_float16", "int16", "float16", "float32")
DEFAULT_QUANTIZATION = "int8"
DEFAULT_VERSION = "1.0"
ARGOS_VERSION = "1.9"
# Hub files a conversion never reads: other frameworks' weights.
NOT_NEEDED = ["*.h5", "*.msgpack", "*.ot", "*.onnx", "tf_model*", "flax_model*", "rust_model*"]
TAG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")

# NLLB-200 (FLORES-200) codes of the languages a newsroom is likeliest to need, by Argos code.
NLLB_CODES = {
    "ar": "arb_Arab",
    "bn": "ben_Beng",
    "de": "deu_Latn",
    "en": "eng_Latn",
    "es": "spa_Latn",
    "fr": "fra_Latn",
    "gu": "guj_Gujr",
    "hi": "hin_Deva",
    "id": "ind_Latn",
    "ja": "jpn_Jpan",
    "km": "khm_Khmr",
    "kn": "kan_Knda",
    "ko": "kor_Hang",
    "lo": "lao_Laoo",
    "ml": "mal_Mlym",
    "mr": "mar_Deva",
    "ms": "zsm_Latn",
    "my": "mya_Mymr",
    "ne": "npi_Deva",
    "pa": "pan_Guru",
    "pt": "por_Latn",
    "ru": "rus_Cyrl",
    "si": "sin_Sinh",
    "ta": "tam_Taml",
    "te": "tel_Telu",
    "th": "tha_Thai",
    "ur": "urd_Arab",
    "vi": "vie_Latn",
    "zh": "zho_Hans",
    "zt": "zho_Hant",
}


class ModelKind(StrEnum):
    """The model families pipeline.build converts, told apart by their Hugging Face config."""

    NLLB = "nllb"
    M2M100 = "m2m100"
    MARIAN = "marian"


# The SentencePiece files each kind ships on the hub, and their names in an Argos package.
TOKENIZER_FILES = {
    ModelKind.NLLB: {"sentencepiece.bpe.model": "sentencepiece.model"},
    ModelKind.M2M100: {"sentencepiece.bpe.model": "sentencepiece.model"},
    ModelKind.MARIAN: {"source.spm": "source.spm", "target.spm": "target.spm"},
}


@dataclass(frozen=True)
class SourceModel:
    """A Hugging Face model on local disk: its name, directory, revision and kind."""

    name: str
    path: Path
    revision: str | None
    kind: ModelKind


@dataclass(frozen=True)
class LanguageTokens:
    """The tokens one direction needs: before the source, and at the start of the output."""

    source: str | None  # CTranslate2 puts it before every source (config bos_token)
    target_prefix: str  # the engine passes it as target_prefix; "" for none


@dataclass(frozen=True)
class BuiltPackage:
    """An .argosmodel archive written by build_packages."""

    code: str
    from_code: str
    to_code: str
    version: str
    archive: Path
    tokens: LanguageTokens
    licence: str
    source: SourceModel


def require_convert_extra() -> None:
    """Raise PackageError, naming what to install, unless the convert extra and torch import."""
    from pipeline.install import missing_convert_extra

    missing = missing_convert_extra()
    if missing is not None:
        raise PackageError(missing)


def detect_kind(model_dir: Path) -> ModelKind:
    """Return the kind of a Hugging Face model directory from its config.json."""
    config = _read_json(model_dir / "config.json")
    model_type = config.get("model_type")
    if model_type == "marian":
        return ModelKind.MARIAN
    if model_type == "m2m_100":
        # NLLB-200 shares M2M-100's architecture; only its tokenizer (and codes) differ.
        tokenizer_config = _read_json(model_dir / "tokenizer_config.json", missing_ok=True)
        names = (config.get("tokenizer_class"), tokenizer_config.get("tokenizer_class"))
        is_nllb = any(isinstance(n, str) and "nllb" in n.lower() for n in names)
        return ModelKind.NLLB if is_nllb else ModelKind.M2M100
    raise PackageError(
        f"{model_dir}: model type {model_type!r} is not supported; pipeline models build"
        " converts NLLB-200, M2M-100 and OPUS-MT (Marian) models"
    )


def _read_json(path: Path, *, missing_ok: bool = False) -> dict[str, Any]:
    """Return a JSON object from a file; {} for a missing file when missing_ok."""
    if missing_ok and not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise PackageError(f"cannot read {path}: {err}") from None
    if not isinstance(data, dict):
        raise PackageError(f"{path} is not a JSON object")
    return data


def locate_model(name: str, revision: str | None = None) -> SourceModel:
    """Return a model directory: name itself if it is one, else a Hugging Face Hub download."""
    local = Path(name).expanduser()
    if local.is_dir():
        return SourceModel(str(local), local, revision, detect_kind(local))
    hub: Any = importlib.import_module("huggingface_hub")
    try:
        files = hub.list_repo_files(name, revision=revision)
        # Repos holding both formats would otherwise download the weights twice.
        skip = NOT_NEEDED + (["*.bin"] if any(f.endswith(".safetensors") for f in files) else [])
        path = Path(hub.snapshot_download(name, revision=revision, ignore_patterns=skip))
    except Exception as err:  # the hub raises HTTP, offline and auth errors of many types
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise PackageError(
            f"cannot fetch {name} from Hugging Face ({reason}); give a local model directory"
            " or connect to the network"
        ) from None
    return SourceModel(name, path, path.name, detect_kind(path))


def read_vocabulary(model_dir: Path, side: str) -> list[str]:
    """Return a CTranslate2 model's source or target vocabulary."""
    for stem in ("shared_vocabulary", f"{side}_vocabulary"):
        if (model_dir / f"{stem}.json").is_file():
            tokens: list[str] = json.loads((model_dir / f"{stem}.json").read_text("utf-8"))
            return tokens
        if (model_dir / f"{stem}.txt").is_file():
            return (model_dir / f"{stem}.txt").read_text("utf-8").splitlines()
    raise PackageError(f"{model_dir} has no {side} vocabulary")


def _marian_labels(to_code: str) -> list[str]:
    """Return the target labels an OPUS-MT model may use for a language, likeliest first."""
    nllb = NLLB_CODES.get(to_code)
    names = [nllb, nllb.split("_")[0]] if nllb else []
    return [f">>{n}<<" for n in dict.fromkeys([*names, to_code])]


def language_tokens(
    kind: ModelKind,
    from_code: str,
    to_code: str,
    source_vocabulary: Sequence[str],
    target_vocabulary: Sequence[str],
    *,
    source_token: str | None = None,
    target_token: str | None = None,
) -> LanguageTokens:
    """Return the language tokens of one direction, checked against the model's vocabularies."""
    sources, targets = set(source_vocabulary), set(target_vocabulary)
    if kind is ModelKind.MARIAN:
        if source_token is not None:
            raise PackageError("OPUS-MT models take no source token; use --target-token")
        labels = sorted(t for t in sources if t.startswith(">>") and t.endswith("<<"))
        if target_token is None and not labels:
            return LanguageTokens(None, "")  # one target language: no label
        label = target_token or next((t for t in _marian_labels(to_code) if t in sources), None)
        if label is None:
            shown = ", ".join(labels[:8]) + (", ..." if len(labels) > 8 else "")
            raise PackageError(
                f"the model needs a target label and has none for {to_code!r} (it has {shown});"
                " pass one with --target-token"
            )
        _check_token(label, sources, "source")
        return LanguageTokens(label, "")
    if kind is ModelKind.NLLB:
        source = source_token or _nllb_code(from_code)
        target = target_token or _nllb_code(to_code)
    else:
        source, target = source_token or f"__{from_code}__", target_token or f"__{to_code}__"
    _check_token(source, sources, "source")
    _check_token(target, targets, "target")
    return LanguageTokens(source, target)


def _nllb_code(code: str) -> str:
    """Return the NLLB-200 code of an Argos language code."""
    if code in NLLB_CODES:
        return NLLB_CODES[code]
    raise PackageError(
        f"no NLLB-200 code is known for {code!r}; pass one with --source-token or"
        " --target-token, e.g. --target-token mya_Mymr"
    )


def _check_token(token: str, vocabulary: set[str], side: str) -> None:
    """Raise PackageError unless a language token is in the model's vocabulary."""
    if token not in vocabulary:
        raise PackageError(
            f"{token!r} is not in the model's {side} vocabulary, so it does not translate"
            " that language; check the language codes or pass --source-token/--target-token"
        )


def with_language_tokens(tokenizer: Any) -> Any:
    """Return tokenizer with its language tokens in get_vocab(), where CTranslate2 reads them.

    transformers 5's M2M100Tokenizer keeps ``__en__``-style tokens out of get_vocab(), so
    CTranslate2 would write a vocabulary without them and shift the made-up words into their
    ids; here they are put back at their own ids.
    """
    languages: dict[str, int] = dict(getattr(tokenizer, "lang_token_to_id", None) or {})
    vocabulary: dict[str, int] = tokenizer.get_vocab()
    missing = {token: i for token, i in languages.items() if token not in vocabulary}
    if missing:
        complete = {**vocabulary, **missing}
        tokenizer.get_vocab = lambda: dict(complete)
    return tokenizer


def convert_model(model_dir: Path, dest: Path, quantization: str = DEFAULT_QUANTIZATION) -> Path:
    """Convert a Hugging Face model directory into a CTranslate2 model at dest."""
    if quantization not in QUANTIZATIONS:
        raise PackageError(
            f"unknown quantization {quantization!r}; choose one of {', '.join(QUANTIZATIONS)}"
        )
    require_convert_extra()
    from ctranslate2.converters import TransformersConverter

    class Converter(TransformersConverter):  # type: ignore[misc]  # untyped base class
        def load_tokenizer(self, tokenizer_class: Any, path: str, **options: Any) -> Any:
            return with_language_tokens(super().load_tokenizer(tokenizer_class, path, **options))

    try:
        Converter(str(model_dir)).convert(str(dest), quantization=quantization)
    except (ValueError, RuntimeError, NotImplementedError, OSError, KeyError) as err:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise PackageError(f"CTranslate2 cannot convert {model_dir}: {reason}") from None
    return dest


def frame_config(model_dir: Path, tokens: LanguageTokens) -> None:
    """Make CTranslate2 frame every source as [language token?, pieces..., </s>]."""
    path = model_dir / "config.json"
    config = _read_json(path)
    config["add_source_bos"] = tokens.source is not None
    if tokens.source is not None:
        config["bos_token"] = tokens.source
    config["add_source_eos"] = True  # every family here was trained with </s> after the source
    path.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def model_licence(source: SourceModel) -> str:
    """Return a model's licence: from the catalogue, else its model card, else 'unknown'."""
    from pipeline.catalogue import find_model

    listed = find_model(source.name)
    if listed is not None:
        return listed.licence.spdx
    card = source.path / "README.md"
    text = card.read_text(encoding="utf-8", errors="replace") if card.is_file() else ""
    found = re.search(r"^license:\s*['\"]?([\w.+-]+)", text, re.MULTILINE)
    return found.group(1) if found else "unknown"


def default_tag(source: SourceModel) -> str:
    """Return a short model tag for package codes, e.g. nllb600m, nllb1.3b, m2m418m, opusmt."""
    if source.kind is ModelKind.MARIAN:
        return "opusmt"
    size = re.search(
        r"(?<![a-z0-9.])(\d+(?:\.\d+)?[mb])(?![a-z0-9])", Path(source.name).name.lower()
    )
    prefix = "nllb" if source.kind is ModelKind.NLLB else "m2m"
    return prefix + (size.group(1) if size else "")


def package_code(from_code: str, to_code: str, tag: str) -> str:
    """Return a built package's code, e.g. translate-en_my-nllb600m."""
    if not TAG.match(tag):
        raise PackageError(f"tag {tag!r} must be lower-case letters, digits, '.', '_' or '-'")
    return f"translate-{from_code}_{to_code}-{tag}"


def write_package(
    dest: Path, ct2_model: Path, source: SourceModel, built: BuiltPackage, quantization: str
) -> Path:
    """Lay out an unpacked Argos package directory under dest and return it."""
    from pipeline.locale import parse_language

    root = dest / f"{built.code}-{built.version.replace('.', '_')}"
    shutil.copytree(ct2_model, root / "model")
    frame_config(root / "model", built.tokens)
    for hub_name, package_name in TOKENIZER_FILES[source.kind].items():
        if not (source.path / hub_name).is_file():
            raise PackageError(f"{source.name} has no {hub_name}; cannot build its tokenizer")
        shutil.copyfile(source.path / hub_name, root / package_name)
    metadata: dict[str, Any] = {
        "package_version": built.version,
        "argos_version": ARGOS_VERSION,
        "type": "translate",
        "code": built.code,
        "from_code": built.from_code,
        "from_name": parse_language(built.from_code).english_name,
        "to_code": built.to_code,
        "to_name": parse_language(built.to_code).english_name,
        "source_model": source.name,
        "model_kind": str(source.kind),
        "quantization": quantization,
        "license": built.licence,
    }
    if built.tokens.target_prefix:
        metadata["target_prefix"] = built.tokens.target_prefix
    if source.revision:
        metadata["source_revision"] = source.revision
    text = json.dumps(metadata, indent=2, ensure_ascii=False) + "\n"
    (root / "metadata.json").write_text(text, encoding="utf-8")
    (root / "README.md").write_text(package_readme(built, quantization), encoding="utf-8")
    return root


def package_readme(built: BuiltPackage, quantization: str) -> str:
    """Return a package's README: what it was built from, its licence and its tokens."""
    import ctranslate2

    from pipeline.catalogue import is_non_commercial

    revision = f" (revision {built.source.revision})" if built.source.revision else ""
    warning = (
        "\n**Non-commercial use only**: this licence forbids commercial use of the model.\n"
        if is_non_commercial(built.licence)
        else ""
    )
    source_token = built.tokens.source or "none"
    return (
        f"# {built.code} {built.version}\n\n"
        f"{built.from_code} → {built.to_code}, converted from the Hugging Face model "
        f"`{built.source.name}`{revision} by `pipeline models build` with CTranslate2 "
        f"{ctranslate2.__version__} ({quantization} weights).\n\n"
        f"Licence: {built.licence}, the licence of the original model; see its model card.\n"
        f"{warning}\n"
        f"Source tokens: [{source_token}, pieces..., </s>] (added by CTranslate2 from "
        f"model/config.json); target prefix: {built.tokens.target_prefix or 'none'}.\n"
    )


def pack_package(package_dir: Path, archive: Path) -> Path:
    """Zip a package directory into an .argosmodel archive with the directory at its top.

    The archive is written as every output is (:mod:`pipeline.outputs`): never over a
    folder, device, FIFO or socket, atomically, an existing file keeping its mode.
    """
    from pipeline.outputs import atomic_output

    with (
        atomic_output(archive) as out,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf,
    ):
        zf.write(package_dir, package_dir.name + "/")
        for path in sorted(package_dir.rglob("*")):
            zf.write(path, path.relative_to(package_dir.parent).as_posix())
    return archive


def build_packages(
    model: str,
    from_code: str,
    to_codes: Sequence[str],
    output_dir: Path,
    *,
    quantization: str = DEFAULT_QUANTIZATION,
    version: str = DEFAULT_VERSION,
    tag: str | None = None,
    revision: str | None = None,
    source_token: str | None = None,
    target_token: str | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> list[BuiltPackage]:
    """Convert a model once and write one .argosmodel per target language into output_dir."""
    require_convert_extra()
    targets = list(dict.fromkeys(to_codes))
    if not targets or from_code in targets:
        raise PackageError("give one or more target languages, each different from the source")
    source = locate_model(model, revision)
    licence = model_licence(source)
    codes = [package_code(from_code, to, tag or default_tag(source)) for to in targets]
    archives = [output_dir / f"{c}-{version.replace('.', '_')}.argosmodel" for c in codes]
    for archive in archives:
        if archive.exists():
            raise PackageError(f"{archive} already exists; remove it or choose another --output")
    output_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".build-", dir=output_dir))
    try:
        log(f"converting {source.name} ({source.kind}) with CTranslate2, {quantization} weights")
        ct2 = convert_model(source.path, staging / "ct2", quantization)
        vocabularies = read_vocabulary(ct2, "source"), read_vocabulary(ct2, "target")
        # Check every direction's tokens before writing any archive.
        built = [
            BuiltPackage(
                code,
                from_code,
                to_code,
                version,
                archive,
                language_tokens(
                    source.kind,
                    from_code,
                    to_code,
                    *vocabularies,
                    source_token=source_token,
                    target_token=target_token,
                ),
                licence,
                source,
            )
            for to_code, code, archive in zip(targets, codes, archives, strict=True)
        ]
        for package in built:
            package_dir = write_package(staging / "packages", ct2, source, package, quantization)
            log(f"packing {package.archive.name}")
            pack_package(package_dir, package.archive)
        return built
    finally:
        shutil.rmtree(staging, ignore_errors=True)
