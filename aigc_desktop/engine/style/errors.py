"""The one error type of style learning; its message is a complete sentence for the user."""

from ..errors import EngineError


class StyleError(EngineError):
    """Learning, saving or applying a style failed; nothing else was changed."""
