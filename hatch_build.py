"""Build hook: compile the CLI's message catalogs with babel, so every install speaks my and hi.

``locales/<lang>/LC_MESSAGES/pipeline.po`` is the source (kept in git, shipped in the sdist);
the compiled ``.mo`` is a build product:

- a wheel (built from the checkout or from the sdist) carries it as
  ``pipeline/locales/<lang>/LC_MESSAGES/pipeline.mo``;
- an editable install (``uv sync``/``uv run`` in a checkout) compiles it in place beside the
  ``.po``, where ``pipeline.i18n`` looks in a checkout. ``[tool.uv] cache-keys`` names the
  ``.po`` files, so editing one makes the next ``uv run`` rebuild.

A catalog with errors (a placeholder missing from a translation) fails the build, and fuzzy
entries are left out, as ``pybabel compile`` does.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

DOMAIN = "pipeline"


class CatalogsHook(BuildHookInterface):
    """Compile locales/*/LC_MESSAGES/pipeline.po into .mo files for the wheel being built."""

    PLUGIN_NAME = "catalogs"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        sources = sorted(Path(self.root, "locales").glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
        if not sources:
            raise RuntimeError("no message catalogs under locales/*/LC_MESSAGES/")
        if version == "editable":
            for po in sources:
                compile_catalog(po, po.with_suffix(".mo"))
            return
        self._scratch = Path(tempfile.mkdtemp(prefix="pipeline-catalogs-"))
        for po in sources:
            lang = po.parent.parent.name
            mo = self._scratch / lang / f"{DOMAIN}.mo"
            compile_catalog(po, mo)
            build_data["force_include"][str(mo)] = (
                f"pipeline/locales/{lang}/LC_MESSAGES/{DOMAIN}.mo"
            )

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        scratch = getattr(self, "_scratch", None)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def compile_catalog(po: Path, mo: Path) -> None:
    """Write po compiled to mo atomically; raise on a catalog error."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    lang = po.parent.parent.name
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    problems = [
        f"{po}:{message.lineno}: {error}" for message, errors in catalog.check() for error in errors
    ]
    if problems:
        raise RuntimeError("message catalog errors:\n" + "\n".join(problems))
    mo.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=mo.parent, prefix=f".{mo.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            write_mo(out, catalog, use_fuzzy=False)
        os.replace(tmp, mo)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
