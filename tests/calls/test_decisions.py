"""Decisions are held until released; acceptance → confirmation → builder list → session → agenda."""

from datetime import timedelta

import pytest
from django.utils import timezone

from calls import selectors, services
from calls.models import Decision, Submission
from forum.errors import DomainError, NotFound
from forum.mailing.models import OutgoingMessage
from sessions.models import SessionItem, SessionRole
from sessions.selectors import agenda_snapshot_build
from sessions.services import schedule_publish
from speakers.models import ReviewCriterion, WorkingPaper
from speakers.services import review_submit
from tests.factories import PersonFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _submit(world, person=None, title="ورقة مقبولة", theme=None):
    person = person or world.author
    draft = services.submission_save(call=world.call, person=person, type=world.type,
                                     theme=theme or world.themes[0], title_ar=title, title_en="Accepted paper",
                                     abstract_ar="ملخص")
    return services.submission_submit(submission=draft, person=person)


def _decision_mails():
    return OutgoingMessage.objects.filter(kind__startswith="calls.decision")


def test_decision_emails_held_until_released(world):
    accepted, rejected = _submit(world), _submit(world, person=PersonFactory(), title="أخرى")
    services.submission_decide(submission=accepted, outcome="accepted", user=world.organizer)
    services.submission_decide(submission=rejected, outcome="rejected", user=world.organizer)
    assert not _decision_mails().exists()
    accepted.refresh_from_db()
    assert accepted.status == Submission.Status.SUBMITTED  # the author cannot see it yet
    assert services.decisions_release(call=world.call, user=world.organizer) == 2
    assert _decision_mails().count() == 2
    accepted.refresh_from_db()
    rejected.refresh_from_db()
    assert accepted.status == Submission.Status.ACCEPTED and accepted.confirm_by == world.call.confirm_by
    assert rejected.status == Submission.Status.REJECTED
    assert WorkingPaper.objects.get(pk=rejected.paper_id).status == WorkingPaper.Status.REJECTED
    assert services.decisions_release(call=world.call, user=world.organizer) == 0  # nothing sent twice
    assert _decision_mails().count() == 2


def test_released_decision_cannot_change(world):
    sub = _submit(world)
    services.submission_decide(submission=sub, outcome="rejected", user=world.organizer)
    services.decisions_release(call=world.call, user=world.organizer)
    with pytest.raises(DomainError):
        services.submission_decide(submission=sub, outcome="accepted", user=world.organizer)


def test_decision_template_placeholders_name_with_honorific_title_theme(world):
    world.author.honorific = "doctor"
    world.author.full_name_ar = "فاطمة"
    world.author.save()
    services.template_save(call=world.call, outcome="accepted", user=world.organizer,
                           subject_ar="قبول: {title}", body_ar="{name}، قُبلت «{title}» في {theme}.",
                           subject_en="Accepted: {title}", body_en="{name}, “{title}” in {theme}.")
    sub = _submit(world)
    services.submission_decide(submission=sub, outcome="accepted", user=world.organizer)
    services.decisions_release(call=world.call, user=world.organizer)
    mail = _decision_mails().get()
    assert "الدكتور فاطمة" in mail.text_body and "ورقة مقبولة" in mail.text_body
    assert world.themes[0].name_ar in mail.text_body and "Accepted paper" in mail.subject


def test_decision_template_unknown_placeholder_refused(world):
    with pytest.raises(DomainError) as exc:
        services.template_save(call=world.call, outcome="rejected", user=world.organizer, subject_ar="x",
                               body_ar="{email}")
    assert "body_ar" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        services.template_save(call=world.call, outcome="rejected", user=world.organizer, subject_ar="{title",
                               body_ar="y")
    assert "subject_ar" in exc.value.errors


def test_release_of_acceptances_needs_confirmation_date(world):
    world.call.confirm_by = None
    world.call.save()
    sub = _submit(world)
    services.submission_decide(submission=sub, outcome="accepted", user=world.organizer)
    with pytest.raises(DomainError) as exc:
        services.decisions_release(call=world.call, user=world.organizer)
    assert "confirm_by" in exc.value.errors
    assert not Decision.objects.filter(released_at__isnull=False).exists()


