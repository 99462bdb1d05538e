"""Errors the engine raises; their messages are shown to users as they are."""


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (its type name when it has none), for one-line messages."""
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def error_line(exc: BaseException) -> str:
    """What to show for a failure: an EngineError's sentence as it is; anything else, unexpected, as one
    line with its type (never a traceback)."""
    if isinstance(exc, EngineError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}".splitlines()[0]


class EngineError(Exception):
    """Base class: str(error) is a complete, user-facing sentence."""


class ModelLoadError(EngineError):
    """The model or its tokenizer could not be loaded."""


class GenerationError(EngineError):
    """Generation failed part-way (out of memory, a broken model)."""

    def __init__(self, message: str, out_of_memory: bool = False) -> None:
        super().__init__(message)
        self.out_of_memory = out_of_memory


class ModelNotDownloadedError(ModelLoadError):
    """A hub model that is not in the local cache, and downloading was not allowed."""


class HubUnreachableError(ModelLoadError):
    """A hub model that is not in the local cache, and the hub cannot be reached to download it."""

    def __init__(self, message: str, source: str) -> None:
        super().__init__(message)
        self.source = source
