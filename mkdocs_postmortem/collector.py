"""Python's cyclic garbage collector, kept from walking an archive's objects for nothing.

Each collection walks the objects allocated since the last one, and every so often all
objects; building a large archive's documents and model allocates millions that stay
alive, so the collector would walk them again and again for nothing (0.5 s of the
0.8 s that building the model of 10,000 postmortems took). The objects built here
form no garbage cycles but for broken input, which stays bounded by the input's size.
So the collector is paused while they are built, they are left out of its walks while
the pages are built (`freeze`), and out of the final walk of a process that ends with
the build (`release`).
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


# Whether a build left every object out of the collector for the process's end
# (`release`), so that a later build in the same process has them walked again.
_left_frozen = False


def freeze() -> None:
    """Leave the objects alive now out of the collector's walks, until `release`."""
    gc.freeze()


def release(*, last: bool) -> None:
    """The build is over: the collector walks every object again. Unless `last`
    (`mkdocs build`, which the process's end follows): then every object alive is left
    out of the final collection, which would walk them all for nothing (a third of a
    second at 1,000 postmortems), until a later build in the same process (a script, a
    test) calls `thaw`."""
    global _left_frozen
    if last:
        gc.freeze()
        _left_frozen = True
    else:
        gc.unfreeze()


def thaw() -> None:
    """Before a build: what an earlier `last` build of this process left out of the
    collector is walked again, and its garbage collected."""
    global _left_frozen
    if _left_frozen:
        _left_frozen = False
        gc.unfreeze()
        gc.collect()
