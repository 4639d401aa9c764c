"""The call's rules, from a draft to a paper in the agenda."""

from datetime import UTC, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from calls import services
from calls.models import Submission
from forum.errors import DomainError, NotFound, PermissionDenied
from forum.mailing.models import OutgoingMessage
from speakers.models import PaperFile, ReviewAssignment, WorkingPaper
from tests.calls.factories import CoAuthorFactory, SubmissionFactory, riyadh
from tests.factories import OrganizationFactory, PersonFactory, UserFactory
from tests.speakers.files import docx_bytes, pdf_bytes

pytestmark = pytest.mark.django_db


def _draft(world, **extra):
    fields = {"title_ar": "ورقة عن التميز", "abstract_ar": "ملخص من بضع كلمات", "keywords": "جودة، تميز"}
    fields.update(extra)
    return services.submission_save(call=world.call, person=world.author, type=world.type, theme=world.themes[0],
                                    **fields)


def _mails(kind):
    return list(OutgoingMessage.objects.filter(kind=kind).order_by("id"))


# -- drafts, submission, receipt -----------------------------------------------------------------


def test_submission_submit_sends_receipt_and_opens_paper_for_review(world):
    draft = _draft(world)
    assert draft.status == Submission.Status.DRAFT and draft.paper is None
    submitted = services.submission_submit(submission=draft, person=world.author)
    assert submitted.status == Submission.Status.SUBMITTED
    paper = WorkingPaper.objects.get(submission=submitted)
    assert paper.title_ar == "ورقة عن التميز" and paper.status == WorkingPaper.Status.SUBMITTED
    assert not paper.speakers.exists()  # blind whatever speakers' pages show
    [receipt] = _mails("calls.receipt")
    assert receipt.to == "author@example.org" and str(submitted.pk) in receipt.subject
    assert "English" in receipt.text_body


def test_submission_missing_fields_refused_field_by_field(world):
    draft = services.submission_save(call=world.call, person=world.author, type=world.type)
    with pytest.raises(DomainError) as exc:
        services.submission_submit(submission=draft, person=world.author)
    assert {"title_ar", "abstract_ar", "theme"} <= set(exc.value.errors)
    assert Submission.objects.get(pk=draft.pk).status == Submission.Status.DRAFT


def test_submission_over_word_limit_refused_but_draft_kept(world):
    world.type.abstract_max_words = 5
    world.type.save()
    draft = _draft(world, abstract_ar="واحد اثنان ثلاثة أربعة خمسة ستة سبعة")
    assert Submission.objects.get(pk=draft.pk).abstract_ar.endswith("سبعة")  # the draft is never lost
    with pytest.raises(DomainError) as exc:
        services.submission_submit(submission=draft, person=world.author)
    assert "7" in exc.value.errors["abstract_ar"][0] and "5" in exc.value.errors["abstract_ar"][0]


def test_full_paper_type_requires_file(world):
    world.type.full_paper_required = True
    world.type.save()
    draft = _draft(world)
    with pytest.raises(DomainError) as exc:
        services.submission_submit(submission=draft, person=world.author)
    assert "file" in exc.value.errors


def test_disallowed_file_refused_with_field_message_and_draft_kept(world):
    macro = SimpleUploadedFile("paper.docx", docx_bytes(vba=True))
    with pytest.raises(DomainError) as exc:
        _draft(world, title_ar="مسودة محفوظة", upload=macro)
    assert "file" in exc.value.errors
    kept = Submission.objects.get(submitter=world.author)
    assert kept.title_ar == "مسودة محفوظة" and not kept.file
    assert exc.value.submission.pk == kept.pk


def test_file_checked_by_content_becomes_paper_version(world):
    draft = _draft(world, upload=SimpleUploadedFile("paper.pdf", pdf_bytes()))
    assert draft.file_kind == "pdf" and len(draft.file_sha256) == 64
    services.submission_submit(submission=draft, person=world.author)
    version = PaperFile.objects.get(paper__submission=draft)
    assert version.version == 1 and version.sha256 == draft.file_sha256


