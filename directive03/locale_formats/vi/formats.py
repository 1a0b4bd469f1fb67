"""Dates as dd/mm/yyyy in this language too (see directive03.locale_formats)."""

from directive03.formats import DATE_INPUT_FORMATS as _DATE_INPUT_FORMATS

DATE_FORMAT = "d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "H:i d/m/Y"
SHORT_DATETIME_FORMAT = "H:i d/m/Y"
DATE_INPUT_FORMATS = list(_DATE_INPUT_FORMATS)
DATETIME_INPUT_FORMATS = [f"{d} %H:%M:%S" for d in _DATE_INPUT_FORMATS] + [
    f"{d} %H:%M" for d in _DATE_INPUT_FORMATS
] + list(_DATE_INPUT_FORMATS)
FIRST_DAY_OF_WEEK = 1  # Monday
