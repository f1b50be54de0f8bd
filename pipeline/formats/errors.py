"""Errors of the export layer, each one line a user can act on."""

from __future__ import annotations

from pipeline.errors import PipelineError

# Exit code of an article export with --ready that wrote what could be published and held
# back the rest (each named on a line of its own).
HELD_BACK = 10


class ExportError(PipelineError):
    """An export cannot be written: bad options, an unwritable path or a failed write."""

    exit_code = 8


class UnknownFormatError(ExportError):
    """The export format named by the user does not exist."""

    exit_code = 2


class IncompleteArticleError(ExportError):
    """An article cannot be exported: segments lack publishable text, or their QA has errors."""

    exit_code = 9
