"""Template filters for Vietnamese dates and numbers; loaded as a builtin."""

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
def so(value, decimals=0):
    """{{ n|so }} -> '88.695'."""
    if value is None or value == "":
        return ""
    return formats.number(value, int(decimals))
