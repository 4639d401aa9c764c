"""Submitters: sign-in by e-mailed link, drafts, submission, edits until the deadline, withdrawal,
the receipt, and co-authors' confirmation."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from forum import formatting as fmt
from forum.errors import DomainError, NotFound, PermissionDenied
from forum.mailing.services import message_enqueue
from forum.models import Person, Track
from forum.tokens import link_token_hash, link_token_make
from speakers import intake
from speakers import selectors as speaker_selectors
from speakers.services import portal_user_for_person
from speakers.uploads import inspect_upload

from ..models import Call, CoAuthor, Submission, SubmissionType
from ._common import bilingual, site_links, throttle, word_count

SIGN_IN_SALT = "calls.sign_in"  # signs nothing else
SIGN_IN_MINUTES = 30
COAUTHOR_SALT = "calls.coauthor"
TEXT_FIELDS = ("title_ar", "title_en", "abstract_ar", "abstract_en", "keywords")
LIVE = (Submission.Status.SUBMITTED, Submission.Status.UNDER_REVIEW)
MAX_COAUTHORS = 10


def _address_key(email: str) -> str:
    """Throttling counts per e-mail address (hashed: the cache holds no addresses)."""
    return hashlib.sha256((email or "").strip().lower().encode()).hexdigest() if email else ""


# -- signing in --------------------------------------------------------------------------------


def _user_state(user) -> str:
    """Changes when the user signs in: a link works once."""
    last = user.last_login.replace(microsecond=0, tzinfo=None).isoformat() if user.last_login else ""
    return salted_hmac(SIGN_IN_SALT, f"{user.pk}:{last}:{user.email}").hexdigest()[:32]


def sign_in_link_send(*, call: Call, email: str, name: str = "", ip: str = "", honeypot: str = "") -> bool:
    """E-mail a sign-in link to the submitter portal, creating the person and their portal account.

    The answer is the same whoever asks (nothing tells who has an account). A filled honeypot sends
    nothing. Floods are refused with 429: a few links per address and some more per network.
    """
    email = (email or "").strip()
    if not email or "@" not in email:
        raise DomainError(_("Enter your e-mail address."), field="email", code="required")
    throttle(f"link:ip:{ip}", limit=20, seconds=3600)
    throttle(f"link:email:{_address_key(email)}", limit=3, seconds=900)
    if honeypot:
        return False
    with transaction.atomic():
        person = Person.objects.filter(email__iexact=email).first()
        if person is None:
            try:
                with transaction.atomic():
                    person = Person.objects.create(email=email, full_name_ar=(name or "").strip()[:255]
                                                   or email.split("@")[0])
            except IntegrityError:
                person = Person.objects.get(email__iexact=email)
        try:
            user = portal_user_for_person(person=person)
        except PermissionDenied:
            return False  # an account with a password signs in with it; say nothing more here
    token = signing.dumps({"u": user.pk, "c": call.pk, "s": _user_state(user)}, salt=SIGN_IN_SALT)
    link_ar, link_en = site_links("calls:link_open", token=token)
    forum = call.forum
    message_enqueue(
        to=person.email,
        subject=f"رابط الدخول: {call.title_ar} | Sign-in link: {call.title_en or call.title_ar}",
        text_body=bilingual(
            f"السلام عليكم،\n\nللدخول إلى بوابة مقدّمي الأوراق في {forum.title_ar} افتحوا هذا الرابط خلال "
            f"{SIGN_IN_MINUTES} دقيقة. يصلح مرة واحدة.\n{link_ar}\n\nإن لم تطلبوه فتجاهلوا هذه الرسالة.\n",
            f"Hello,\n\nTo sign in to the submitter portal of {forum.title_en or forum.title_ar}, open this link "
            f"within {SIGN_IN_MINUTES} minutes. It works once.\n{link_en}\n\n"
            "If you did not ask for it, ignore this message.\n",
        ),
        language="ar", kind="calls.sign_in_link", related=person, forum=forum,
    )
    return True


def sign_in_link_user(*, token: str):
    """(user, call) of a genuine, recent, unused link; PermissionDenied otherwise."""
    try:
        data = signing.loads(token, salt=SIGN_IN_SALT, max_age=timedelta(minutes=SIGN_IN_MINUTES))
        user = get_user_model().objects.filter(pk=int(data["u"]), is_active=True).first()
        call = Call.objects.select_related("forum").filter(pk=int(data["c"])).first()
        state = data["s"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        user = call = state = None
    if user is None or call is None or state != _user_state(user):
        raise PermissionDenied(
            _("This sign-in link is not valid: it expired, was already used, or was replaced. Ask for a new one."),
            code="link_invalid",
        )
    return user, call


# -- checks ------------------------------------------------------------------------------------


def _require_open(call: Call, now: datetime, field: str = "non_field_errors") -> None:
    if now < call.opens_at:
        raise DomainError(_("The call is not open yet."), field=field, code="not_open")
    if now >= call.closes_at:
        local = call.closes_at.astimezone(call.forum.tzinfo)
        raise DomainError(
            _("The call closed on %(date)s at %(time)s.") % {"date": fmt.gregorian_date(local.date(), "en"),
                                                           "time": local.strftime("%H:%M:%S")},
            field=field, code="call_closed",
        )


def _own(submission: Submission, person: Person | None) -> Submission:
    if person is None or submission.submitter_id != person.pk:
        raise NotFound(_("No such submission."))
    return submission


def _complete_errors(submission: Submission, *, unconfirmed_ok: bool = False) -> dict[str, list[str]]:
    """Field-level reasons a submission cannot be submitted as it is (co-authors awaiting confirmation
    aside when `unconfirmed_ok`: the edit of a submitted paper before the deadline)."""
    errors: dict[str, list[str]] = {}
    stype = submission.type
    if not (submission.title_ar.strip() or submission.title_en.strip()):
        errors["title_ar"] = [_("Give a title in Arabic or in English.")]
    if not (submission.abstract_ar.strip() or submission.abstract_en.strip()):
        errors["abstract_ar"] = [_("Write the abstract in Arabic or in English.")]
    for field in ("abstract_ar", "abstract_en"):
        text = getattr(submission, field)
        words = word_count(text)
        if text.strip() and words > stype.abstract_max_words:
            errors[field] = [_("The abstract has %(count)s words; the limit is %(max)s.")
                             % {"count": words, "max": stype.abstract_max_words}]
        elif text.strip() and words < stype.abstract_min_words:
            errors[field] = [_("The abstract has %(count)s words; write at least %(min)s.")
                             % {"count": words, "min": stype.abstract_min_words}]
    if submission.theme_id is None:
        errors["theme"] = [_("Choose a theme.")]
    if stype.full_paper_required and not submission.file:
        errors["file"] = [_("This type of submission needs the full paper as a file.")]
    waiting = [c.display_name_ar for c in submission.coauthors.all() if c.confirmed_at is None]
    if waiting and not unconfirmed_ok:
        errors["coauthors"] = [_("Not all co-authors have confirmed yet: %(names)s.") % {"names": "، ".join(waiting)}]
    return errors


def _check_file(call: Call, upload):
    paper_settings = speaker_selectors.paper_settings_for(forum=call.forum)
    return inspect_upload(upload, name=getattr(upload, "name", ""), size=upload.size,
                          accepted_kinds=list(paper_settings.accepted_kinds),
                          max_bytes=paper_settings.max_upload_bytes)


# -- drafts and edits ----------------------------------------------------------------------------


def submission_save(
    *, call: Call, person: Person, submission: Submission | None = None, type: SubmissionType | None = None,
    theme: Track | None = None, coauthors: list[dict] | None = None, upload=None, honeypot: str = "",
    ip: str = "", now: datetime | None = None, **texts,
) -> Submission:
    """Save a draft, or edit a submitted submission until the deadline.

    A draft is saved whatever its state (limits are checked on submission), and kept even when the
    file is refused: the texts are committed first, then the file's refusal is raised. A submitted
    submission is edited only while the call is open and only into a complete one.
    """
    now = now or timezone.now()
    unknown = set(texts) - set(TEXT_FIELDS)
    if unknown:
        raise TypeError(f"unknown submission fields: {sorted(unknown)}")
    if honeypot:
        raise DomainError(_("This form could not be saved."), code="honeypot")
    throttle(f"save:ip:{ip}", limit=120, seconds=600)
    throttle(f"save:email:{_address_key(person.email)}", limit=60, seconds=600)
    _require_open(call, now)
    if submission is not None:
        _own(submission, person)
        if submission.call_id != call.pk:
            raise NotFound(_("No such submission."))
    elif type is None:
        raise DomainError(_("Choose the type of submission."), field="type", code="required")
    if type is not None and type.call_id != call.pk:
        raise DomainError(_("Choose one of this call's types."), field="type", code="other_call")
    if theme is not None and theme.forum_id != call.forum_id:
        raise DomainError(_("Choose one of this forum's themes."), field="theme", code="other_forum")
    for field in ("title_ar", "title_en"):
        if len(texts.get(field) or "") > 500:
            raise DomainError(_("The title is too long (500 characters at most)."), field=field, code="too_long")
    if len(texts.get("keywords") or "") > 500:
        raise DomainError(_("Too many keywords (500 characters at most)."), field="keywords", code="too_long")
    file_error = None
    inspected = None
    if upload is not None:
        try:
            inspected = _check_file(call, upload)
        except DomainError as exc:
            file_error = exc
    stored: list[str] = []
    try:
        submission, later = _save_texts(submission, call=call, person=person, type=type, theme=theme, texts=texts,
                                        coauthors=coauthors, upload=upload, inspected=inspected, stored=stored)
    except BaseException:
        for name in stored:  # the save was rolled back: its new file goes too
            Submission._meta.get_field("file").storage.delete(name)
        raise
    # Saved: what was refused is reported now, after the draft is safe.
    errors = dict(later.errors) if later is not None else {}
    if file_error is not None:
        errors.update(file_error.errors)
    if errors:
        refusal = DomainError(errors=errors, code=file_error.code if file_error is not None else later.code)
        refusal.submission = submission  # the draft was saved: the page keeps editing it
        raise refusal
    return submission


@transaction.atomic
def _save_texts(submission, *, call, person, type, theme, texts, coauthors, upload, inspected, stored):
    later = None
    if submission is None:
        submission = Submission(call=call, submitter=person, type=type)
    else:
        submission = Submission.objects.select_for_update(of=("self",)).select_related("type").get(pk=submission.pk)
        if submission.status not in (Submission.Status.DRAFT, *LIVE):
            raise DomainError(_("This submission can no longer be changed."), code="not_editable")
    was_live = submission.status in LIVE
    if type is not None:
        submission.type = type
    if theme is not None:
        submission.theme = theme
    for key, value in texts.items():
        setattr(submission, key, (value or "").strip())
    if inspected is not None:
        stored.append(_store_file(submission, upload, inspected))
    submission.save()
    if coauthors is not None:
        # Until the deadline, co-authors may change after submission too: a new one is invited to confirm,
        # a removed one's pending confirmation goes with their row (their link stops working).
        later = _coauthors_replace(submission, coauthors)
    if was_live:
        # A co-author added after submission has until the deadline to confirm (submissions_close).
        errors = _complete_errors(submission, unconfirmed_ok=True)
        if errors:
            raise DomainError(errors=errors, code="incomplete")
        _paper_sync(submission, person, new_file=inspected is not None)
    return submission, later


def _store_file(submission: Submission, upload, inspected) -> str:
    """Store the checked file under a random private name; the previous one leaves after commit."""
    import uuid

    from django.core.files import File

    upload.seek(0)
    old = submission.file.name if submission.file else ""
    submission.file.save(f"{uuid.uuid4().hex}.{inspected.kind}", File(upload), save=False)
    submission.file_kind, submission.file_size = inspected.kind, inspected.size
    submission.file_sha256 = inspected.sha256
    submission.file_name = (getattr(upload, "name", "") or "")[-255:]
    storage = submission.file.storage
    if old:
        transaction.on_commit(lambda: storage.delete(old))
    return submission.file.name


def _coauthors_replace(submission: Submission, rows: list[dict]) -> DomainError | None:
    """Replace the co-authors with the valid rows (new ones are invited); the refusals are returned."""
    if len(rows) > MAX_COAUTHORS:
        return DomainError(_("At most %(n)s co-authors.") % {"n": MAX_COAUTHORS}, field="coauthors", code="too_many")
    existing = {c.email.lower(): c for c in submission.coauthors.all()}
    keep: set[int] = set()
    existing_kept: set[int] = set()
    errors = {}
    for order, row in enumerate(rows):
        email = (row.get("email") or "").strip()
        name_ar = (row.get("full_name_ar") or "").strip()
        if not email or "@" not in email or not name_ar:
            errors[f"coauthors.{order}"] = [_("Each co-author needs a name in Arabic and an e-mail address.")]
            if email.lower() in existing:
                existing_kept.add(existing[email.lower()].pk)
            continue
        if email.lower() == (submission.submitter.email or "").lower():
            errors[f"coauthors.{order}"] = [_("You are the submitter; do not add yourself as a co-author.")]
            continue
        fields = {
            "honorific": row.get("honorific") or "", "full_name_ar": name_ar[:255],
            "full_name_en": (row.get("full_name_en") or "").strip()[:255],
            "organization": (row.get("organization") or "").strip()[:255],
            "position": (row.get("position") or "").strip()[:255], "order": order,
        }
        coauthor = existing.get(email.lower())
        if coauthor is None:
            coauthor = CoAuthor(submission=submission, email=email, **fields)
        else:
            for key, value in fields.items():
                setattr(coauthor, key, value)
        coauthor.save()
        keep.add(coauthor.pk)
        if coauthor.invited_at is None:
            _coauthor_invite(coauthor)
    submission.coauthors.exclude(pk__in=keep | set(existing_kept)).delete()
    return DomainError(errors=errors, code="bad_coauthor") if errors else None


def _coauthor_invite(coauthor: CoAuthor) -> None:
    token, hashed = link_token_make(purpose=COAUTHOR_SALT)
    coauthor.token_hash = hashed
    coauthor.invited_at = timezone.now()
    coauthor.save(update_fields=["token_hash", "invited_at"])
    submission = coauthor.submission
    forum = submission.call.forum
    author = submission.submitter
    link_ar, link_en = site_links("calls:coauthor_confirm", token=token)
    title_ar = submission.title_ar or submission.title_en
    message_enqueue(
        to=coauthor.email,
        subject=f"تأكيد المشاركة في تأليف ورقة | Please confirm your co-authorship — {forum.title_en or forum.title_ar}",
        text_body=bilingual(
            f"{coauthor.display_name_ar}،\n\nأضافكم {author.display_name_ar} مؤلفًا مشاركًا في الورقة «{title_ar}» "
            f"المقدَّمة إلى {forum.title_ar}. لتأكيد مشاركتكم افتحوا الرابط:\n{link_ar}\n",
            f"Dear {coauthor.display_name_en},\n\n{author.display_name_en} added you as a co-author of "
            f"“{submission.title_en or title_ar}” submitted to {forum.title_en or forum.title_ar}. "
            f"To confirm, open this link:\n{link_en}\n",
        ),
        language="ar", kind="calls.coauthor_invite", related=coauthor, forum=forum,
    )


def coauthor_for_token(token: str, *, lock: bool = False) -> CoAuthor:
    """The co-author a genuine confirmation link is for; PermissionDenied otherwise."""
    hashed = link_token_hash(token, purpose=COAUTHOR_SALT, max_age=timedelta(days=180))
    qs = CoAuthor.objects.select_related("submission")
    coauthor = ((qs.select_for_update(of=("self",)) if lock else qs).filter(token_hash=hashed).first() if hashed else None)
    if coauthor is None:
        raise PermissionDenied(_("This link is not valid."), code="link_invalid")
    return coauthor


@transaction.atomic
def coauthor_confirm(*, token: str) -> CoAuthor:
    coauthor = coauthor_for_token(token, lock=True)
    if coauthor.confirmed_at is None:
        coauthor.confirmed_at = timezone.now()
        coauthor.save(update_fields=["confirmed_at"])
    return coauthor


# -- submitting ----------------------------------------------------------------------------------


def _paper_sync(submission: Submission, person: Person, *, new_file: bool) -> None:
    """The working paper the review runs on follows the submission's texts and file."""
    texts = {"title_ar": submission.title_ar or submission.title_en, "title_en": submission.title_en,
             "abstract_ar": submission.abstract_ar, "abstract_en": submission.abstract_en}
    if submission.paper_id is None:
        submission.paper = intake.paper_for_review_open(forum=submission.call.forum, **texts)
        submission.save(update_fields=["paper"])
        new_file = bool(submission.file)
    else:
        intake.paper_for_review_update(paper=submission.paper, **texts)
    if new_file and submission.file:
        intake.paper_file_add_checked(
            paper=submission.paper, source=submission.file, kind=submission.file_kind,
            original_name=submission.file_name, size=submission.file_size or 0, sha256=submission.file_sha256,
            uploaded_by=person.user,
        )


