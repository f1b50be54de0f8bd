"""Run the real OmegaT (Debian's ``omegat``, console mode) on a project folder in the tests.

Without OmegaT the tests that need it are skipped, unless ``PIPELINE_REQUIRE_OMEGAT`` is
set (as ``.ci/run`` does), when its absence is a failure. Each run has its own home folder
(OmegaT keeps preferences and logs there) and a time limit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

OMEGAT = shutil.which("omegat")
# OmegaT starts a JVM and loads its filters: a few seconds; a loaded machine may take more.
TIMEOUT = 180


def require_omegat() -> str:
    """Return the omegat command, or skip the test (fail it where CI requires OmegaT)."""
    if OMEGAT is None:
        if os.environ.get("PIPELINE_REQUIRE_OMEGAT"):
            pytest.fail("OmegaT (Debian package omegat) is required here but not installed")
        pytest.skip("OmegaT (Debian package omegat) is not installed")
    return OMEGAT


def run_omegat(project: Path, mode: str = "console-translate", *extra: str) -> str:
    """Run OmegaT in a console mode on a project; return its output, failing on an error."""
    command = require_omegat()
    home = project.parent / f".omegat-home-{project.name}"
    home.mkdir(exist_ok=True)
    env = {**os.environ, "HOME": str(home), "LANG": "C.UTF-8"}
    done = subprocess.run(
        [command, str(project), f"--mode={mode}", *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=TIMEOUT,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-2000:]
    assert "Finished" in output or mode != "console-translate", output[-2000:]
    return output


def shown_sources(project: Path) -> list[str]:
    """Return each distinct segment source as OmegaT shows it (its tags as text), in order.

    OmegaT's own ``console-createpseudotranslatetmx`` mode writes one entry per distinct
    source.
    """
    out = project.parent / f"{project.name}-shown.tmx"
    run_omegat(
        project,
        "console-createpseudotranslatetmx",
        f"--pseudotranslatetmx={out}",
        "--pseudotranslatetype=equal",
    )
    tree = etree.parse(str(out))
    return ["".join(tu.find("tuv/seg").itertext()) for tu in tree.iter("tu")]
