"""Test support shared by Nakhon's own tests and by plugins: the demo city as fixtures.

Enable with ``pytest_plugins = ["nakhon.testing.fixtures"]`` in a ``conftest.py``.
"""