def test_unconfirmed_acceptance_expires(world):
    sub = _submit(world)
    services.submission_decide(submission=sub, outcome="accepted", user=world.organizer)
    services.decisions_release(call=world.call, user=world.organizer)
    late = world.call.confirm_by + timedelta(seconds=1)
    with pytest.raises(DomainError):
        services.submission_confirm(submission=sub, person=world.author, now=late)
    assert services.acceptances_expire(now=late) == 1
    sub.refresh_from_db()
    assert sub.status == Submission.Status.EXPIRED


def test_only_the_author_confirms(world):
    sub = _submit(world)
    services.submission_decide(submission=sub, outcome="accepted", user=world.organizer)
    services.decisions_release(call=world.call, user=world.organizer)
    with pytest.raises(NotFound):
        services.submission_confirm(submission=sub, person=PersonFactory())


def test_acceptance_confirmation_builder_list_session_published_agenda(world):
    reviewer = UserFactory()
    criterion = ReviewCriterion.objects.create(forum=world.forum, name_ar="الأصالة", weight=2)
    draft = services.submission_save(call=world.call, person=world.author, type=world.type, theme=world.themes[0],
                                     title_ar="ورقة إلى الجدول", abstract_ar="ملخص",
                                     coauthors=[{"full_name_ar": "هند", "email": "hind@example.org",
                                                 "honorific": "ustadha"}])
    from calls.models import CoAuthor

    CoAuthor.objects.update(confirmed_at=timezone.now())
    sub = services.submission_submit(submission=draft, person=world.author)
    assignment = services.reviewer_assign(submission=sub, reviewer=reviewer, user=world.organizer)
    review_submit(assignment=assignment, user=reviewer, scores={criterion.pk: 9})
    [group] = selectors.ranking(call=world.call)
    assert group.rows[0].average == 9.0
    services.submission_decide(submission=sub, outcome="accepted", user=world.organizer)
    services.decisions_release(call=world.call, user=world.organizer)
    assert list(selectors.accepted_unscheduled(forum=world.forum)) == []  # not before the author confirms
    services.submission_confirm(submission=sub, person=world.author)
    paper = WorkingPaper.objects.get(submission=sub)
    assert paper.status == WorkingPaper.Status.ACCEPTED
    assert {p.email for p in paper.speakers.all()} == {"author@example.org", "hind@example.org"}
    assert list(selectors.accepted_unscheduled(forum=world.forum)) == [paper]
    session = SessionFactory(forum=world.forum)
    item = services.submission_place(submission=sub, session=session, user=world.organizer)
    assert item.kind == SessionItem.Kind.PAPER and item.presenter == world.author
    assert SessionRole.objects.filter(session=session, person=world.author, role="speaker").exists()
    assert list(selectors.accepted_unscheduled(forum=world.forum)) == []
    with pytest.raises(DomainError):
        services.submission_place(submission=sub, session=session, user=world.organizer)
    version = schedule_publish(forum=world.forum, user=world.organizer)
    titles = [i["title_ar"] for s in version.snapshot["sessions"] for i in s.get("items", [])]
    assert "ورقة إلى الجدول" in titles
    assert agenda_snapshot_build(forum=world.forum) == version.snapshot


def test_place_refuses_other_forum_session_and_unconfirmed(world):
    sub = _submit(world)
    with pytest.raises(DomainError) as exc:
        services.submission_place(submission=sub, session=SessionFactory(forum=world.forum), user=world.organizer)
    assert exc.value.code == "not_confirmed"
    with pytest.raises(DomainError) as exc:
        services.submission_place(submission=sub, session=SessionFactory(), user=world.organizer)
    assert exc.value.code == "other_forum"


