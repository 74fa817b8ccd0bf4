"""Python's cyclic garbage collector, paused while an archive's objects are built.

Each collection walks the objects allocated since the last one, and every so often all
objects; building a large archive's documents and model allocates millions that stay
alive, so the collector would walk them again and again for nothing (0.5 s of the
0.8 s that building the model of 10,000 postmortems took). The objects built here
form no garbage cycles but for broken input, which stays bounded by the input's size.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The collector off for the block, then back as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
