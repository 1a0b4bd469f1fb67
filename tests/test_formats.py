import datetime as dt

from django.template import Context, Template

from directive03 import formats


def test_long_date_has_leading_zeros_for_small_days_and_months_1_2():
    assert formats.long_date(dt.date(2013, 4, 4)) == "ngày 04 tháng 4 năm 2013"
    assert formats.long_date(dt.date(2015, 1, 15)) == "ngày 15 tháng 01 năm 2015"
    assert formats.long_date(dt.date(2014, 2, 9)) == "ngày 09 tháng 02 năm 2014"
    assert formats.long_date(dt.date(2014, 12, 25)) == "ngày 25 tháng 12 năm 2014"
    assert formats.long_date(dt.date(2013, 4, 4), "Kiên Giang") == "Kiên Giang, ngày 04 tháng 4 năm 2013"


def test_numbers():
    assert formats.number(88695) == "88.695"
    assert formats.number(5600000) == "5.600.000"
    assert formats.number(12.5, 1) == "12,5"
    assert formats.number(0) == "0"
    assert formats.percent(97, 100) == "97%"
    assert formats.percent(1, 3) == "33,3%"
    assert formats.percent(0, 0) == "–"


def test_template_filters_are_builtin():
    out = Template("{{ d|ngay:'Kiên Giang' }} · {{ n|so }}").render(Context({"d": dt.date(2013, 4, 4), "n": 88695}))
    assert out == "Kiên Giang, ngày 04 tháng 4 năm 2013 · 88.695"
