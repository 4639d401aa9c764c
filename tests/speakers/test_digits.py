"""The digit choice holds in the speaker portal (file sizes) and on list numbers."""

import re

import pytest
from django.urls import reverse

from sessions.models import SessionRole
from speakers import services
from tests.factories import PersonFactory, SessionFactory, SessionRoleFactory, UserFactory, WorkingPaperFactory
from tests.speakers import files

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("digits,pattern", [("arab", r"[٠-٩]+([٫,][٠-٩])?\s"), ("latn", r"[0-9]+([.,][0-9])?\s")])
def test_file_sizes_in_the_chosen_digits(client, forum, digits, pattern):
    user = UserFactory()
    person = PersonFactory(user=user)
    session = SessionFactory(forum=forum)
    SessionRoleFactory(session=session, person=person, role=SessionRole.Role.SPEAKER)
    paper = WorkingPaperFactory(forum=forum, session=session)
    paper.speakers.add(person)
    services.paper_file_upload(paper=paper, user=user, upload=files.upload("a.pdf", files.pdf_bytes()))
    client.force_login(user)
    client.cookies["digits"] = digits
    page = client.get(reverse("speakers:paper", args=[paper.pk])).content.decode()
    versions = page[page.index('data-testid="paper-versions"'):]
    size_cell = re.findall(r"<td>([^<]*(?:ب|B|bytes|بايت)[^<]*)</td>", versions)
    assert size_cell and re.search(pattern, size_cell[0]), size_cell
    assert f'data-digits="{digits}"' in page  # list numbers follow it (base.css: [data-digits=arab] ol)