@transaction.atomic
def submission_submit(*, submission: Submission, person: Person, ip: str = "",
                      now: datetime | None = None) -> Submission:
    """Submit a complete draft before the deadline; the submitter gets a receipt."""
    now = now or timezone.now()
    throttle(f"submit:ip:{ip}", limit=30, seconds=3600)
    throttle(f"submit:email:{_address_key(person.email)}", limit=10, seconds=3600)
    submission = Submission.objects.select_for_update(of=("self",)).select_related("type", "call__forum", "theme").get(
        pk=_own(submission, person).pk)
    _require_open(submission.call, now)
    if submission.status != Submission.Status.DRAFT:
        raise DomainError(_("This submission was already submitted."), code="not_draft")
    errors = _complete_errors(submission)
    if errors:
        raise DomainError(errors=errors, code="incomplete")
    submission.status = Submission.Status.SUBMITTED
    submission.submitted_at = now
    submission.save(update_fields=["status", "submitted_at"])
    _paper_sync(submission, person, new_file=True)
    _receipt_send(submission)
    return submission


def _receipt_send(submission: Submission) -> None:
    forum, person = submission.call.forum, submission.submitter
    local = submission.submitted_at.astimezone(forum.tzinfo)
    link_ar, link_en = site_links("calls:portal", forum_slug=forum.slug)
    theme_ar = submission.theme.name_ar if submission.theme else ""
    theme_en = (submission.theme.name_en or theme_ar) if submission.theme else ""
    message_enqueue(
        to=person.email,
        subject=f"إيصال استلام ورقة رقم {submission.pk} | Submission received #{submission.pk}",
        text_body=bilingual(
            f"{person.salutation_ar}،\n\nاستلمنا ورقتكم «{submission.title_ar or submission.title_en}» "
            f"في محور «{theme_ar}» ضمن {forum.title_ar}، برقم {submission.pk}، "
            f"يوم {fmt.dual_date(local.date(), 'ar')} الساعة {local:%H:%M:%S}.\n"
            f"يمكنكم تعديلها أو سحبها حتى إغلاق باب التقديم من البوابة:\n{link_ar}\n",
            f"{person.salutation_en},\n\nWe received your submission “{submission.title_en or submission.title_ar}” "
            f"in the theme “{theme_en}” of {forum.title_en or forum.title_ar}, number {submission.pk}, on "
            f"{fmt.dual_date(local.date(), 'en')} at {local:%H:%M:%S}.\n"
            f"You can edit or withdraw it until the call closes, in the portal:\n{link_en}\n",
        ),
        language="ar", kind="calls.receipt", related=submission, forum=forum,
    )


