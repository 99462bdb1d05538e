"""The asyncio event loop on the GUI thread: qasync's, so coroutines and Qt share one thread."""

from __future__ import annotations

import asyncio
import sys


def gui_event_loop(app, already_running: bool = False):
    """qasync's loop for `app`, set as the current loop, with asyncio's async-generator hooks.

    qasync does not install the hooks that asyncio's own loops set while they run. Without
    them an async generator left suspended (httpx's response streams, when Stop ends a
    server's stream early) is finalized by the garbage collector outside any task, which
    fails noisily instead of closing its connection; with them it is closed on the loop.
    already_running: Qt's loop runs already (pytest-qt), so tasks run as Qt processes events.
    """
    import qasync

    loop = qasync.QEventLoop(app, already_running=already_running)
    asyncio.set_event_loop(loop)
    # asyncio's BaseEventLoop has these hooks; qasync's loop inherits them, its type hints do not say so
    sys.set_asyncgen_hooks(firstiter=loop._asyncgen_firstiter_hook,  # pyright: ignore[reportAttributeAccessIssue]
                           finalizer=loop._asyncgen_finalizer_hook)  # pyright: ignore[reportAttributeAccessIssue]
    return loop


def running_loop() -> asyncio.AbstractEventLoop | None:
    """The asyncio loop running in this thread (qasync's on the GUI thread in the app), or None."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
