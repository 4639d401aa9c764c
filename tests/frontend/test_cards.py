"""The agenda's session cards written in Python (frontend.cards) are the markup of `_session_card.html`."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from frontend import selectors
from frontend.cards import CardWriter
from sessions.models import Session, SessionItem, SessionRole
from sessions.services import schedule_publish
from tests.factories import (
    PersonFactory,
    SessionFactory,
    SessionItemFactory,
    SessionRoleFactory,
    WorkingPaperFactory,
    at,
)

from .factories import small_agenda

pytestmark = pytest.mark.django_db


def _awkward_session(data: dict) -> None:
    """Markup characters in every kind of text, two chairs, a talk, a paper with two speakers, no hall."""
    forum = data["forum"]
    odd = PersonFactory(full_name_ar='سعد "الأول" <ب>', full_name_en="Sa'd & <b>sons</b>",
                        position_ar="مدير & نائب", position_en='Head "of" <i>x</i>')
    session = SessionFactory(forum=forum, hall=None, track=data["track"], number=7, kind=Session.Kind.PRESENTATIONS,
                             title_ar='عنوان <script>"x"</script> & \'y\'', title_en="Title & <em>'z'</em>",
                             starts_at=at(13, day=forum.first_day), ends_at=at(14, day=forum.first_day))
    SessionRoleFactory(session=session, person=data["chair"], role=SessionRole.Role.CHAIR, order=0)
    SessionRoleFactory(session=session, person=odd, role=SessionRole.Role.CO_CHAIR, order=1)
    SessionItemFactory(session=session, kind=SessionItem.Kind.SPEECH, title_ar="كلمة <الراعي>", title_en="",
                       presenter=odd, order=1)
    SessionItemFactory(session=session, kind=SessionItem.Kind.PRESENTATION, title_ar="", title_en="",
                       presenter=data["panelist"], order=2)
    item = SessionItemFactory(session=session, kind=SessionItem.Kind.PAPER, title_ar="", presenter=odd, order=3)
    paper = WorkingPaperFactory(forum=forum, title_ar="ورقة <&>", title_en="Paper \"q\"", session_item=item)
    paper.speakers.add(odd, data["speaker"])


@pytest.mark.parametrize("lang", ["ar", "en"])
@pytest.mark.parametrize("digits", ["arab", "latn"])
def test_session_card_written_in_python_matches_the_template(lang, digits):
    data = small_agenda(publish=False)
    _awkward_session(data)
    version = schedule_publish(forum=data["forum"])
    slug = data["forum"].slug
    with translation.override(lang):
        built = selectors.agenda_build(snapshot=version.snapshot, lang=lang, digits=digits)
        sessions = [s for day in built["days"] for s in day["sessions"]]
        assert len(sessions) == 5
        assert any(s["talks"] and len(s["chairs"]) == 2 and s["hall_id"] is None for s in sessions)
        writer = CardWriter(slug)
        for s in sessions:
            expected = render_to_string("frontend/_session_card.html", {"s": s, "slug": slug, "digits": digits})
            assert writer.card(s) == expected, s["id"]
        # "My agenda" lists sessions without their place on the day's grid.
        s = selectors.Presenter(version.snapshot, lang, digits).sessions()[0]
        assert "grid" not in s
        assert writer.card(s) == render_to_string("frontend/_session_card.html", {"s": s, "slug": slug})


def test_agenda_page_escapes_markup_in_session_cards(client):
    data = small_agenda(publish=False)
    _awkward_session(data)
    schedule_publish(forum=data["forum"])
    html = client.get(f"/en/forums/{data['forum'].slug}/agenda/").content.decode()
    assert "Title &amp; &lt;em&gt;&#x27;z&#x27;&lt;/em&gt;" in html
    assert "<em>" not in html and "<b>sons" not in html
    assert '<span class="session__number">Session 7: </span>' in html
