"""Browser tests. A package, so this folder's conftest does not shadow tests/conftest.py.

Without this file both conftests would be imported as the top-level module ``conftest``,
and ``from conftest import Site`` in the other tests would find this folder's one.
"""
