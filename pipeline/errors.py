"""Errors a user can hit: each carries one line that says what to do."""

import os


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


class PathError(PipelineError):
    """A path the user gave cannot be used at all: a name too long, a loop of links, no access."""

    exit_code = 2


# The most of a path a message shows: a name the system refused as too long stays readable.
_SHOWN_PATH = 120


def from_os_error(error: OSError) -> PathError:
    """Return an operating system's error on a user's path as one line naming the path."""
    reason = error.strerror or str(error)
    if error.filename is None:
        return PathError(reason)
    raw = error.filename
    name = os.fsdecode(raw) if isinstance(raw, str | bytes | os.PathLike) else str(raw)
    if len(name) > _SHOWN_PATH:
        name = f"{name[: _SHOWN_PATH // 2]}…{name[-_SHOWN_PATH // 4 :]} ({len(name)} characters)"
    return PathError(f"{name}: {reason}")
