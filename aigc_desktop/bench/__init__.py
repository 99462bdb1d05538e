"""`aigc-desktop bench`: how fast the product's own paths are on this machine.

Every section is a module of its own, selectable with `--only`. The bench's
process never imports Qt: the window is measured in a process of its own
(editor.py), as are start-up (startup_probe.py) and memory (memory.py).
"""
