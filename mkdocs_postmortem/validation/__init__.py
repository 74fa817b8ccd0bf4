"""Checks on read postmortems: the schema, archive-wide rules, unknown keys."""
