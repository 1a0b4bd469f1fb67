"""`/units/?ngay=`: the date is read like every date input (directive03.forms.DateField)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format


@pytest.mark.parametrize(
    "typed, shown",
    [
        ("01/07/2025", "01/07/2025"),   # dd/mm/yyyy
        ("1/7/2025", "01/07/2025"),     # one-digit day and month
        ("2025-07-01", "01/07/2025"),   # ISO, as a bookmarked link may carry
    ],
)
def test_tree_as_of_accepts_the_shared_date_formats(client, world, typed, shown):
    client.force_login(world.users.board)
    response = client.get(reverse("organizations:tree"), {"ngay": typed})
    assert response.status_code == 200
    assert response.context["as_of"].strftime("%d/%m/%Y") == shown
    assert "Huyện ủy Hòn Đất" in response.content.decode()


@pytest.mark.parametrize("typed", ["31/02/2025", "07/13/2025", "hôm qua"])
def test_tree_as_of_refuses_a_bad_date_with_the_shared_message(client, world, typed):
    client.force_login(world.users.board)
    response = client.get(reverse("organizations:tree"), {"ngay": typed})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ngày không hợp lệ: nhập theo dạng dd/mm/yyyy, ví dụ 31/12/2024." in page
    assert f'value="{typed}"' in page  # what was typed is kept in the box


def test_english_dates_are_the_vietnamese_ones():
    from directive03.locale_formats.en import formats as en
    from directive03.locale_formats.vi import formats as vi

    for name in ("DATE_FORMAT", "SHORT_DATE_FORMAT", "DATE_INPUT_FORMATS", "DATETIME_INPUT_FORMATS"):
        assert getattr(en, name) == getattr(vi, name)
    with translation.override("en"):
        assert date_format(dt.date(2026, 11, 5), "SHORT_DATE_FORMAT") == "05/11/2026"
