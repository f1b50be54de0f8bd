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