def test_edit_after_submission_until_deadline_adds_paper_version(world):
    sub = services.submission_submit(submission=_draft(world, upload=SimpleUploadedFile("a.pdf", pdf_bytes())),
                                     person=world.author)
    services.submission_save(call=world.call, person=world.author, submission=sub, title_ar="عنوان معدّل",
                             upload=SimpleUploadedFile("b.pdf", pdf_bytes(marker="V2")))
    paper = WorkingPaper.objects.get(submission=sub)
    assert paper.title_ar == "عنوان معدّل"
    assert list(paper.files.values_list("version", flat=True)) == [2, 1]


def test_edit_of_submitted_cannot_make_it_incomplete(world):
    sub = services.submission_submit(submission=_draft(world), person=world.author)
    with pytest.raises(DomainError) as exc:
        services.submission_save(call=world.call, person=world.author, submission=sub, title_ar="", abstract_ar="")
    assert "title_ar" in exc.value.errors
    assert Submission.objects.get(pk=sub.pk).title_ar == "ورقة عن التميز"


def test_withdraw_removes_paper_and_reviews(world):
    sub = services.submission_submit(submission=_draft(world), person=world.author)
    paper_id = sub.paper_id
    services.submission_withdraw(submission=sub, person=world.author)
    sub.refresh_from_db()
    assert sub.status == Submission.Status.WITHDRAWN and sub.paper is None
    assert not WorkingPaper.objects.filter(pk=paper_id).exists()


def test_someone_else_cannot_edit_submit_or_withdraw(world):
    sub = _draft(world)
    stranger = PersonFactory()
    with pytest.raises(NotFound):
        services.submission_submit(submission=sub, person=stranger)
    with pytest.raises(NotFound):
        services.submission_withdraw(submission=sub, person=stranger)
    with pytest.raises(NotFound):
        services.submission_save(call=world.call, person=stranger, submission=sub, title_ar="x")


def test_honeypot_refuses_save(world):
    with pytest.raises(DomainError) as exc:
        _draft(world, honeypot="http://spam.example")
    assert exc.value.code == "honeypot"
    assert not Submission.objects.exists()


# -- the deadline in the forum's time zone -------------------------------------------------------


def test_deadline_to_the_second_in_forum_time_zone(world):
    world.forum.time_zone = "Asia/Riyadh"
    world.forum.save()
    world.call.opens_at = riyadh(2030, 3, 1, 0, 0, 0)
    world.call.closes_at = riyadh(2030, 3, 31, 23, 59, 59)  # 20:59:59 UTC
    world.call.save()
    draft = _draft(world, now=riyadh(2030, 3, 10, 9, 0, 0))
    with pytest.raises(DomainError) as exc:
        services.submission_submit(submission=draft, person=world.author, now=riyadh(2030, 3, 31, 23, 59, 59))
    assert exc.value.code == "call_closed" and "23:59:59" in str(exc.value)
    ok = services.submission_submit(submission=draft, person=world.author, now=riyadh(2030, 3, 31, 23, 59, 58))
    assert ok.status == Submission.Status.SUBMITTED


def test_deadline_is_not_midnight_utc(world):
    """A deadline at midnight in Riyadh has passed at 21:00 UTC the day before."""
    world.call.opens_at = riyadh(2030, 3, 1)
    world.call.closes_at = riyadh(2030, 4, 1, 0, 0, 0)
    world.call.save()
    utc_evening = riyadh(2030, 4, 1, 0, 0, 0).astimezone(UTC)
    assert utc_evening.day == 31
    with pytest.raises(DomainError):
        _draft(world, now=utc_evening)
    assert _draft(world, now=utc_evening - timedelta(seconds=1)).pk


def test_call_not_yet_open_refuses(world):
    world.call.opens_at = timezone.now() + timedelta(days=1)
    world.call.closes_at = timezone.now() + timedelta(days=2)
    world.call.save()
    with pytest.raises(DomainError) as exc:
        _draft(world)
    assert exc.value.code == "not_open"


def test_edit_after_deadline_refused(world):
    sub = services.submission_submit(submission=_draft(world), person=world.author)
    with pytest.raises(DomainError) as exc:
        services.submission_save(call=world.call, person=world.author, submission=sub, title_ar="متأخر",
                                 now=world.call.closes_at)
    assert exc.value.code == "call_closed"


# -- co-authors ------------------------------------------------------------------------------------


