"""Helpers shared by every .xlsx/.csv export: keep spreadsheet programs from running cell content."""

from __future__ import annotations

#: A cell starting with one of these is taken for a formula by Excel, LibreOffice or Google Sheets
#: (tab and carriage return too, per OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value to write into an exported cell: text that a spreadsheet would read as a formula
    gets a leading single quote, so it is shown as text; other values are returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
