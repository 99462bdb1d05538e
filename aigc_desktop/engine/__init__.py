"""The generation core: load a model, build the context, stream tokens, stop on request.

No Qt here: the CLI, the editor's worker thread, the tests and the benchmark all use it.
"""

from .errors import EngineError, GenerationError, ModelLoadError, ModelNotDownloadedError
from .text.options import LENGTH_MODES
from .text.request import ContinuationRequest
from .text.stop_flag import StopFlag

__all__ = [
    "ContinuationRequest",
    "EngineError",
    "GenerationError",
    "LENGTH_MODES",
    "ModelLoadError",
    "ModelNotDownloadedError",
    "StopFlag",
]
