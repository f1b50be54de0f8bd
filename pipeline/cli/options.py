"""Options several commands share."""

from __future__ import annotations

from typing import Annotated

import typer

from pipeline.i18n import _

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help=_(
            "Store file or postgresql:// URL (default: $PIPELINE_STORE, else pipeline.db in "
            "this folder)."
        ),
        show_default=False,
    ),
]

# Bounds of the decoding numbers translate and models evaluate take: past them a value is a
# typing slip, and CTranslate2 would fail on it (its integers are C++ ones) or allocate for it.
MAX_BEAM = 64
MAX_DECODING = 65_536
