"""One form style: labels above fields, help under them, errors after them, dir="auto" on text fields."""

import re

import pytest
from django.urls import reverse

from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def speaker_client(client):
    user = UserFactory()
    PersonFactory(user=user, full_name_ar="وائل حلواني", position_en="Assistant Director General")
    client.force_login(user)
    return client


def test_speaker_profile_form_uses_the_product_form_layout(speaker_client):
    page = speaker_client.get(reverse("speakers:profile")).content.decode()
    form = page[page.index('<form method="post" enctype="multipart/form-data" class="form">'):]
    form = form[:form.index("</form>")]
    blocks = re.findall(r'<div class="field[^"]*">(.*?)</div>\s*(?=<div class="field|$)', form, re.S)
    assert len(blocks) >= 5
    for block in blocks:
        label, control = block.find("<label"), min(i for i in (block.find("<input"), block.find("<select"),
                                                                  block.find("<textarea")) if i >= 0)
        assert 0 <= label and (label < control or 'type="checkbox"' in block)
    assert "<p>" not in form  # no longer as_p


def test_english_fields_in_arabic_pages_run_by_their_content(speaker_client, client, forum):
    profile = speaker_client.get(reverse("speakers:profile")).content.decode()
    position_en = re.search(r'<input[^>]*name="position_en"[^>]*>', profile).group(0)
    assert 'dir="auto"' in position_en and "Assistant Director General" in position_en
    from tests.registration.factories import RegistrationTypeFactory

    RegistrationTypeFactory(forum=forum)
    register = client.get(reverse("registration:register", args=[forum.slug])).content.decode()
    for name in ("full_name_en", "full_name_ar", "email", "position", "organization_name"):
        assert 'dir="auto"' in re.search(rf'<input[^>]*name="{name}"[^>]*>', register).group(0), name


def test_profile_form_errors_sit_right_after_their_field(speaker_client):
    response = speaker_client.post(reverse("speakers:profile"), {"full_name_ar": "", "preferred_language": "xx"})
    page = response.content.decode()
    block = re.search(r'<div class="field field--error">(.*?)</div>\s*<div class="field', page, re.S)
    assert block and 'class="field__errors"' in block.group(1)
