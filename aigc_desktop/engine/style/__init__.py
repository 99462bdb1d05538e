"""Your voice: a writer's style learned as a LoRA adapter (peft) on the local model.

    corpus.py    the writer's text: read with bounds, counted, split 90/10
    training.py  the LoRA training loop: stoppable, pausable, checkpointed, resumable
    pause_flag.py  Pause/Resume, set from the window, checked between steps
    priority.py  training runs at a lower priority, so the window stays free
    training_settings.py  the settings, progress reports and result: plain data, no torch
    learning_process.py  learning in a child process: its own GIL, Stop/Pause by pipe
    evaluate.py  held-out perplexity before/after, samples with and without
    store.py     named styles on disk; rename, delete, export as one file
    apply.py     apply_style(loaded, style): the adapter merged into the weights
    estimate.py  how long learning will take (no torch: the window asks it)
    learn.py     learn_style(): all of the above, end to end

No Qt here; torch and peft are imported by the modules that need them.
"""

from .errors import StyleError

__all__ = ["StyleError"]
