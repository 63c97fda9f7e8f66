"""The garbage collector paused while grouped rows become figures.

Scoring a round turns thousands of rows (a state-wide comparison, 160,000) into tuples, lists and
small objects that hold no reference cycle. Their allocation sets off the collector's sweeps, which
walk the very rows being read again and again: about a tenth of a state-wide comparison. As
``reports.batch`` tunes the collector for a batch of scorecards, scoring pauses it while it reads;
what it leaves behind is collected as usual once it resumes.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the garbage collector for the block (if it was running), and resume it after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
