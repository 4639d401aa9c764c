import pytest

pytestmark = pytest.mark.django_db


def test_unknown_forum_404_page_in_arabic(client):
    response = client.get("/forums/no-such-forum/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "تعذر العثور على الصفحة" in page and 'dir="rtl"' in page and "Not Found" not in page


def test_unknown_forum_404_page_in_english(client):
    response = client.get("/en/forums/no-such-forum/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page and 'dir="ltr"' in page and 'href="/en/"' in page


def test_server_error_page_bilingual():
    from django.template.loader import render_to_string

    page = render_to_string("500.html")
    assert "حدث خطأ غير متوقع" in page and "Something went wrong" in page


def test_speakers_dashboard_says_why_nobody_can_be_invited(client, forum, owner):
    from django.urls import reverse
    from django.utils import translation

    from forum.models import Person

    Person.objects.update(email="")
    client.force_login(owner)
    with translation.override("ar"):
        url = reverse("speakers:manage", args=[forum.slug])
    page = client.get(url).content.decode()
    assert 'data-testid="no-invitable-person"' in page and "لا يمكن دعوة أحد بعد" in page
