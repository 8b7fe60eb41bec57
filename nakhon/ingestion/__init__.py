"""Ingestion: read files as Thai offices produce them, normalise, validate, report, publish."""
