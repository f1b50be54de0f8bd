"""Errors of review import: a file that cannot be read, an import stopped by conflicts."""

from pipeline.errors import PipelineError, ReviewError


class ReviewImportError(PipelineError):
    """A review import cannot start: a name or language it needs is missing."""

    exit_code = 2


class ReviewFileError(ReviewImportError):
    """A reviewed file is not XLIFF 1.2, XLIFF 2.0 or PO, or is broken."""


class ReviewConflictError(ReviewError):
    """Conflicts between a reviewed file and the store stopped the import; nothing was written."""
