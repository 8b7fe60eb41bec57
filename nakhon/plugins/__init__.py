"""Plugins: a city or a later module adds file readers, validation checks, tax rule directories,
dataset metadata fields and dashboard panels through a few pluggy hooks (docs/plugins.md).

``hookspecs`` lists the hooks, ``manager`` registers the plugins, and ``toolkit`` is the one
module a plugin imports from.
"""
