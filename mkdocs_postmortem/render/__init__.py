"""Rendering: pages, charts and exports from the archive model."""