@transaction.atomic
def submission_withdraw(*, submission: Submission, person: Person, now: datetime | None = None) -> Submission:
    """The submitter withdraws a draft or a submission that has no decision sent yet."""
    now = now or timezone.now()
    submission = Submission.objects.select_for_update().get(pk=_own(submission, person).pk)
    if submission.status not in (Submission.Status.DRAFT, *LIVE):
        raise DomainError(_("This submission can no longer be withdrawn."), code="not_withdrawable")
    if submission.paper_id is not None:
        paper = submission.paper
        submission.paper = None
        submission.save(update_fields=["paper"])
        paper.delete()  # with its reviews: a withdrawn paper is not reviewed
    submission.status = Submission.Status.WITHDRAWN
    submission.withdrawn_at = now
    submission.save(update_fields=["status", "withdrawn_at"])
    return submission


@transaction.atomic
def submissions_close(*, now: datetime | None = None, call: Call | None = None) -> int:
    """At the deadline, a submitted paper with a co-author who has not confirmed is refused, as its submission
    would have been: it goes back to a draft (kept, texts and all) and leaves the review; the submitter is told.
    Decided papers are left alone. A beat task runs this; the decision on such a paper is refused meanwhile."""
    now = now or timezone.now()
    waiting = CoAuthor.objects.filter(submission=OuterRef("pk"), confirmed_at__isnull=True)
    qs = (Submission.objects.select_for_update(of=("self",))
          .filter(Exists(waiting), status__in=LIVE, call__closes_at__lte=now, decision__isnull=True)
          .select_related("call__forum", "submitter", "paper"))
    if call is not None:
        qs = qs.filter(call=call)
    refused = 0
    for submission in qs.order_by("pk"):
        waiting = [c for c in submission.coauthors.all() if c.confirmed_at is None]
        paper = submission.paper
        submission.paper = None
        submission.status = Submission.Status.DRAFT
        submission.save(update_fields=["paper", "status"])
        if paper is not None:
            paper.delete()  # with its reviews, as on withdrawal
        _refusal_send(submission, waiting)
        refused += 1
    return refused


