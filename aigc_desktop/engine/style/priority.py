"""Training yields the CPU: the process (or thread) that trains runs at a lower scheduling priority.

On a 2-core machine, training at normal priority competes with the window's thread and
with a Continue for the same cores. At nice +10 the kernel gives them the CPU first
(about ten to one when all want it) and training still uses every idle cycle. Linux
keeps a priority per thread, and the OpenMP threads that torch starts for this thread
inherit it; elsewhere this does nothing (a per-thread nice is a Linux feature).
"""

from __future__ import annotations

import os
import sys
import threading

BACKGROUND_NICENESS = 10


def lower_this_thread_priority(niceness: int = BACKGROUND_NICENESS) -> bool:
    """Lower the calling thread's priority by niceness (threads it starts later inherit it); False if not done."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        thread = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, min(19, current + niceness))
    except OSError:
        return False
    return True


def lower_this_process_priority(niceness: int = BACKGROUND_NICENESS) -> bool:
    """Lower a process that has one thread so far (a child just started), and all it starts later."""
    if sys.platform.startswith("linux"):
        return lower_this_thread_priority(niceness)  # Linux: the only thread, and every later one inherits it
    if hasattr(os, "nice"):
        try:
            os.nice(niceness)  # macOS and other POSIX systems: the whole process
        except OSError:
            return False
        return True
    return False  # Windows: left at normal priority