def test_coauthor_invited_and_unconfirmed_refuses_submission(world):
    draft = _draft(world, coauthors=[{"honorific": "doctor", "full_name_ar": "خالد", "email": "k@example.org",
                                      "organization": "جامعة", "position": "أستاذ"}])
    [invite] = _mails("calls.coauthor_invite")
    assert invite.to == "k@example.org" and "الدكتور خالد" in invite.text_body
    with pytest.raises(DomainError) as exc:
        services.submission_submit(submission=draft, person=world.author)
    assert "coauthors" in exc.value.errors and "خالد" in exc.value.errors["coauthors"][0]
    token = invite.text_body.split("/calls/co-author/")[1].split("/")[0]
    services.coauthor_confirm(token=token)
    assert services.submission_submit(submission=draft, person=world.author).status == Submission.Status.SUBMITTED


def test_coauthor_bad_row_reported_after_draft_saved(world):
    with pytest.raises(DomainError) as exc:
        _draft(world, title_ar="يبقى", coauthors=[{"full_name_ar": "", "email": "bad"}])
    assert "coauthors.0" in exc.value.errors
    assert Submission.objects.get().title_ar == "يبقى"


def _token(mail) -> str:
    return mail.text_body.split("/calls/co-author/")[1].split("/")[0]


def _submitted_with_confirmed_coauthor(world):
    draft = _draft(world, coauthors=[{"honorific": "doctor", "full_name_ar": "خالد", "email": "k@example.org"}])
    services.coauthor_confirm(token=_token(_mails("calls.coauthor_invite")[0]))
    return services.submission_submit(submission=draft, person=world.author)


def test_coauthor_added_after_submission_is_invited_and_paper_stays_submitted(world):
    sub = _submitted_with_confirmed_coauthor(world)
    services.submission_save(call=world.call, person=world.author, submission=sub, coauthors=[
        {"honorific": "doctor", "full_name_ar": "خالد", "email": "k@example.org"},
        {"honorific": "ustadha", "full_name_ar": "منى", "email": "mona@example.org"}])
    sub.refresh_from_db()
    assert sub.status == Submission.Status.SUBMITTED and sub.paper_id is not None
    assert sorted(sub.coauthors.values_list("email", flat=True)) == ["k@example.org", "mona@example.org"]
    invites = _mails("calls.coauthor_invite")
    assert [m.to for m in invites] == ["k@example.org", "mona@example.org"]  # the confirmed one not re-invited
    assert "منى" in invites[1].text_body
    services.coauthor_confirm(token=_token(invites[1]))
    assert sub.coauthors.get(email="mona@example.org").confirmed_at is not None


def test_coauthor_removed_after_submission_loses_pending_confirmation(world):
    sub = _submitted_with_confirmed_coauthor(world)
    services.submission_save(call=world.call, person=world.author, submission=sub, coauthors=[
        {"full_name_ar": "خالد", "email": "k@example.org"}, {"full_name_ar": "منى", "email": "mona@example.org"}])
    mona_link = _token(_mails("calls.coauthor_invite")[-1])
    services.submission_save(call=world.call, person=world.author, submission=sub, coauthors=[
        {"full_name_ar": "خالد", "email": "k@example.org"}])
    assert list(sub.coauthors.values_list("email", flat=True)) == ["k@example.org"]
    with pytest.raises(PermissionDenied):
        services.coauthor_confirm(token=mona_link)
    with pytest.raises(PermissionDenied):
        services.coauthor_for_token(mona_link)
    assert Submission.objects.get(pk=sub.pk).status == Submission.Status.SUBMITTED


def test_coauthor_bad_row_after_submission_keeps_the_rest_of_the_edit(world):
    sub = _submitted_with_confirmed_coauthor(world)
    with pytest.raises(DomainError) as exc:
        services.submission_save(call=world.call, person=world.author, submission=sub, title_ar="عنوان جديد",
                                 coauthors=[{"full_name_ar": "خالد", "email": "k@example.org"},
                                            {"full_name_ar": "", "email": "no-at-sign"}])
    assert "coauthors.1" in exc.value.errors
    sub.refresh_from_db()
    assert sub.title_ar == "عنوان جديد" and sub.status == Submission.Status.SUBMITTED
    assert list(sub.coauthors.values_list("email", flat=True)) == ["k@example.org"]


