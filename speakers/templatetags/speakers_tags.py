"""Hijri beside Gregorian, and file sizes, for the portal's pages."""

from datetime import date, datetime

from django import template
from django.utils import timezone, translation

register = template.Library()

HIJRI_MONTHS_EN = [
    "Muharram", "Safar", "Rabi al-Awwal", "Rabi al-Thani", "Jumada al-Ula", "Jumada al-Akhirah", "Rajab", "Shaban",
    "Ramadan", "Shawwal", "Dhu al-Qadah", "Dhu al-Hijjah",
]


@register.simple_tag
def dual_date(value) -> str:
    """«20 صفر 1440هـ — 29/10/2018م», the date in the active time zone."""
    if value is None or value == "":
        return ""
    from hijridate import Gregorian

    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        return str(value)
    try:
        hijri = Gregorian(day.year, day.month, day.day).to_hijri()
    except (ValueError, OverflowError):
        return day.isoformat()
    if (translation.get_language() or "ar").startswith("ar"):
        return f"{hijri.day} {hijri.month_name('ar')} {hijri.year}هـ — {day:%d/%m/%Y}م"
    return f"{hijri.day} {HIJRI_MONTHS_EN[hijri.month - 1]} {hijri.year} AH — {day:%d %b %Y}"


@register.filter
def megabytes(value) -> str:
    try:
        return f"{int(value) / 1048576:.2f} MB"
    except (TypeError, ValueError):
        return ""
