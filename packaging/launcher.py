"""Entry script of the bundled app: the same `aigc_desktop.cli:main` as the pip-installed command.

No sub-command opens the editor; `continue` (and `bench`) are the command line, as with pip.
"""

import multiprocessing
import os
import sys


def _streams_never_none() -> None:
    # A windowed build (Windows, macOS .app) starts with no stdout/stderr; progress bars and
    # logging from the model libraries would then fail on `None.write`.
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))


if __name__ == "__main__":
    multiprocessing.freeze_support()
    _streams_never_none()
    from aigc_desktop.cli import main

    sys.exit(main())
