"""StopFlag: polled by the local loop; its on_set callbacks let a server run's task be cancelled at once."""

from __future__ import annotations

import threading

from aigc_desktop.engine.text.stop_flag import StopFlag


def test_on_set_calls_back_once_in_the_thread_that_presses_stop():
    stop, calls = StopFlag(), []
    stop.on_set(lambda: calls.append(threading.current_thread().name))
    assert calls == [] and not stop.is_set()
    presser = threading.Thread(target=stop.request_stop, name="presser")
    presser.start()
    presser.join()
    stop.request_stop()  # again: nothing more
    assert stop.is_set() and calls == ["presser"]


def test_on_set_after_stop_calls_back_at_once_and_forget_unregisters():
    stop, calls = StopFlag(), []
    forget = stop.on_set(lambda: calls.append("forgotten"))
    forget()
    stop.request_stop()
    assert calls == []
    stop.on_set(lambda: calls.append("late"))
    assert calls == ["late"]
