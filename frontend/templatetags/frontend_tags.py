"""Dates in both calendars, digits by the visitor's setting, and links to other apps' pages
that may not exist yet."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from forum import formatting as fmt

register = template.Library()


def _settings(context) -> tuple[str, str]:
    lang = translation.get_language() or "ar"
    # Pages that cache by digits pass them; every other page (registration, portal, scanner, settings)
    # follows the visitor's choice too: the `digits` cookie, else the language's default.
    digits = context.get("digits") or fmt.digits_of_request(context.get("request"), lang)
    return lang, digits


@register.simple_tag(takes_context=True)
def num(context, value) -> str:
    """A number (or any text) with the visitor's digits."""
    return fmt.digits_for(value, _settings(context)[1])


@register.simple_tag(takes_context=True)
def dual_date(context, value) -> str:
    """«الاثنين ٢٠ صفر ١٤٤٠هـ — ٢٩ أكتوبر ٢٠١٨م»."""
    lang, digits = _settings(context)
    return fmt.dual_date(value, lang, digits)


@register.simple_tag(takes_context=True)
def money(context, amount, currency) -> str:
    """An amount with its currency, written the way the page's language reads it."""
    lang, digits = _settings(context)
    return fmt.money(amount, currency, lang, digits)


@register.simple_tag(takes_context=True)
def hijri(context, value) -> str:
    lang, digits = _settings(context)
    return fmt.hijri_date(value, lang, digits, weekday=True)


@register.simple_tag(takes_context=True)
def gregorian(context, value) -> str:
    lang, digits = _settings(context)
    return fmt.gregorian_date(value, lang, digits, weekday=True)


@register.simple_tag
def optional_url(name, *args, **kwargs) -> str:
    """The URL, or "" when that page does not exist (yet), so links to other apps never break a page."""
    try:
        return reverse(name, args=args, kwargs=kwargs)
    except NoReverseMatch:
        return ""


@register.simple_tag(takes_context=True)
def digits_setting(context) -> str:
    """The visitor's digits: the `digits` cookie, or the language's default."""
    request = context.get("request")
    value = request.COOKIES.get("digits", "") if request is not None else ""
    if value in fmt.DIGITS_CHOICES:
        return value
    return fmt.default_digits(translation.get_language())


@register.simple_tag(takes_context=True)
def switch_language_url(context, lang: str) -> str:
    """This page in the other language: /en/… ⇄ /…, query string kept, so links stay shareable."""
    from django.urls import translate_url

    request = context.get("request")
    if request is None:
        return "/" if lang == "ar" else f"/{lang}/"
    path = request.get_full_path()
    url = translate_url(path, lang)
    if url == path:  # not a page of ours (e.g. a 404): go to the home page in that language
        return "/" if lang == "ar" else f"/{lang}/"
    return url


@register.simple_tag(takes_context=True)
def session_card(context, s: dict) -> str:
    """One session's card on the agenda (frontend.cards; the markup of `_session_card.html`)."""
    from django.utils.safestring import mark_safe

    from frontend.cards import CardWriter

    # One writer per page render: its translations and URL patterns are looked up once.
    writer = context.render_context.get("frontend_card_writer")
    if writer is None:
        writer = context.render_context["frontend_card_writer"] = CardWriter(context["slug"])
    return mark_safe(writer.card(s))  # every value is escaped by the writer
