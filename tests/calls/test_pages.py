"""The call's pages: public call page, submitter portal, reviewers' and organizers' pages."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from calls import services
from calls.models import Submission
from forum.mailing.models import OutgoingMessage
from speakers.services import portal_user_for_person
from tests.calls.factories import SubmissionFactory
from tests.factories import PersonFactory, SessionFactory, UserFactory
from tests.speakers.files import docx_bytes

pytestmark = pytest.mark.django_db


def _signed_in(client, person):
    user = portal_user_for_person(person=person)
    client.force_login(user)
    return user


def _post_data(world, **extra):
    data = {"type": world.type.pk, "theme": world.themes[0].pk, "title_ar": "ورقة من الصفحة",
            "abstract_ar": "ملخص قصير", "keywords": "جودة", "action": "submit"}
    data.update(extra)
    return data


def test_call_page_bilingual_with_hijri_beside_gregorian(client, world):
    world.call.rules_en = "RULES-IN-ENGLISH"
    world.call.save()
    ar = client.get(reverse("calls:call", args=[world.forum.slug])).content.decode()
    assert world.call.rules_ar in ar and "هـ" in ar and world.themes[0].name_ar in ar
    assert 'name="website"' in ar  # the honeypot
    en = client.get("/en" + reverse("calls:call", args=[world.forum.slug])).content.decode()
    assert "RULES-IN-ENGLISH" in en and "AH" in en


def test_closed_call_page_says_so_and_offers_no_form(client, world):
    world.call.opens_at = timezone.now() - timedelta(days=20)
    world.call.closes_at = timezone.now() - timedelta(seconds=1)
    world.call.save()
    page = client.get(reverse("calls:call", args=[world.forum.slug])).content.decode()
    assert 'data-testid="call-closed"' in page and 'data-testid="send-link"' not in page


def test_draft_forum_call_is_hidden(client, world):
    world.forum.status = "draft"
    world.forum.save()
    assert client.get(reverse("calls:call", args=[world.forum.slug])).status_code == 404


def test_sign_in_by_link_then_portal(client, world):
    page = client.post(reverse("calls:sign_in", args=[world.forum.slug]), {"email": "new@example.org",
                                                                           "name": "نورة"})
    assert page.status_code == 200 and 'data-testid="link-sent"' in page.content.decode()
    body = OutgoingMessage.objects.get(kind="calls.sign_in_link").text_body
    link = body.split(" ")[0]
    path = "/calls/link/" + body.split("/calls/link/")[1].split("/")[0] + "/"
    opened = client.get(path)
    assert opened.status_code == 302 and opened["Location"].endswith(f"/calls/{world.forum.slug}/mine/")
    assert client.get(opened["Location"]).status_code == 200
    assert client.get(path).status_code == 403  # once only
    assert link


def test_sign_in_flood_is_429_with_form_message(client, world):
    url = reverse("calls:sign_in", args=[world.forum.slug])
    for _n in range(3):
        client.post(url, {"email": "flood@example.org"})
    refused = client.post(url, {"email": "flood@example.org"})
    assert refused.status_code == 429
    assert "Too many" in refused.content.decode() or "محاولات" in refused.content.decode()


def test_submit_from_the_page_gives_receipt(client, world):
    _signed_in(client, world.author)
    response = client.post(reverse("calls:new", args=[world.forum.slug]), _post_data(world))
    assert response.status_code == 302
    sub = Submission.objects.get()
    assert sub.status == Submission.Status.SUBMITTED
    assert OutgoingMessage.objects.filter(kind="calls.receipt", to=world.author.email).exists()


def test_refused_save_keeps_draft_and_shows_field_message(client, world):
    _signed_in(client, world.author)
    bad = SimpleUploadedFile("paper.docx", docx_bytes(vba=True))
    response = client.post(reverse("calls:new", args=[world.forum.slug]),
                           _post_data(world, title_ar="مسودة لا تضيع", file=bad))
    assert response.status_code == 400
    assert "مسودة لا تضيع" in response.content.decode()
    sub = Submission.objects.get()
    assert sub.status == Submission.Status.DRAFT and sub.title_ar == "مسودة لا تضيع"


def test_autosave_creates_then_updates_draft(client, world):
    _signed_in(client, world.author)
    url = reverse("calls:autosave", args=[world.forum.slug])
    first = client.post(url, {"type": world.type.pk, "title_ar": "أول"}).json()
    again = client.post(url, {"submission": first["id"], "type": world.type.pk, "title_ar": "ثانٍ"}).json()
    assert first["id"] == again["id"] and Submission.objects.get().title_ar == "ثانٍ"


def test_autosave_of_someone_elses_draft_is_404(client, world):
    other = SubmissionFactory(call=world.call, type=world.type)
    _signed_in(client, world.author)
    response = client.post(reverse("calls:autosave", args=[world.forum.slug]),
                           {"submission": other.pk, "type": world.type.pk, "title_ar": "سرقة"})
    assert response.status_code == 404
    assert client.get(reverse("calls:edit", args=[world.forum.slug, other.pk])).status_code == 404


def test_withdraw_from_the_page(client, world):
    _signed_in(client, world.author)
    client.post(reverse("calls:new", args=[world.forum.slug]), _post_data(world))
    sub = Submission.objects.get()
    client.post(reverse("calls:edit", args=[world.forum.slug, sub.pk]), {"action": "withdraw"})
    sub.refresh_from_db()
    assert sub.status == Submission.Status.WITHDRAWN


@pytest.mark.parametrize("name", ["manage", "ranking", "statistics", "templates", "unscheduled"])
def test_outsider_and_submitter_refused_organizer_pages(client, world, outsider, name):
    for user in (outsider, portal_user_for_person(person=world.author)):
        client.force_login(user)
        assert client.get(reverse(f"calls:{name}", args=[world.forum.slug])).status_code == 404
    assert client.get(reverse("calls:export", args=[world.forum.slug, "csv"])).status_code == 404


def test_outsider_cannot_download_a_submission_file(client, world, outsider):
    sub = SubmissionFactory(call=world.call, type=world.type)
    client.force_login(outsider)
    assert client.get(reverse("calls:file", args=[world.forum.slug, sub.pk])).status_code == 404


def _submitted(world, n):
    subs = []
    for i in range(n):
        person = PersonFactory()
        draft = services.submission_save(call=world.call, person=person, type=world.type, theme=world.themes[0],
                                         title_ar=f"ورقة {i}", abstract_ar="ملخص")
        subs.append(services.submission_submit(submission=draft, person=person))
    return subs


def test_organizer_list_query_count_constant(client, world, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.organizer)
    url = reverse("calls:manage", args=[world.forum.slug])
    reviewer = UserFactory()
    for sub in _submitted(world, 2):
        services.reviewer_assign(submission=sub, reviewer=reviewer, user=world.organizer)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    more = _submitted(world, 5)
    for sub in more:
        services.reviewer_assign(submission=sub, reviewer=reviewer, user=world.organizer)
        services.reviewer_assign(submission=sub, reviewer=UserFactory(), user=world.organizer)
    with django_assert_num_queries(len(few)):
        page = client.get(url)
    assert page.status_code == 200 and all(f'data-testid="row-{s.pk}"' in page.content.decode() for s in more)


def test_reviewer_list_shows_only_assigned_and_query_count_constant(client, world, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    reviewer = UserFactory()
    subs = _submitted(world, 6)
    services.reviewer_assign(submission=subs[0], reviewer=reviewer, user=world.organizer)
    client.force_login(reviewer)
    url = reverse("calls:reviews", args=[world.forum.slug])
    with CaptureQueriesContext(connection) as one:
        page = client.get(url).content.decode()
    assert "ورقة 0" in page and "ورقة 1" not in page
    assert world.author.full_name_ar not in page  # blind by default
    for sub in subs[1:5]:
        services.reviewer_assign(submission=sub, reviewer=reviewer, user=world.organizer)
    with django_assert_num_queries(len(one)):
        page = client.get(url).content.decode()
    assert "ورقة 4" in page and "ورقة 5" not in page


def test_organizer_pages_statistics_ranking_export(client, world):
    _submitted(world, 2)
    client.force_login(world.organizer)
    for name in ("ranking", "statistics", "templates", "unscheduled"):
        assert client.get(reverse(f"calls:{name}", args=[world.forum.slug])).status_code == 200
    csv = client.get(reverse("calls:export", args=[world.forum.slug, "csv"]))
    assert csv["Content-Type"].startswith("text/csv") and csv.content.decode("utf-8-sig").count("\n") == 3
    xlsx = client.get(reverse("calls:export", args=[world.forum.slug, "xlsx"]))
    assert xlsx.content[:2] == b"PK"


def test_decide_release_confirm_place_through_pages(client, world):
    [sub] = _submitted(world, 1)
    client.force_login(world.organizer)
    client.post(reverse("calls:manage_submission", args=[world.forum.slug, sub.pk]),
                {"action": "decide", "outcome": "accepted"})
    assert not OutgoingMessage.objects.filter(kind__startswith="calls.decision").exists()
    client.post(reverse("calls:manage", args=[world.forum.slug]), {"action": "release"})
    assert OutgoingMessage.objects.filter(kind="calls.decision.accepted").count() == 1
    author_client = type(client)()
    _signed_in(author_client, sub.submitter)
    author_client.post(reverse("calls:edit", args=[world.forum.slug, sub.pk]), {"action": "confirm"})
    sub.refresh_from_db()
    assert sub.status == Submission.Status.CONFIRMED
    listed = client.get(reverse("calls:unscheduled", args=[world.forum.slug])).content.decode()
    assert f'data-testid="paper-{sub.paper_id}"' in listed
    session = SessionFactory(forum=world.forum)
    client.post(reverse("calls:unscheduled", args=[world.forum.slug]), {"submission": sub.pk,
                                                                        "session": session.pk})
    assert session.items.get().title_ar == sub.title_ar


def test_template_page_refuses_unknown_placeholder_with_field_message(client, world):
    client.force_login(world.organizer)
    response = client.post(reverse("calls:templates", args=[world.forum.slug]), {
        "outcome": "rejected", "rejected-subject_ar": "x", "rejected-body_ar": "{salary}"})
    assert response.status_code == 400 and "{salary}" in response.content.decode()


def test_posted_draft_id_of_someone_else_is_404_and_garbage_is_ignored(client, world):
    other = SubmissionFactory(call=world.call, type=world.type)
    _signed_in(client, world.author)
    url = reverse("calls:new", args=[world.forum.slug])
    assert client.post(url, _post_data(world, submission=other.pk, action="save")).status_code == 404
    assert client.post(url, _post_data(world, submission="1 OR 1=1", action="save")).status_code == 302
    autosave = reverse("calls:autosave", args=[world.forum.slug])
    assert client.post(autosave, {"submission": "x", "type": world.type.pk}).status_code == 200
    assert Submission.objects.filter(submitter=world.author).count() == 2


def test_word_limit_message_in_the_users_language(client, world):
    world.type.abstract_max_words = 3
    world.type.save()
    _signed_in(client, world.author)
    url = reverse("calls:new", args=[world.forum.slug])
    ar = client.post(url, _post_data(world, abstract_ar="واحد اثنان ثلاثة أربعة")).content.decode()
    assert "في الملخص 4 كلمة، والحد 3." in ar
    sub = Submission.objects.get()
    en = client.post("/en" + reverse("calls:edit", args=[world.forum.slug, sub.pk]),
                     _post_data(world, abstract_ar="one two three four")).content.decode()
    assert "The abstract has 4 words; the limit is 3." in en


def test_builder_lists_accepted_not_yet_scheduled_and_places_from_there(client, world):
    [sub] = _submitted(world, 1)
    services.submission_decide(submission=sub, outcome="accepted", user=world.organizer)
    services.decisions_release(call=world.call, user=world.organizer)
    services.submission_confirm(submission=sub, person=sub.submitter)
    session = SessionFactory(forum=world.forum)
    client.force_login(world.organizer)
    builder = reverse("sessions:builder", args=[world.forum.slug])
    page = client.get(builder).content.decode()
    assert f'data-testid="unscheduled-{sub.paper_id}"' in page and sub.title_ar in page
    placed = client.post(reverse("calls:unscheduled", args=[world.forum.slug]),
                         {"submission": sub.pk, "session": session.pk, "next": builder})
    assert placed.status_code == 302 and placed["Location"] == builder
    assert f'data-testid="unscheduled-{sub.paper_id}"' not in client.get(builder).content.decode()
    offsite = client.post(reverse("calls:unscheduled", args=[world.forum.slug]),
                          {"submission": sub.pk, "session": session.pk, "next": "https://evil.example/"})
    assert offsite["Location"].endswith(reverse("calls:unscheduled", args=[world.forum.slug]))


def test_builder_panel_not_shown_to_viewers(client, world):
    from tests.factories import TeamMemberFactory

    viewer = TeamMemberFactory(forum=world.forum, role="viewer").user
    client.force_login(viewer)
    page = client.get(reverse("sessions:builder", args=[world.forum.slug])).content.decode()
    assert 'data-testid="unscheduled"' not in page


def test_speaker_portal_lists_own_submissions_only(client, world):
    [mine] = _submitted(world, 1)
    other = SubmissionFactory(call=world.call, type=world.type, title_ar="ليست لي")
    _signed_in(client, mine.submitter)
    page = client.get(reverse("speakers:portal")).content.decode()
    assert 'data-testid="call-submissions"' in page and mine.title_ar in page and other.title_ar not in page


def test_organizer_sets_confirmation_date_in_forum_time_zone(client, world):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    client.force_login(world.organizer)
    url = reverse("calls:manage", args=[world.forum.slug])
    client.post(url, {"action": "confirm_by", "confirm_by": "2031-05-01T23:59:59"})
    world.call.refresh_from_db()
    assert world.call.confirm_by == datetime(2031, 5, 1, 23, 59, 59, tzinfo=ZoneInfo(world.forum.time_zone))
    client.post(url, {"action": "confirm_by", "confirm_by": "not a date"})
    world.call.refresh_from_db()
    assert world.call.confirm_by.year == 2031


def test_editor_creates_call_in_forum_time_zone_and_adds_a_type(client):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from calls.models import Call
    from tests.factories import ForumFactory, TeamMemberFactory

    forum = ForumFactory(time_zone="Asia/Dubai")
    client.force_login(TeamMemberFactory(forum=forum, role="editor").user)
    url = reverse("calls:settings", args=[forum.slug])
    assert client.get(url).status_code == 200
    response = client.post(url, {"action": "call", "title_ar": "دعوة", "opens_at": "2031-01-01T00:00:00",
                                 "closes_at": "2031-02-01T23:59:59", "blind_review": "on",
                                 "reviewers_per_submission": 2})
    assert response.status_code == 302
    call = Call.objects.get(forum=forum)
    assert call.closes_at == datetime(2031, 2, 1, 23, 59, 59, tzinfo=ZoneInfo("Asia/Dubai"))
    client.post(url, {"action": "type", "type-kind": "experience", "type-name_ar": "تجربة",
                      "type-abstract_min_words": 0, "type-abstract_max_words": 150})
    assert call.types.get().kind == "experience"
    refused = client.post(url, {"action": "call", "title_ar": "دعوة", "opens_at": "2031-03-01T00:00:00",
                                "closes_at": "2031-02-01T00:00:00", "reviewers_per_submission": 2})
    assert refused.status_code == 400
    call.refresh_from_db()
    assert call.opens_at == datetime(2031, 1, 1, tzinfo=ZoneInfo("Asia/Dubai"))  # nothing changed


def test_settings_page_refused_to_viewers_and_outsiders(client, world, outsider):
    from tests.factories import TeamMemberFactory

    for user in (outsider, TeamMemberFactory(forum=world.forum, role="viewer").user):
        client.force_login(user)
        assert client.get(reverse("calls:settings", args=[world.forum.slug])).status_code == 404


def _coauthor_post(rows):
    data = {}
    for n, row in enumerate(rows):
        data.update({f"coauthor-{n}-{k}": v for k, v in row.items()})
    return data


def test_coauthors_added_and_removed_after_submission_from_the_page(client, world):
    from calls.models import CoAuthor

    _signed_in(client, world.author)
    client.post(reverse("calls:new", args=[world.forum.slug]), _post_data(world, action="save", **_coauthor_post(
        [{"full_name_ar": "خالد", "email": "k@example.org"}])))
    sub = Submission.objects.get()
    CoAuthor.objects.update(confirmed_at=timezone.now())
    services.submission_submit(submission=sub, person=world.author)
    edit = reverse("calls:edit", args=[world.forum.slug, sub.pk])
    page = client.get(edit).content.decode()
    assert "until the call closes" in page or "حتى إغلاق" in page
    response = client.post(edit, _post_data(world, action="save", **_coauthor_post(
        [{"full_name_ar": "خالد", "email": "k@example.org"}, {"honorific": "doctor", "full_name_ar": "منى",
                                                              "email": "mona@example.org"}])))
    assert response.status_code == 302
    assert OutgoingMessage.objects.filter(kind="calls.coauthor_invite", to="mona@example.org").exists()
    body = OutgoingMessage.objects.get(kind="calls.coauthor_invite", to="mona@example.org").text_body
    token = body.split("/calls/co-author/")[1].split("/")[0]
    response = client.post(edit, _post_data(world, action="save", **_coauthor_post(
        [{"full_name_ar": "خالد", "email": "k@example.org"}])))
    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.status == Submission.Status.SUBMITTED
    assert list(sub.coauthors.values_list("email", flat=True)) == ["k@example.org"]
    refused = client.post(reverse("calls:coauthor_confirm", args=[token]))
    assert refused.status_code == 403


def test_bad_coauthor_row_after_submission_shows_beside_the_row_and_keeps_the_edit(client, world):
    _signed_in(client, world.author)
    client.post(reverse("calls:new", args=[world.forum.slug]), _post_data(world))
    sub = Submission.objects.get(status=Submission.Status.SUBMITTED)
    response = client.post(reverse("calls:edit", args=[world.forum.slug, sub.pk]), _post_data(
        world, action="save", title_ar="عنوان بعد التقديم", **_coauthor_post([{"full_name_ar": "", "email": "x"}])))
    assert response.status_code == 400
    assert 'data-testid="coauthor-0-errors"' in response.content.decode()
    sub.refresh_from_db()
    assert sub.title_ar == "عنوان بعد التقديم" and sub.status == Submission.Status.SUBMITTED