def _refusal_send(submission: Submission, waiting: list[CoAuthor]) -> None:
    forum, person = submission.call.forum, submission.submitter
    names_ar = "، ".join(c.display_name_ar for c in waiting)
    names_en = ", ".join(c.display_name_en for c in waiting)
    title_ar = submission.title_ar or submission.title_en
    message_enqueue(
        to=person.email,
        subject=f"لم تُقبل مشاركة ورقتكم رقم {submission.pk} | Submission #{submission.pk} not accepted for review",
        text_body=bilingual(
            f"{person.salutation_ar}،\n\nأُغلق باب التقديم ولم يؤكد بعض المؤلفين المشاركين في ورقتكم «{title_ar}» "
            f"مشاركتهم: {names_ar}. لذلك لم تدخل الورقة التحكيم، وبقيت مسودة في البوابة.\n",
            f"{person.salutation_en},\n\nThe call closed before some co-authors of “{submission.title_en or title_ar}” "
            f"confirmed: {names_en}. The paper therefore does not go to review; it is kept as a draft in the portal.\n",
        ),
        language="ar", kind="calls.refused_unconfirmed", related=submission, forum=forum,
    )


def unconfirmed_at_deadline(submission: Submission, now: datetime) -> list[CoAuthor]:
    """The co-authors who had not confirmed when the call closed (empty while it is open)."""
    if now < submission.call.closes_at:
        return []
    return [c for c in submission.coauthors.all() if c.confirmed_at is None]