def test_ranking_per_theme_orders_by_weighted_average(world):
    ReviewCriterion.objects.create(forum=world.forum, name_ar="الوضوح", weight=1)
    criterion = ReviewCriterion.objects.get(forum=world.forum)
    low, high, unscored = (_submit(world, person=PersonFactory(), title=t) for t in ("منخفضة", "عالية", "بلا"))
    for sub, score in ((low, 3), (high, 8)):
        reviewer = UserFactory()
        a = services.reviewer_assign(submission=sub, reviewer=reviewer, user=world.organizer)
        review_submit(assignment=a, user=reviewer, scores={criterion.pk: score})
    other_theme = _submit(world, person=PersonFactory(), title="محور آخر", theme=world.themes[1])
    groups = {g.theme.pk: g for g in selectors.ranking(call=world.call)}
    assert [r.submission.pk for r in groups[world.themes[0].pk].rows] == [high.pk, low.pk, unscored.pk]
    assert [r.submission.pk for r in groups[world.themes[1].pk].rows] == [other_theme.pk]


def test_waitlisted_paper_accepted_later_with_its_own_release(world):
    sub = _submit(world)
    services.submission_decide(submission=sub, outcome="waitlisted", user=world.organizer)
    services.decisions_release(call=world.call, user=world.organizer)
    assert _decision_mails().filter(kind="calls.decision.waitlisted").count() == 1
    with pytest.raises(DomainError):
        services.submission_decide(submission=sub, outcome="waitlisted", user=world.organizer)
    services.submission_decide(submission=sub, outcome="accepted", user=world.organizer)
    sub.refresh_from_db()
    assert sub.status == Submission.Status.WAITLISTED and not _decision_mails().filter(
        kind="calls.decision.accepted").exists()
    services.decisions_release(call=world.call, user=world.organizer)
    sub.refresh_from_db()
    assert sub.status == Submission.Status.ACCEPTED
    assert _decision_mails().filter(kind="calls.decision.accepted").count() == 1


def test_release_sends_one_message_per_author_and_confirmed_coauthor_each_by_name(world):
    from calls.models import CoAuthor
    from tests.calls.factories import CoAuthorFactory

    world.author.honorific = "doctor"
    world.author.full_name_ar = "فاطمة"
    world.author.full_name_en = "Fatima"
    world.author.save()
    services.template_save(call=world.call, outcome="rejected", user=world.organizer,
                           subject_ar="نتيجة: {title}", body_ar="{name}، ورقة «{title}» في {theme}.",
                           subject_en="Result: {title}", body_en="{name}, “{title}” in {theme}.")
    sub = _submit(world)
    now = timezone.now()
    engineer = CoAuthorFactory(submission=sub, honorific="engineer", full_name_ar="سارة", full_name_en="Sara",
                               email="sara@example.org", confirmed_at=now)
    CoAuthorFactory(submission=sub, honorific="", full_name_ar="خالد", full_name_en="Khalid",
                    email="khalid@example.org", confirmed_at=now)
    CoAuthorFactory(submission=sub, full_name_ar="غير مؤكد", email="pending@example.org", confirmed_at=None)
    # A co-author with the submitter's address (in another case) gets no second message.
    CoAuthor.objects.create(submission=sub, full_name_ar="فاطمة مكررة", email="AUTHOR@example.org", confirmed_at=now)
    services.submission_decide(submission=sub, outcome="rejected", user=world.organizer)
    services.decisions_release(call=world.call, user=world.organizer)
    mails = {m.to.lower(): m for m in _decision_mails()}
    assert sorted(mails) == ["author@example.org", "khalid@example.org", "sara@example.org"]
    assert _decision_mails().count() == 3
    assert "الدكتور فاطمة" in mails["author@example.org"].text_body
    assert engineer.salutation_ar in mails["sara@example.org"].text_body
    assert "Sara" in mails["sara@example.org"].text_body and "فاطمة" not in mails["sara@example.org"].text_body
    assert "السيد/السيدة خالد" in mails["khalid@example.org"].text_body
    assert "Dear Khalid" in mails["khalid@example.org"].text_body
    for mail in mails.values():
        assert "ورقة مقبولة" in mail.text_body and world.themes[0].name_ar in mail.text_body
        assert "Result: Accepted paper" in mail.subject and "{" not in mail.text_body
    services.decisions_release(call=world.call, user=world.organizer)
    assert _decision_mails().count() == 3  # once each
