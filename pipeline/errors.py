"""Errors a user can hit: each carries one line that says what to do."""


class PipelineError(Exception):
    """Base of every error the CLI turns into one line and a non-zero exit."""

    exit_code = 1


class InputError(PipelineError):
    """An input file cannot be read as an article."""

    exit_code = 2


class StoreError(PipelineError):
    """The alignment store cannot be opened, upgraded or written."""

    exit_code = 3


class NotFoundError(PipelineError):
    """A document, segment or translation named by the user does not exist."""

    exit_code = 4


class PackageError(PipelineError):
    """A model package is missing, invalid or cannot be installed."""

    exit_code = 5


class EngineError(PipelineError):
    """A translation engine failed or is not available for a language pair."""

    exit_code = 6


class LanguageError(PipelineError):
    """A language code is unknown or unsupported."""

    exit_code = 2


class ReviewError(PipelineError):
    """A review edit breaks a rule of the store (e.g. approving unedited pseudo text)."""

    exit_code = 7