def test_coauthor_unconfirmed_at_deadline_refuses_submitted_paper(world):
    sub = _submitted_with_confirmed_coauthor(world)
    services.submission_save(call=world.call, person=world.author, submission=sub, coauthors=[
        {"full_name_ar": "خالد", "email": "k@example.org"}, {"full_name_ar": "منى", "email": "mona@example.org"}])
    paper_id = sub.paper_id
    just_before = world.call.closes_at - timedelta(seconds=1)
    assert services.submissions_close(now=just_before) == 0
    assert services.unconfirmed_at_deadline(sub, just_before) == []
    # At the deadline, to the second, the decision is refused while the co-author has not confirmed...
    organizer = world.organizer
    with pytest.raises(DomainError) as exc:
        services.submission_decide(submission=sub, outcome="accepted", user=organizer, now=world.call.closes_at)
    assert "coauthors" in exc.value.errors
    # ...and the paper goes back to a draft, out of the review, its texts kept; the submitter is told.
    assert services.submissions_close(now=world.call.closes_at) == 1
    sub.refresh_from_db()
    assert sub.status == Submission.Status.DRAFT and sub.paper_id is None and sub.title_ar == "ورقة عن التميز"
    assert not WorkingPaper.objects.filter(pk=paper_id).exists()
    [told] = _mails("calls.refused_unconfirmed")
    assert told.to == world.author.email and "منى" in told.text_body
    with pytest.raises(DomainError) as exc:  # and it cannot be submitted again after the deadline
        services.submission_submit(submission=sub, person=world.author, now=world.call.closes_at)
    assert exc.value.code == "call_closed"


def test_coauthor_confirmed_before_deadline_keeps_paper_in_review(world):
    sub = _submitted_with_confirmed_coauthor(world)
    services.submission_save(call=world.call, person=world.author, submission=sub, coauthors=[
        {"full_name_ar": "خالد", "email": "k@example.org"}, {"full_name_ar": "منى", "email": "mona@example.org"}])
    services.coauthor_confirm(token=_token(_mails("calls.coauthor_invite")[-1]))
    assert services.submissions_close(now=world.call.closes_at) == 0
    assert Submission.objects.get(pk=sub.pk).status == Submission.Status.SUBMITTED
    services.submission_decide(submission=sub, outcome="accepted", user=world.organizer, now=world.call.closes_at)


def test_draft_with_unconfirmed_coauthor_still_refused_at_submission(world):
    draft = _draft(world, coauthors=[{"full_name_ar": "منى", "email": "mona@example.org"}])
    with pytest.raises(DomainError) as exc:
        services.submission_submit(submission=draft, person=world.author,
                                   now=world.call.closes_at - timedelta(seconds=1))
    assert exc.value.code == "incomplete" and "coauthors" in exc.value.errors


def test_coauthor_forged_token_refused(world):
    with pytest.raises(PermissionDenied):
        services.coauthor_confirm(token="forged")


# -- throttling --------------------------------------------------------------------------------


def test_sign_in_link_flood_refused_with_429(world):
    for _n in range(3):
        assert services.sign_in_link_send(call=world.call, email="new@example.org", ip="10.0.0.1")
    with pytest.raises(services.TooManyRequests) as exc:
        services.sign_in_link_send(call=world.call, email="new@example.org", ip="10.0.0.1")
    assert exc.value.status_code == 429
    assert len(_mails("calls.sign_in_link")) == 3


def test_sign_in_link_flood_per_ip_refused(world):
    for n in range(20):
        services.sign_in_link_send(call=world.call, email=f"p{n}@example.org", ip="10.0.0.9")
    with pytest.raises(services.TooManyRequests):
        services.sign_in_link_send(call=world.call, email="another@example.org", ip="10.0.0.9")


def test_sign_in_honeypot_sends_nothing(world):
    assert services.sign_in_link_send(call=world.call, email="bot@example.org", honeypot="x") is False
    assert not _mails("calls.sign_in_link")


def test_sign_in_link_reuses_speaker_portal_account_and_works_once(world):
    services.sign_in_link_send(call=world.call, email="author@example.org", ip="1.1.1.1")
    world.author.refresh_from_db()
    user = world.author.user
    assert user is not None and not user.has_usable_password()
    token = _mails("calls.sign_in_link")[0].text_body.split("/calls/link/")[1].split("/")[0]
    found, call = services.sign_in_link_user(token=token)
    assert found == user and call == world.call
    from django.contrib.auth.models import update_last_login

    update_last_login(None, user)
    with pytest.raises(PermissionDenied):
        services.sign_in_link_user(token=token)


