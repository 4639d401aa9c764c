"""Hijri beside Gregorian, and file sizes, for the portal's pages."""

from datetime import date, datetime

from django import template
from django.utils import timezone, translation

register = template.Library()

@register.simple_tag(takes_context=True)
def dual_date(context, value) -> str:
    """«الثلاثاء ٥ ربيع الأول ١٤٤٠هـ — ١٣ نوفمبر ٢٠١٨م», the day in the forum's time zone, written like the
    public pages (the visitor's digits), so a speaker sees one date format everywhere."""
    if value is None or value == "":
        return ""
    from forum import formatting as fmt

    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        return str(value)
    lang = translation.get_language() or "ar"
    digits = context.get("digits") or fmt.default_digits(lang)
    try:
        return fmt.dual_date(day, lang, digits)
    except (ValueError, OverflowError):
        return day.isoformat()


@register.filter
def megabytes(value) -> str:
    try:
        return f"{int(value) / 1048576:.2f} MB"
    except (TypeError, ValueError):
        return ""
