"""Vietnamese formatting, the one home of each rule: person names, dates, numbers, percentages.

- Names: family name first, always ("Trần Quang Vinh"): `person_name`.
- Dates: dd/mm/yyyy on every page, message and input (`short_date`, `DATE_INPUT_FORMATS`, used by
  the forms, the admin through `directive03/locale_formats`), and the official documents' long form
  (`long_date`).
- Numbers: dot for thousands, comma for decimals (`number`); percentages rounded half up
  (13/16 is 81,3 %, `ratio` and `percent`).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import npgettext, pgettext

# -- names ----------------------------------------------------------------------------------------


def person_name(user) -> str:
    """'Trần Quang Vinh' for a user whose last_name (họ, tên đệm) is 'Trần Quang' and first_name (tên)
    'Vinh': the Vietnamese order (Django's User puts first_name first); the username when both are
    empty; '' for no user. Every page, e-mail, document and admin list shows a user through this."""
    if user is None:
        return ""
    return name_from_parts(last_name=user.last_name, first_name=user.first_name, username=user.get_username())


def name_from_parts(*, last_name: str | None, first_name: str | None, username: str = "") -> str:
    """person_name for values read without a model instance (values_list)."""
    full = " ".join(part for part in ((last_name or "").strip(), (first_name or "").strip()) if part)
    return full or username


# -- dates ----------------------------------------------------------------------------------------

#: What every date field accepts, the first is how it shows a date: dd/mm/yyyy ("01/07/2025" is
#: 1 July 2025, never 7 January), then ISO (2025-07-01) as machines and old links send it.
#: A phone's numeric keypad often has no "/": "15.11.2026", "15-11-2026" (and "15112026", see
#: normalize_date_text) are the same day, still day first.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y"]
DATE_PLACEHOLDER = "dd/mm/yyyy"
#: The HTML pattern of a dd/mm/yyyy input (1- or 2-digit day and month, 4-digit year).
DATE_PATTERN = r"\d{1,2}/\d{1,2}/\d{4}"


def normalize_date_text(text: str) -> str:
    """What was typed, with eight digits read as ddmmyyyy ("15112026" -> "15/11/2026"); else as typed."""
    text = (text or "").strip()
    if len(text) == 8 and text.isascii() and text.isdigit():
        return f"{text[:2]}/{text[2:4]}/{text[4:]}"
    return text


def parse_date(text: str) -> dt.date:
    """'31/12/2024' (or '31.12.2024', '31-12-2024', '31122024', '2024-12-31') -> date(2024, 12, 31);
    ValueError for anything else."""
    text = normalize_date_text(text)
    for fmt in DATE_INPUT_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a dd/mm/yyyy date: {text!r}")


def short_date(value: dt.date | dt.datetime | None) -> str:
    """'05/11/2026' for 5 November 2026; a datetime is shown at its local date."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def short_datetime(value: dt.datetime | None) -> str:
    """'14:05 05/11/2026' in local time."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value:%H:%M} {short_date(value)}"


def long_date(value: dt.date, place: str | None = None) -> str:
    """'ngày 04 tháng 4 năm 2013': days below 10 and months 1 and 2 take a leading zero.

    With a place: 'Kiên Giang, ngày 04 tháng 4 năm 2013'.
    """
    if isinstance(value, dt.datetime):
        value = value.date()
    month = f"{value.month:02d}" if value.month <= 2 else str(value.month)
    text = f"ngày {value.day:02d} tháng {month} năm {value.year}"
    return f"{place}, {text}" if place else text


def duration(value: dt.timedelta) -> str:
    """'12 phút', '2 giờ 5 phút', 'dưới 1 phút': a length of time to the nearest minute (halves up)."""
    minutes = int(round_half_up(Decimal(value.total_seconds()) / 60))
    if minutes < 1:
        return pgettext("duration", "dưới 1 phút")
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(npgettext("duration", "%(n)s giờ", "%(n)s giờ", hours) % {"n": number(hours)})
    if minutes:
        parts.append(npgettext("duration", "%(n)s phút", "%(n)s phút", minutes) % {"n": minutes})
    return " ".join(parts)


# -- numbers --------------------------------------------------------------------------------------


def number(value: int | float | Decimal | None, decimals: int = 0) -> str:
    """'88.695' and '12,5': dot for thousands, comma for decimals; halves round up (81,25 -> 81,3)."""
    if value is None:
        return ""
    if decimals or not isinstance(value, int):
        value = round_half_up(value, decimals)
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def round_half_up(value: int | float | Decimal, decimals: int = 0) -> Decimal:
    """Round as people and spreadsheets do: 81,25 -> 81,3 (Python's round and Decimal's default
    round a half to even: 81,2). A float goes through its shortest repr, so 0.125 is 0.125."""
    exact = value if isinstance(value, Decimal) else Decimal(repr(value) if isinstance(value, float) else value)
    return exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def ratio(numerator: int | Decimal, denominator: int | Decimal, *, factor: int = 100,
          decimals: int = 1) -> Decimal | None:
    """numerator * factor / denominator rounded half up to `decimals` (13/16 -> 81.3); None for an
    empty denominator rather than a made-up zero. Every percentage of pages, exports and documents."""
    if not denominator:
        return None
    return round_half_up(Decimal(numerator) * factor / Decimal(denominator), decimals)


def decimal_text(value: Decimal | None, decimals: int = 1) -> str:
    """'81,3', and '97' rather than '97,0'; '–' for an unknown value."""
    if value is None:
        return "–"
    text = number(value, decimals)
    if decimals and text.endswith("," + "0" * decimals):
        text = text[: -(decimals + 1)]
    return text


def percent(numerator: int, denominator: int, decimals: int = 1) -> str:
    """'97,5%' and '81,3%' for 13/16; an empty denominator gives '–' rather than a made-up zero."""
    value = ratio(numerator, denominator, decimals=decimals)
    return "–" if value is None else f"{decimal_text(value, decimals)}%"


def cited_date(value: dt.date) -> str:
    """'14/5/2011', '08/01/2013': the date of a cited document, as Party documents write it (days below 10
    and the months 1 and 2 take a leading zero, as in `long_date`); `short_date` is the dd/mm/yyyy of pages."""
    if isinstance(value, dt.datetime):
        value = value.date()
    month = f"{value.month:02d}" if value.month <= 2 else str(value.month)
    return f"{value.day:02d}/{month}/{value.year}"
