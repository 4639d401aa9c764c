"""The agenda's session cards, written out in Python.

A 300-session agenda drew `_session_card.html` (and `_person.html` inside it) some 1,500
times: template lookups, an `{% url %}` and several translation lookups per card took most
of a first render. Here the same markup is built with f-strings: the translations and the
two URL patterns are looked up once per page, values are escaped as the template escaped
them. `_session_card.html` stays as the reference markup; tests/frontend/test_cards.py holds
the two equal, so a change to one must be made to the other.
"""

from __future__ import annotations

from html import escape as _escape

from django.urls import reverse
from django.utils.translation import gettext, pgettext

_ID = 987654321  # a stand-in id, replaced in the reversed URL


def _e(value) -> str:
    # What the template did with a variable: str() then html-escape (Django's escape is html.escape).
    return _escape(str(value), quote=True)


def _pattern(name: str, slug: str) -> tuple[str, str]:
    url = _e(reverse(name, args=[slug, _ID]))
    head, _, tail = url.partition(str(_ID))
    return head, tail


class CardWriter:
    """Writes the cards of one page, in the active language, for one forum's slug."""

    def __init__(self, slug: str):
        self.session_url = _pattern("frontend:session", slug)
        self.speaker_url = _pattern("frontend:speaker", slug)
        self.cancelled = gettext("Cancelled")
        self.session_number = gettext("Session %(n)s")
        self.working_paper = gettext("Working paper")
        self.separator = pgettext("list separator", ", ")
        self.in_agenda = gettext("In my agenda")
        self.add = gettext("Add to my agenda")
        self.clash = gettext("Clash")

    def person(self, p: dict) -> str:
        head, tail = self.speaker_url
        where = f' <span class="person__where">({_e(p["where"])})</span>' if p["where"] else ""
        return f'<span class="person"><a class="person__name" href="{head}{p["id"]}{tail}">{_e(p["name"])}</a>{where}</span>\n'

    def card(self, s: dict) -> str:
        e = _e
        sid = s["id"]
        cancelled = s["cancelled"]
        title = e(s["title"])
        hall_id = "" if s["hall_id"] is None else e(s["hall_id"])
        track_id = "" if s["track_id"] is None else e(s["track_id"])
        flag = ' data-cancelled="1"' if cancelled else ""
        color = f' style="--track:{e(s["track_color"])}"' if s["track_color"] else ""
        hall = f'<span class="session__hall">{e(s["hall"])}</span>' if s["hall"] else ""
        out = [
            f'<li class="session kind-{e(s["kind"])}{" session--cancelled" if cancelled else ""}" style="{e(s.get("grid", ""))}" id="session-{sid}"\n',
            f'  data-session="{sid}" data-day="{e(s["date"])}" data-hall="{hall_id}" data-track="{track_id}" data-kind="{e(s["kind"])}"\n',
            f'  data-start="{e(s["starts_iso"])}" data-end="{e(s["ends_iso"])}"{flag} data-title="{title}" data-search="{e(s["search"])}">\n',
            f'  <article class="session__card" aria-labelledby="session-{sid}-title"{color}>\n',
            '    <p class="session__meta">\n',
            f'      <time datetime="{e(s["starts_iso"])}" class="session__time">{e(s["time"])}</time>{hall}\n',
        ]
        track = f'<span class="badge badge--track">{e(s["track"])}</span>' if s["track"] else ""
        out.append(f'      <span class="badge">{e(s["kind_label"])}</span>{track}\n')
        badge = f'<span class="badge badge--cancelled" data-testid="cancelled">{self.cancelled}</span>' if cancelled else ""
        out.append(f"      {badge}\n    </p>\n")
        head, tail = self.session_url
        number = ""
        if s["number_label"]:
            number = f'<span class="session__number">{self.session_number % {"n": e(s["number_label"])}}: </span>'
        out.append(f'    <h3 class="session__title" id="session-{sid}-title"><a href="{head}{sid}{tail}">{number}{title}</a></h3>\n')
        chairs = ""
        if s["chairs"]:
            chairs = '<p class="session__chairs" data-testid="session-chair">' + "<br>".join(
                f'<span class="role">{e(p["role_label"])}:</span> {self.person(p)}' for p in s["chairs"]) + "</p>"
        out.append(f"    {chairs}\n")
        speakers = ""
        if s["speakers"]:
            speakers = '<ul class="session__people">' + "".join(
                f'<li><span class="role">{e(p["role_label"])}:</span> {self.person(p)}</li>' for p in s["speakers"]) + "</ul>"
        out.append(f"    {speakers}\n")
        papers = ""
        if s["papers"]:
            parts = []
            for paper in s["papers"]:
                names = ""
                if paper["speakers"]:
                    names = " — " + self.separator.join(e(sp["name"]) for sp in paper["speakers"])
                parts.append(f'<li><span class="role">{self.working_paper}:</span> {e(paper["title"])}{names}</li>')
            papers = '<ul class="session__papers">' + "".join(parts) + "</ul>"
        out.append(f"    {papers}\n")
        talks = ""
        if s["talks"]:
            parts = []
            for item in s["talks"]:
                label = item["kind_label"]
                named = f'{e(item["title"])} — ' if item["title"] != label else ""
                parts.append(f'<li><span class="role">{e(label)}:</span> {named}{self.person(item["presenter"])}</li>')
            talks = '<ul class="session__papers">' + "".join(parts) + "</ul>"
        out.append(f"    {talks}\n")
        out.append(
            '    <p class="session__actions">\n'
            f'      <button type="button" class="star" data-star="{sid}" aria-pressed="false" hidden><span class="star__icon" aria-hidden="true">☆</span> '
            f'<span class="star__label" data-on="{self.in_agenda}" data-off="{self.add}">{self.add}</span>'
            f'<span class="visually-hidden">: {title}</span></button>\n'
            f'      <span class="badge badge--clash" data-clash hidden>{self.clash}</span>\n'
            "    </p>\n  </article>\n</li>\n"
        )
        return "".join(out)
