"""The collector left out of a build's walks, and out of the process's end."""

from __future__ import annotations

import gc
import weakref

from mkdocs_postmortem import collector


class Node:
    other: Node | None = None


def garbage_cycle() -> weakref.ref[Node]:
    """A cycle that only the cyclic collector can free, and a way to see it freed."""
    first, second = Node(), Node()
    first.other, second.other = second, first
    return weakref.ref(first)


def test_a_last_build_leaves_its_garbage_to_the_process_end_and_a_later_build_frees_it() -> None:
    try:
        cycle = garbage_cycle()
        collector.release(last=True)
        gc.collect()
        assert cycle() is not None  # left out of every walk, the final one too
        collector.thaw()  # a later build in the same process
        assert cycle() is None
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()


def test_a_build_that_is_not_the_last_has_everything_walked_again() -> None:
    try:
        collector.freeze()
        cycle = garbage_cycle()
        collector.freeze()
        collector.release(last=False)
        gc.collect()
        assert cycle() is None
        assert gc.get_freeze_count() == 0
        collector.thaw()  # nothing left frozen: no walk
    finally:
        gc.unfreeze()
