"""Nakhon (นคร): an open-source city data platform for Thai municipalities."""

__version__ = "0.1.0"
