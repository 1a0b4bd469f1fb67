"""Template filters for Vietnamese names, dates and numbers; loaded as a builtin."""

from django import template

from directive03 import formats

register = template.Library()


@register.filter
def ngay(value, place=None):
    """{{ d|ngay }} -> 'ngày 04 tháng 4 năm 2013'; {{ d|ngay:unit.place_name }} adds the place."""
    if not value:
        return ""
    return formats.long_date(value, place)


@register.filter
def ho_ten(user):
    """{{ user|ho_ten }} -> 'Trần Quang Vinh': family name first (directive03.formats.person_name)."""
    return formats.person_name(user) if user else ""


@register.filter
def ngay_ngan(value):
    """{{ d|ngay_ngan }} -> '05/11/2026'."""
    return formats.short_date(value) if value else ""


@register.filter
def so(value, decimals=0):
    """{{ n|so }} -> '88.695'."""
    if value is None or value == "":
        return ""
    return formats.number(value, int(decimals))
