"""Local revenue (issue #6): the registers of taxpayers, parcels, buildings, condominium units
and signboards; their import; public quotes. ``rules/`` is the pure tax engine (no Django)."""
