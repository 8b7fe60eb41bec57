"""Root conftest: the demo-city fixtures for every test (nakhon/testing/fixtures.py)."""

pytest_plugins = ["nakhon.testing.fixtures"]
