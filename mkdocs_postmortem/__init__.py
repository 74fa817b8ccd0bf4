"""mkdocs-postmortem: blameless postmortems of AI incidents, checked at build time.

The core (read, validate) knows nothing about MkDocs; `plugin` and `cli` are thin
adapters over `check_archive`.
"""

from .check import Report, Settings, check_archive
from .diagnostics import RULES, Diagnostic, Rule, Severity
from .reader import Document, read
from .schema import ConfigurationError, SchemaInForce, builtin_schema

__all__ = [
    "RULES",
    "ConfigurationError",
    "Diagnostic",
    "Document",
    "Report",
    "Rule",
    "SchemaInForce",
    "Settings",
    "Severity",
    "builtin_schema",
    "check_archive",
    "read",
]
__version__ = "0.1.0"
