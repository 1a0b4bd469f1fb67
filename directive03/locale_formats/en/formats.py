"""Dates as dd/mm/yyyy in English too: the same formats as Vietnamese (see directive03.locale_formats)."""

from directive03.locale_formats.vi.formats import *  # noqa: F403
