"""Quiet libraries: transformers' progress bars and advice kept off the user's terminal."""

from __future__ import annotations


def quiet_transformers() -> None:
    """Keep library progress bars and advice off the user's terminal."""
    import transformers

    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
