"""Bulk badge printing joins its parts with the streaming joiner (forum.pdfjoin; its own tests in tests/forum)."""

import io
import re

import pytest
from pypdf import PdfReader

from .factories import RegistrationFactory, forum_today


@pytest.mark.django_db
def test_bulk_sheet_of_several_parts_has_every_badge_once(monkeypatch):
    from registration.badges import rendering, services
    from registration.badges.selectors import print_registrations

    monkeypatch.setattr(rendering, "PART_BADGES", 9)  # 23 badges: three parts, the last one short
    forum = forum_today()
    registrations = [RegistrationFactory(forum=forum) for _ in range(23)]
    out = io.BytesIO()
    count = services.badges_sheet_write(forum=forum, registrations=print_registrations(forum=forum, order_by="name"),
                                         out=out)
    assert count == 23
    reader = PdfReader(io.BytesIO(out.getvalue()), strict=True)
    assert len(reader.pages) == 3
    text = "\n".join(page.extract_text() for page in reader.pages)
    names = re.findall(r"Tariq Abdullah Alamri \d+", text)
    assert sorted(names) == sorted(r.full_name_en for r in registrations)
