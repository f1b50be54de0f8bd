"""The CLI's own messages through gettext, in the language the user reads.

The language comes from ``--ui-lang`` (seen on the command line before the CLI is built, as
help texts are made at import), else from ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES`` or
``LANG``. The source catalogs are ``locales/<lang>/LC_MESSAGES/pipeline.po``; the build
(``hatch_build.py``) compiles them into every wheel and, for an editable install, beside the
``.po``. Where a folder has a ``.po`` but no ``.mo`` as new as it (a checkout run without an
install step, a catalog just edited), the ``.po`` is read with babel instead, so the messages
are never older than their source. A language with no catalog falls back to English.
"""

from __future__ import annotations

import gettext
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

DOMAIN = "pipeline"
LOCALEDIR_ENV = "PIPELINE_LOCALEDIR"
_ENV_ORDER = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language: str | None = None


def locale_dirs() -> list[Path]:
    """Return where compiled catalogs may be: $PIPELINE_LOCALEDIR, the package, the checkout."""
    dirs = [Path(p) for p in [os.environ.get(LOCALEDIR_ENV)] if p]
    here = Path(__file__).resolve().parent
    return [*dirs, here / "locales", here.parent / "locales"]


def requested_language(argv: Sequence[str], environ: Mapping[str, str]) -> str | None:
    """Return the UI language asked for on the command line or in the environment.

    >>> requested_language(["pipeline", "--ui-lang", "my", "status"], {})
    'my'
    >>> requested_language(["pipeline"], {"LANG": "hi_IN.UTF-8"})
    'hi'
    >>> requested_language(["pipeline"], {"LANG": "C.UTF-8"}) is None
    True
    """
    for i, arg in enumerate(argv):
        if arg == "--ui-lang" and i + 1 < len(argv):
            return _language_part(argv[i + 1])
        if arg.startswith("--ui-lang="):
            return _language_part(arg.partition("=")[2])
    for name in _ENV_ORDER:
        value = environ.get(name, "")
        if value:
            # LANGUAGE may list several languages, most preferred first.
            return _language_part(value.split(":")[0])
    return None


def _language_part(value: str) -> str | None:
    code = value.split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return None if code in ("", "c", "posix") else code


def translations(lang: str | None) -> gettext.NullTranslations | None:
    """Return lang's catalog, or None for English or a language with no catalog."""
    if not lang or lang == "en":
        return None
    for directory in locale_dirs():
        found = _catalog(directory, lang)
        if found is not None:
            return found
    return None


def use_language(lang: str | None) -> None:
    """Translate messages into lang from now on (English when None or no catalog)."""
    global _translation, _language
    found = translations(lang)
    _translation = found or gettext.NullTranslations()
    _language = lang if found is not None else None


def _catalog(directory: Path, lang: str) -> gettext.GNUTranslations | None:
    """Return lang's catalog in directory: the compiled one, or the newer source read."""
    folder = directory / lang / "LC_MESSAGES"
    mo, po = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
    try:
        po_time = po.stat().st_mtime
    except OSError:
        po_time = None
    try:
        if po_time is None or mo.stat().st_mtime >= po_time:
            with mo.open("rb") as handle:
                return gettext.GNUTranslations(handle)
    except OSError:
        pass
    if po_time is None:
        return None
    return _read_po(po, lang)


def _read_po(po: Path, lang: str) -> gettext.GNUTranslations:
    """Compile a .po file in memory with babel (no fuzzy entries, as the build does)."""
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def ui_language() -> str | None:
    """Return the language messages are shown in, None for English."""
    return _language


def count(number: int) -> str:
    """Return a count as the UI language writes it (Myanmar digits in Burmese)."""
    if _language is None:
        return str(number)
    from pipeline.locale import format_number

    return format_number(number, _language)


def _(message: str) -> str:
    """Return message in the UI language."""
    return _translation.gettext(message)


def localise_command(command: Any) -> None:
    """Translate the help texts of a click command tree in place.

    Typer builds help from docstrings and ``help=`` strings; ``extract_cli`` puts the same
    texts in the template, so one catalog entry serves each.
    """
    if getattr(command, "help", None):
        command.help = _(command.help)
    for param in getattr(command, "params", ()):
        if getattr(param, "help", None):
            param.help = _(param.help)
    for sub in getattr(command, "commands", {}).values():
        localise_command(sub)


Extracted = tuple[int, Any, Any, Any]


def extract_cli(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[Extracted]:
    """Extract for pybabel: ``_()`` calls, ``help=`` strings and command docstrings."""
    import ast
    import inspect
    import io

    from babel.messages.extract import extract_python

    data = fileobj.read()
    yield from extract_python(io.BytesIO(data), keywords, comment_tags, options)
    for node in ast.walk(ast.parse(data)):
        if isinstance(node, ast.keyword) and node.arg == "help":
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                yield node.value.lineno, "_", inspect.cleandoc(node.value.value), []
        elif isinstance(node, ast.FunctionDef):
            # A command's help is its docstring, which by convention ends with an example.
            doc = ast.get_docstring(node)
            if doc and "Example: pipeline" in doc:
                yield node.lineno, "_", doc, []


use_language(requested_language(sys.argv, os.environ))
