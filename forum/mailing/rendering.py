"""Turning templates into the three parts of an e-mail, for every app.

`render_email("registration/emails/confirmed", context, "ar")` renders
`<base>_subject.txt`, `<base>.txt` and, when it exists, `<base>.html` with the
given language active, and wraps the HTML in `mailing/layout.html`, which sets
`lang` and `dir` (RTL for Arabic) on the document. Without an HTML template
the HTML part is the plain text, escaped and with its line breaks kept.

`render_bilingual_email(...)` renders the same templates in Arabic and then in
English into one message (Arabic first, each part in its own direction; the
plain text parts joined by `bilingual_text`), for people whose preferred
language is English (they read the English part, and the Arabic stays first
as everywhere in the product), and for the messages every reader gets in both
languages (the speakers' e-mails).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape, linebreaks
from django.utils.safestring import mark_safe

RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def direction(language: str) -> str:
    return "rtl" if (language or "ar").split("-")[0] in RTL_LANGUAGES else "ltr"


Localize = Callable[[str], dict] | None


def _part(template_base: str, context: dict, language: str, localize: Localize = None) -> tuple[str, str, str]:
    with translation.override(language):
        ctx = {**context, **(localize(language) if localize else {}),
               "language": language, "direction": direction(language)}
        subject = " ".join(render_to_string(f"{template_base}_subject.txt", ctx).split())
        text = render_to_string(f"{template_base}.txt", ctx).strip() + "\n"
        try:
            body = render_to_string(f"{template_base}.html", ctx)
        except TemplateDoesNotExist:
            body = linebreaks(escape(text))
    return subject, text, body


def _layout(sections: list[tuple[str, str]], language: str, subject: str) -> str:
    return render_to_string(
        "mailing/layout.html",
        {
            "sections": [{"language": lang, "direction": direction(lang), "body": mark_safe(body)}
                         for lang, body in sections],
            "language": language,
            "direction": direction(language),
            "subject": subject,
        },
    )


def render_email(template_base: str, context: dict, language: str = "ar", localize: Localize = None) -> RenderedEmail:
    """Subject, plain text and HTML (with lang/dir) of one message in one language.

    `localize(language)` may add context that depends on the language (names,
    dates), rendered with that language active.
    """
    language = (language or "ar").split("-")[0]
    subject, text, body = _part(template_base, context, language, localize)
    return RenderedEmail(subject=subject, text=text, html=_layout([(language, body)], language, subject))


def bilingual_text(ar: str, en: str) -> str:
    """The plain text of a message written in both languages: Arabic first, English below."""
    return f"{ar}\n\n— English —\n\n{en}"


def render_bilingual_email(template_base: str, context: dict, localize: Localize = None) -> RenderedEmail:
    """Arabic first, then English, in one message."""
    ar_subject, ar_text, ar_body = _part(template_base, context, "ar", localize)
    en_subject, en_text, en_body = _part(template_base, context, "en", localize)
    subject = ar_subject if ar_subject == en_subject else f"{ar_subject} | {en_subject}"
    text = bilingual_text(ar_text, en_text)
    return RenderedEmail(subject=subject, text=text, html=_layout([("ar", ar_body), ("en", en_body)], "ar", subject))


def render_for(template_base: str, context: dict, language: str, localize: Localize = None) -> RenderedEmail:
    """Arabic only for Arabic readers; Arabic then English for everyone else."""
    if (language or "ar").startswith("ar"):
        return render_email(template_base, context, "ar", localize)
    return render_bilingual_email(template_base, context, localize)


BUTTON_STYLE = (
    "display:inline-block;padding:10px 20px;background:#14532d;color:#ffffff;text-decoration:none;"
    "border-radius:6px;font-weight:bold;"
)


def html_from_text(text: str, *, language: str = "ar", subject: str = "", buttons: dict[str, str] | None = None) -> str:
    """The HTML part for a message written as plain text only.

    Every message carries an HTML part with the right `lang`/`dir`; each
    paragraph of a bilingual text (Arabic first, English below) takes its own
    direction from its first letters (`dir="auto"`). A paragraph that is only
    one of the links in `buttons` (link -> label) shows as a button with that label.
    """
    language = (language or "ar").split("-")[0]
    body = linebreaks(escape(text)).replace("<p>", '<p dir="auto">')
    for url, label in (buttons or {}).items():
        body = body.replace(
            f'<p dir="auto">{escape(url)}</p>',
            f'<p dir="auto"><a href="{escape(url)}" style="{BUTTON_STYLE}">{escape(label)}</a></p>',
        )
    return _layout([(language, body)], language, subject)


_PERSONAL_LINK = None


def redact_personal_links(text: str) -> str:
    """Hide the personal links (sign-in, invitation, badge, claim…) of a stored message before showing
    it to organizers: a link with a long secret segment would let its reader act as the recipient."""
    import re

    global _PERSONAL_LINK
    if _PERSONAL_LINK is None:
        _PERSONAL_LINK = re.compile(r"https?://[^\s<>\"']*?/[A-Za-z0-9_\-:.=]{24,}[^\s<>\"']*")
    return _PERSONAL_LINK.sub("[…]", text or "")
