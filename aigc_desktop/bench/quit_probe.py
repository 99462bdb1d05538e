"""Run the real app, start a continuation, and quit while it streams (File → Quit, i.e. close()).

    python -m aigc_desktop.bench.quit_probe --model DIR [--device D]

Only the bench runs this (quit.py). It prints, as one JSON line, the wall-clock time at which
Quit was asked for; the parent times the process's exit from that moment.
"""

from __future__ import annotations

import json
import sys
import time

from ..arguments import editor_parser


def main(argv: list[str] | None = None) -> int:
    from ..app import run_editor
    from ..ui.window import main_window

    args = editor_parser().parse_args(argv if argv is not None else sys.argv[1:])
    marks: dict = {}
    app_class = main_window.MainWindow

    class ProbedWindow(app_class):
        def __init__(self, *a, **kw) -> None:
            super().__init__(*a, **kw)
            self.host.worker.loaded.connect(self._probe_continue)
            self.host.worker.load_failed.connect(self._probe_failed)
            self.host.worker.chunk.connect(self._probe_chunk)

        def _probe_continue(self, _info) -> None:
            from PySide6.QtGui import QTextCursor

            self.editor.load_text("The draft had been open on her desk since the first grey light of morning, and")
            self.editor.moveCursor(QTextCursor.MoveOperation.End)
            self.controller.continue_text()

        def _probe_chunk(self, *_args) -> None:
            if "quit_asked" not in marks:
                marks["quit_asked"] = time.time()
                marks["streaming"] = self.controller.state == "streaming"
                # Printed now: the app may leave with os._exit (a worker that does not end in time).
                print("AIGC_BENCH_QUIT " + json.dumps(marks), flush=True)
                self.close()  # the document is unmodified: nothing asks to save

        def _probe_failed(self, _source, message, _needs_download) -> None:
            marks["error"] = message
            self.close()

    main_window.MainWindow = ProbedWindow
    try:
        run_editor(args)  # leaves the process itself, as the app does
    finally:
        main_window.MainWindow = app_class
        print("AIGC_BENCH_QUIT_END " + json.dumps(marks), flush=True)  # only if it failed to start
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