def test_sign_in_link_never_for_team_accounts(world):
    world.organizer.email = "team@example.org"
    world.organizer.save()
    PersonFactory(email="team@example.org", user=world.organizer)
    assert services.sign_in_link_send(call=world.call, email="team@example.org") is False
    assert not _mails("calls.sign_in_link")


def test_submission_flood_per_person_refused(world):
    for _n in range(10):
        draft = _draft(world)
        services.submission_submit(submission=draft, person=world.author)
    with pytest.raises(services.TooManyRequests):
        services.submission_submit(submission=_draft(world), person=world.author)


# -- review --------------------------------------------------------------------------------------


def _reviewer(org=None, email=None):
    user = UserFactory(email=email) if email else UserFactory()
    PersonFactory(user=user, email=user.email, organization=org or OrganizationFactory())
    return user


def _submitted(world, **kw):
    sub = SubmissionFactory(call=world.call, type=world.type, theme=kw.pop("theme", world.themes[0]),
                            status=Submission.Status.SUBMITTED, submitted_at=timezone.now(), **kw)
    from speakers import intake

    sub.paper = intake.paper_for_review_open(forum=world.forum, title_ar=sub.title_ar)
    sub.save()
    return sub


def test_conflict_reviewer_from_author_organization_excluded(world):
    org = OrganizationFactory(name_ar="جامعة الملك عبدالعزيز")
    sub = _submitted(world, submitter=PersonFactory(organization=org))
    colleague = _reviewer(org=org)
    with pytest.raises(DomainError) as exc:
        services.reviewer_assign(submission=sub, reviewer=colleague, user=world.organizer)
    assert exc.value.code == "conflict" and "reviewer" in exc.value.errors


def test_conflict_coauthor_organization_by_name(world):
    sub = _submitted(world)
    CoAuthorFactory(submission=sub, organization="جامعة أم القرى", confirmed_at=timezone.now())
    reviewer = _reviewer(org=OrganizationFactory(name_ar="جامعة ام القرى"))  # alef folded
    assert services.has_conflict(sub, reviewer)


def test_bulk_assignment_balances_load_and_skips_conflicts(world):
    org = OrganizationFactory()
    subs = [_submitted(world) for _n in range(3)] + [_submitted(world, submitter=PersonFactory(organization=org))]
    r1, r2, r3 = _reviewer(), _reviewer(), _reviewer(org=org)
    services.theme_reviewers_set(call=world.call, theme=world.themes[0], reviewers=[r1, r2, r3],
                                 user=world.organizer)
    result = services.reviewers_assign_bulk(call=world.call, user=world.organizer)
    assert result["assigned"] == 8 and result["short"] == []
    loads = {u: ReviewAssignment.objects.filter(reviewer=u).count() for u in (r1, r2, r3)}
    assert max(loads.values()) - min(loads.values()) <= 1
    assert not ReviewAssignment.objects.filter(paper=subs[3].paper, reviewer=r3).exists()
    assert set(Submission.objects.values_list("status", flat=True)) == {Submission.Status.UNDER_REVIEW}
    again = services.reviewers_assign_bulk(call=world.call, user=world.organizer)
    assert again["assigned"] == 0


def test_bulk_assignment_reports_short_theme(world):
    sub = _submitted(world, theme=world.themes[1])
    result = services.reviewers_assign_bulk(call=world.call, user=world.organizer)
    assert result == {"assigned": 0, "short": [sub.pk]}


def test_outsider_cannot_assign_decide_or_release(world, outsider):
    sub = _submitted(world)
    with pytest.raises(PermissionDenied):
        services.reviewers_assign_bulk(call=world.call, user=outsider)
    with pytest.raises(PermissionDenied):
        services.reviewer_assign(submission=sub, reviewer=_reviewer(), user=outsider)
    with pytest.raises(PermissionDenied):
        services.submission_decide(submission=sub, outcome="accepted", user=outsider)
    with pytest.raises(PermissionDenied):
        services.decisions_release(call=world.call, user=outsider)
    with pytest.raises(PermissionDenied):
        services.template_save(call=world.call, outcome="accepted", user=outsider, subject_ar="x", body_ar="y")
