"""The sync-over-async bridge: blocking calls and plain iteration over async code, on a private event loop.

The server backend is written once, in asyncio. The CLI and the editor's worker thread
have no event loop running, so they drive it through here: each blocking call gets an
event loop of its own, closed with the call. Code that wants to know whether it runs on
such a loop (to keep no connection open past the call) asks `is_private_loop`.
Stop crosses the other way: `cancel_on_stop` cancels a task on its loop from whatever
thread presses Stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from typing import AsyncGenerator, Awaitable, Callable, Iterator, TypeVar

from ..text.stop_flag import StopFlag

T = TypeVar("T")

# Loops made for one blocking call: their HTTP clients are not kept.
_PRIVATE_LOOPS: "weakref.WeakSet[asyncio.AbstractEventLoop]" = weakref.WeakSet()


def is_private_loop(loop: asyncio.AbstractEventLoop) -> bool:
    return loop in _PRIVATE_LOOPS


def _private_loop() -> asyncio.AbstractEventLoop:
    loop = asyncio.new_event_loop()
    _PRIVATE_LOOPS.add(loop)
    return loop


def refuse_running_loop() -> None:
    """RuntimeError when called on a thread whose event loop is running (a blocking call would deadlock it)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError("RemoteBackend's blocking calls cannot run on an event loop's thread: "
                       "use astream/alist_models/aconnect (or `async for`) there.")


def run_on_private_loop(coroutine: Awaitable[T]) -> T:
    """The coroutine's result, run to completion on a loop of its own."""
    refuse_running_loop()
    loop = _private_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


def iterate_on_private_loop(events: AsyncGenerator[T, None]) -> Iterator[T]:
    """Drive an async generator from synchronous code, on an event loop of its own."""
    refuse_running_loop()
    loop = _private_loop()
    step = None
    try:
        while True:
            step = asyncio.ensure_future(anext(events), loop=loop)
            try:
                event = loop.run_until_complete(step)
            except StopAsyncIteration:
                return
            yield event
    finally:
        if step is not None and step.done() and not step.cancelled():
            step.exception()  # retrieved: Ctrl+C inside a step must not be logged as "never retrieved"
        try:
            # Interrupted (Ctrl+C, or the consumer stopped iterating): cancel what is in flight,
            # then close the generator, which closes the connection.
            tasks = asyncio.all_tasks(loop)
            for task in tasks:
                task.cancel()
            if tasks:
                loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            loop.run_until_complete(events.aclose())
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()


def cancel_on_stop(task: asyncio.Task, stop: StopFlag) -> Callable[[], None]:
    """Cancel the task when Stop is set, from any thread; returns the function that unregisters it."""
    loop = task.get_loop()

    def cancel() -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: the task is over anyway
            loop.call_soon_threadsafe(task.cancel)

    return stop.on_set(cancel)


async def finish_task(task: asyncio.Task) -> None:
    """Cancel the task if it still runs, and wait until it has ended (its exception counts as retrieved).

    Cancelled again if it is still running a moment later: code inside it may have lost the
    first cancel (asyncio.wait_for before Python 3.12 returns a result that came at the same time).
    """
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=0.1)
    if not task.cancelled():
        task.exception()
