"""The hooks a plugin may implement: five, flat, each one used by Nakhon for its own defaults.

A plugin is a module (or any object) with functions named like the hooks below, marked with
``@hookimpl`` from :mod:`nakhon.plugins.toolkit`. A hook is called with keyword arguments; a
plugin's function may take fewer arguments than the hook offers (pluggy passes only the ones it
names). Every hook returns a list (or ``None`` to add nothing); Nakhon joins the lists of all the
plugins. docs/plugins.md describes each hook with an example; a test keeps that page complete.
"""

from __future__ import annotations

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("nakhon")


@hookspec
def register_readers() -> Any:
    """File formats Nakhon can read, as :class:`~nakhon.plugins.toolkit.ReaderFormat` items.

    Called whenever a file is opened for ingesting (``open_source``: the web upload, ``nakhon
    ingest``/``validate``, URL pulls, tax register imports). No arguments. Return a list of
    ``ReaderFormat``: the format's name, its file extensions and ``--format`` aliases, the kinds
    of content it accepts, an optional ``sniff(head, path)`` content test, and
    ``open(request) -> Source``, which opens the file (``request`` is an
    :class:`~nakhon.plugins.toolkit.OpenRequest`). A format of a later plugin with the same
    extension or alias as an earlier one takes its place. The built-in formats (CSV/TSV, XLSX,
    XLSB, XLS, ODS, JSON, JSON Lines, GeoJSON, zipped Shapefile, Parquet) come from
    ``nakhon.ingestion.readers.plugin``.
    """


@hookspec
def register_checks() -> Any:
    """Validation checks run over every ingested table, as :class:`~nakhon.plugins.toolkit.Check`
    instances (or classes, which Nakhon instantiates without arguments).

    Called once per validation (``pipeline_core.validate``), after the file has been read and
    each column converted to its type. No arguments. Return a list of checks; each declares the
    rule ``codes`` it reports and, for codes Nakhon does not know, their
    :class:`~nakhon.plugins.toolkit.Rule` (severity, English and Thai title) in ``rules``.
    Checks run in registration order: the built-in ones (``nakhon.ingestion.plugin``) first.
    """


@hookspec
def tax_rule_dirs(municipality: Any) -> Any:
    """Directories of tax rule files laid over the national rules for ``municipality``.

    Called whenever tax rules are loaded for a city (quotes, assessments, bills, notices, the
    revenue gap). ``municipality`` is the :class:`~nakhon.accounts.models.Municipality`.
    Return a list of directories (``pathlib.Path``) that hold ``<kind>/<BE year>.toml`` files in
    the format of docs/tax-rules.md (a city's Municipal Ordinance, a relief measure of a later
    module); a directory that does not exist is skipped. The files are laid over the national
    rules in the order of the joined list: the city's own ``NAKHON_DATA_DIR/tax-rules/<slug>/``
    first (from ``nakhon.tax.plugin``), then the plugins' directories, which have the last word
    on the tables they give.
    """


@hookspec
def dataset_metadata_fields() -> Any:
    """Extra metadata fields of a dataset, as :class:`~nakhon.plugins.toolkit.MetadataField`.

    Called when a dataset page, its JSON twin, the CKAN API or the dataset forms (the steward's
    new-dataset form and the back office) are built, and when metadata is saved. No arguments.
    Return a list of ``MetadataField`` (name, Thai and English label, type, help, choices). The
    values are kept in ``Dataset.extras`` under the field's name. The GD Catalog fields are model
    fields, not hooks; Nakhon registers no extra field itself.
    """


@hookspec
def dashboard_panels(municipality: Any, request: Any) -> Any:
    """Panels on a city's home page, as :class:`~nakhon.plugins.toolkit.Panel` items.

    Called when the city's home page (``/<city-slug>/``) is shown. ``municipality`` is the
    city, ``request`` the Django request (``request.user`` is the viewer). Return a list of
    ``Panel`` (title, ``html`` or ``template`` + ``context``, ``order``, ``audience``). Panels for
    the ``staff`` audience (the default) are shown only to people with a role in the city.
    Nakhon has no panels of its own yet.
    """
