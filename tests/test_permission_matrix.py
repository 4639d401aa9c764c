"""Who may call which URL: one table for every URL pattern of the project.

The URL patterns are enumerated from the resolver (the admin and the schema
pages aside), so a new endpoint without a row here fails
``test_every_url_pattern_has_a_rule``. Each row says who may read and who may
write, with a short reason; ``test_url_permissions`` then calls the URL as
each user of a small world (two forums: A published, B draft) and checks:

- nobody ever gets a 5xx, whatever the body (empty JSON, garbage);
- a user the row refuses gets 401/403/404/405, never a 2xx (nor a 400, which
  would show the request was processed before the permission check);
- anybody outside forum B's team never reads B (a draft).

Over 600 lines because it is one table: a row per URL pattern of the project.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time, timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation

from accounts import services as account_services
from calendars.models import FeedToken
from certificates import services as certificate_services
from certificates.models import CertificateBatch
from registration.badges import services as badge_services
from registration.badges.models import BulkPrintJob, Checkpoint
from registration.models import Answer, WaitlistEntry
from sessions.models import GiftItem, PrayerTimeOverride, StarredSession
from sessions.services import schedule_publish
from speakers import services as speaker_services
from speakers.models import ProceedingsJob, ReviewAssignment
from tests.factories import (
    ForumFactory,
    HallFactory,
    HonoreeFactory,
    PersonFactory,
    SessionFactory,
    SessionItemFactory,
    SessionRoleFactory,
    SponsorshipFactory,
    TeamMemberFactory,
    TrackFactory,
    UserFactory,
)
from tests.registration.badges.factories import RegistrationFactory, RegistrationTypeFactory
from tests.registration.factories import InviteCodeFactory, QuestionFactory
from tests.speakers.factories import PaperFileFactory, ReviewCriterionFactory

# ---------------------------------------------------------------------------
# Who reads, who writes
# ---------------------------------------------------------------------------

# Reading (GET)
PUBLIC = "public"  # anyone, for a published forum; drafts only for the forum's team
TEAM = "team"  # the forum's team (any role) and superusers
STAFF = "staff"  # personal data: owners, editors and superusers of the forum
SIGNED_IN = "signed-in"  # any signed-in user, who sees only their own things
OWN = "own"  # only the user the object belongs to (the speaker/attendee of forum A)
TOKEN = "token"  # a secret link: with an unknown token, nobody
NOBODY = "nobody"  # the method is not offered

# Writing (POST/PUT/PATCH/DELETE); same words plus:
EDIT = "edit"  # owners, editors and superusers of the forum
CHECKIN = "checkin"  # check-in staff, owners, editors, superusers (not viewers)
OWNERS = "owners"  # forum owners and superusers (the team itself)
OPEN = "open"  # public forms and actions anybody may post (their own input is validated)
ANY_EDITOR = "any-editor"  # the shared directory: owners/editors of any forum, superusers
OWN_OR_TEAM = "own-or-team"  # the speaker's paper: the speaker, and the forum's team
ANYONE = "anyone"  # the shared directory of people and bodies, whichever forum they appear in
FILTERED = "filtered"  # everyone gets a list filtered to what they may see; drafts stay hidden
AWARD_ROLE = "award-role"  # a role in the award programme (owner, staff, judge, assessor, chair, applicant):
# nobody of the forums' world holds one, so all but superusers are refused


@dataclass(frozen=True)
class Rule:
    read: str
    write: str
    reason: str
    params: dict = field(default_factory=dict)  # URL parameter -> key in the world
    xfail: str = ""  # a known bug in code this test's author may not change yet


def rule(read, write, reason, xfail="", **params):
    return Rule(read, write, reason, params, xfail)


FORUM = "api/v1/forums/<forum_slug>/"
RULES: dict[str, Rule] = {
    # ---- site ----
    "healthz": rule(PUBLIC, NOBODY, "load-balancer probe"),
    "i18n/setlang/": rule(PUBLIC, OPEN, "anyone chooses the language"),
    "api/v1/": rule(PUBLIC, NOBODY, "API root lists the routes"),
    "api/v1/organizations/": rule(PUBLIC, ANY_EDITOR, "organizations are shared; editors of any forum add them"),
    "api/v1/organizations/<pk>/": rule(ANYONE, ANY_EDITOR, "organizations are shared", pk="organization"),
    "api/v1/people/": rule(PUBLIC, ANY_EDITOR, "people are shared; editors of any forum add them"),
    "api/v1/people/<pk>/": rule(ANYONE, EDIT, "shared, but changed only by organizers of their forums",
                                pk="person"),
    "api/v1/people/lookup/": rule(ANY_EDITOR, NOBODY, "an existing person's id by exact e-mail, nothing else"),
    "api/v1/organizations/<pk>/members/": rule(NOBODY, NOBODY, "members: superusers and the body's own members",
                                              pk="organization"),
    "api/v1/organizations/<pk>/members/<user_id>/": rule(NOBODY, NOBODY, "members: superusers and the body's "
                                                        "own members", pk="organization", user_id="one"),
    "api/v1/forums/": rule(PUBLIC, SIGNED_IN, "published forums listed; whoever creates one owns it"),
    "api/v1/forums/<slug>/": rule(PUBLIC, EDIT, "the forum itself", slug="forum"),
    # ---- forum structure ----
    FORUM + "halls/": rule(PUBLIC, EDIT, "halls appear in the agenda"),
    FORUM + "halls/<pk>/": rule(PUBLIC, EDIT, "halls appear in the agenda", pk="hall"),
    FORUM + "tracks/": rule(PUBLIC, EDIT, "tracks appear in the agenda"),
    FORUM + "tracks/<pk>/": rule(PUBLIC, EDIT, "tracks appear in the agenda", pk="track"),
    FORUM + "sponsorships/": rule(PUBLIC, EDIT, "sponsors are shown publicly"),
    FORUM + "sponsorships/<pk>/": rule(PUBLIC, EDIT, "sponsors are shown publicly", pk="sponsorship"),
    FORUM + "team/": rule(TEAM, OWNERS, "only owners manage the team"),
    FORUM + "team/<pk>/": rule(TEAM, OWNERS, "only owners manage the team", pk="team_member"),
    # ---- agenda ----
    FORUM + "sessions/": rule(PUBLIC, EDIT, "agenda data"),
    FORUM + "sessions/<pk>/": rule(PUBLIC, EDIT, "agenda data", pk="session"),
    FORUM + "sessions/<pk>/cancel/": rule(NOBODY, EDIT, "cancelling a session changes the agenda", pk="session"),
    FORUM + "session-roles/": rule(PUBLIC, EDIT, "agenda data"),
    FORUM + "session-roles/reorder/": rule(NOBODY, EDIT, "agenda data"),
    FORUM + "session-roles/<pk>/": rule(PUBLIC, EDIT, "agenda data", pk="session_role"),
    FORUM + "session-items/": rule(PUBLIC, EDIT, "agenda data"),
    FORUM + "session-items/reorder/": rule(NOBODY, EDIT, "agenda data"),
    FORUM + "session-items/<pk>/": rule(PUBLIC, EDIT, "agenda data", pk="session_item"),
    FORUM + "honorees/": rule(PUBLIC, EDIT, "honorees are announced"),
    FORUM + "honorees/<pk>/": rule(PUBLIC, EDIT, "honorees are announced", pk="honoree"),
    FORUM + "honorees/<pk>/done/": rule(NOBODY, EDIT, "marking an honor made on stage", pk="honoree"),
    FORUM + "gift-items/": rule(TEAM, EDIT, "the gift inventory is the team's"),
    FORUM + "gift-items/<pk>/": rule(TEAM, EDIT, "the gift inventory is the team's", pk="gift_item"),
    FORUM + "schedule-versions/": rule(PUBLIC, NOBODY, "published versions are public; made by publish/"),
    FORUM + "schedule-versions/<number>/": rule(PUBLIC, NOBODY, "published versions are public", number="one"),
    FORUM + "prayer-time-overrides/": rule(PUBLIC, EDIT, "prayer breaks shape the agenda"),
    FORUM + "prayer-time-overrides/<pk>/": rule(PUBLIC, EDIT, "prayer breaks shape the agenda",
                                                 pk="prayer_override"),
    FORUM + "publish/": rule(NOBODY, EDIT, "publishing the agenda"),
    FORUM + "conflicts/": rule(TEAM, NOBODY, "working notes of the team"),
    FORUM + "prayer-times/": rule(PUBLIC, NOBODY, "prayer times of the venue"),
    FORUM + "prayer-breaks/": rule(NOBODY, EDIT, "inserting breaks changes the agenda"),
    FORUM + "copy-edition/": rule(NOBODY, EDIT, "copying an edition creates agenda data"),
    # ---- speakers and papers ----
    FORUM + "paper-settings/": rule(TEAM, EDIT, "paper deadlines are set by editors"),
    FORUM + "speaker-reminders/": rule(NOBODY, EDIT, "e-mails speakers"),
    FORUM + "invitations/": rule(TEAM, EDIT, "who is invited to what: the team (no e-mail addresses)"),
    FORUM + "invitations/<pk>/": rule(TEAM, EDIT, "one invitation: the team", pk="invitation"),
    FORUM + "invitations/<pk>/revoke/": rule(NOBODY, EDIT, "revoking a speaker", pk="invitation"),
    FORUM + "papers/": rule(FILTERED, EDIT, "the team sees all papers, a speaker/chair/reviewer theirs"),
    FORUM + "papers/<pk>/": rule(OWN_OR_TEAM, EDIT, "the team and the paper's speaker", pk="paper"),
    FORUM + "papers/<pk>/decision/": rule(NOBODY, EDIT, "accepting papers", pk="paper"),
    FORUM + "papers/<pk>/extension/": rule(NOBODY, EDIT, "granting deadline extensions", pk="paper"),
    FORUM + "papers/<pk>/files/": rule(TEAM, EDIT, "the speaker uploads through the portal", pk="paper"),
    FORUM + "papers/<pk>/reviews/": rule(TEAM, EDIT, "reviews are team-only; editors assign", pk="paper"),
    FORUM + "review-criteria/": rule(TEAM, EDIT, "review set-up"),
    FORUM + "review-criteria/<pk>/": rule(TEAM, EDIT, "review set-up", pk="criterion"),
    FORUM + "review-assignments/": rule(TEAM, EDIT, "who reviews what"),
    FORUM + "review-assignments/<pk>/": rule(TEAM, EDIT, "who reviews what", pk="review"),
    FORUM + "proceedings/": rule(TEAM, EDIT, "building the proceedings book"),
    FORUM + "proceedings/<pk>/": rule(TEAM, EDIT, "building the proceedings book", pk="proceedings"),
    "api/v1/my-reviews/": rule(SIGNED_IN, NOBODY, "a reviewer's own assignments"),
    "api/v1/my-reviews/<pk>/": rule(OWN, OWN, "one reviewer's assignment", pk="review"),
    "api/v1/my-reviews/<pk>/submit/": rule(NOBODY, OWN, "one reviewer's assignment", pk="review"),
    "api/v1/my-invitations/": rule(SIGNED_IN, NOBODY, "a speaker's own invitations"),
    "api/v1/my-invitations/<pk>/": rule(OWN, NOBODY, "one speaker's invitation", pk="invitation"),
    "api/v1/my-invitations/<pk>/reply/": rule(NOBODY, OWN, "one speaker's invitation", pk="invitation"),
    # ---- check-in and badges ----
    FORUM + "checkin/keys/": rule(TEAM, NOBODY, "scanners verify offline with the public keys"),
    FORUM + "checkin/revocations/": rule(TEAM, NOBODY, "scanners' revocation list"),
    FORUM + "checkin/roster/": rule(CHECKIN, NOBODY, "names for offline scanning: check-in staff"),
    FORUM + "checkin/checkpoints/": rule(TEAM, EDIT, "doors and halls; editors add them"),
    FORUM + "checkin/scans/": rule(NOBODY, CHECKIN, "admitting a badge"),
    FORUM + "checkin/scans/batch/": rule(NOBODY, CHECKIN, "offline scans uploaded later"),
    FORUM + "attendance/": rule(TEAM, NOBODY, "attendance report"),
    FORUM + "registrations/<registration_id>/badge/reissue/": rule(NOBODY, EDIT, "re-issuing a badge",
                                                                    registration_id="registration"),
    FORUM + "badges/print-jobs/": rule(TEAM, EDIT, "bulk badge printing"),
    FORUM + "badges/print-jobs/<job_id>/": rule(TEAM, NOBODY, "bulk badge printing", job_id="print_job"),
    # ---- registration ----
    FORUM + "registration-types/": rule(PUBLIC, EDIT, "the registration form shows the types"),
    FORUM + "registration-types/<pk>/": rule(PUBLIC, EDIT, "registration types", pk="registration_type"),
    FORUM + "registration-questions/": rule(PUBLIC, EDIT, "the registration form shows the questions"),
    FORUM + "registration-questions/<pk>/": rule(PUBLIC, EDIT, "registration questions", pk="question"),
    FORUM + "registrations/": rule(STAFF, OPEN, "attendees' personal data; anyone registers"),
    FORUM + "registrations/export/": rule(STAFF, NOBODY, "attendees' personal data"),
    FORUM + "registrations/summary/": rule(TEAM, NOBODY, "counts only"),
    FORUM + "registrations/<pk>/": rule(STAFF, EDIT, "one attendee's personal data", pk="registration"),
    FORUM + "registrations/<pk>/approve/": rule(NOBODY, EDIT, "organizers approve", pk="registration"),
    FORUM + "registrations/<pk>/cancel/": rule(NOBODY, EDIT, "organizers cancel", pk="registration"),
    FORUM + "registrations/<pk>/reject/": rule(NOBODY, EDIT, "organizers reject", pk="registration"),
    FORUM + "registrations/<pk>/resend/": rule(NOBODY, EDIT, "organizers resend", pk="registration"),
    FORUM + "invite-codes/": rule(STAFF, EDIT, "invite codes are secrets of the organizers"),
    FORUM + "invite-codes/bulk/": rule(NOBODY, EDIT, "invite codes are secrets of the organizers"),
    FORUM + "invite-codes/export/": rule(STAFF, NOBODY, "invite codes are secrets of the organizers"),
    FORUM + "waitlist/": rule(STAFF, OPEN, "waiting people's contact data; anyone joins"),
    FORUM + "registration-settings/": rule(PUBLIC, EDIT, "capacity and waiting list, shown on the form"),
    "api/v1/registration/me/<token>/": rule(TOKEN, TOKEN, "the attendee's own secret link"),
    "api/v1/registration/me/<token>/cancel/": rule(TOKEN, TOKEN, "the attendee's own secret link"),
    "api/v1/registration/me/<token>/payment/": rule(TOKEN, TOKEN, "the attendee's own secret link"),
    "api/v1/registration/me/<token>/payment/sync/": rule(TOKEN, TOKEN, "the attendee's own secret link"),
    "api/v1/registration/claim/<token>/": rule(TOKEN, TOKEN, "a waiting-list offer's secret link"),
    "api/v1/registration/stripe/webhook/": rule(NOBODY, OPEN, "Stripe posts here; the signature decides"),
    # ---- invoicing ----
    FORUM + "invoices/": rule(STAFF, NOBODY, "tax invoices name the buyers: owners and editors"),
    FORUM + "invoices/<uuid>/": rule(STAFF, STAFF, "one invoice; never changed (owners/editors get 409)",
                                     uuid="invoice"),
    "invoicing/<slug>/": rule(STAFF, NOBODY, "invoices and credit notes of the forum", slug="forum"),
    "invoicing/<slug>/export.<fmt>": rule(STAFF, NOBODY, "the accountant's export", slug="forum", fmt="csv"),
    "invoicing/<slug>/seller/": rule(STAFF, EDIT, "the seller's billing settings", slug="forum"),
    "invoicing/<slug>/<uuid>.pdf": rule(STAFF, NOBODY, "one invoice's PDF", slug="forum", uuid="invoice"),
    "invoicing/<slug>/<uuid>.xml": rule(STAFF, NOBODY, "one invoice's UBL XML", slug="forum", uuid="invoice"),
    "invoicing/<slug>/<uuid>/correct/": rule(STAFF, EDIT, "an invoice corrected by a credit note or replaced",
                                             slug="forum", uuid="invoice"),
    FORUM + "invoices/<uuid>/credit-notes/": rule(NOBODY, EDIT, "a credit note without a refund: owners, editors",
                                                  uuid="invoice"),
    FORUM + "invoices/<uuid>/replacement/": rule(NOBODY, EDIT, "a replacement invoice: owners, editors",
                                                 uuid="invoice"),
    "registration/r/<token>/invoices/<uuid>.pdf": rule(TOKEN, NOBODY, "the attendee's own invoice",
                                                       uuid="invoice"),
    # ---- mailing ----
    FORUM + "outbox/": rule(STAFF, NOBODY, "e-mails carry personal data"),
    FORUM + "outbox/<pk>/": rule(STAFF, NOBODY, "e-mails carry personal data", pk="message"),
    FORUM + "outbox/<pk>/resend/": rule(NOBODY, STAFF, "resending e-mail to attendees", pk="message"),
    # ---- surveys and messages to attendees ----
    FORUM + "surveys/": rule(TEAM, EDIT, "surveys: the team reads, editors create"),
    FORUM + "surveys/<pk>/": rule(TEAM, NOBODY, "one survey with its questions", pk="survey"),
    FORUM + "surveys/<pk>/questions/": rule(NOBODY, EDIT, "adding a question", pk="survey"),
    FORUM + "surveys/<pk>/copy-questions/": rule(NOBODY, EDIT, "copying questions", pk="survey"),
    FORUM + "surveys/<pk>/status/": rule(NOBODY, EDIT, "opening and closing a survey", pk="survey"),
    FORUM + "surveys/<pk>/results/": rule(TEAM, NOBODY, "results: viewers read", pk="survey"),
    FORUM + "announcements/": rule(STAFF, EDIT, "messages to attendees: owners and editors"),
    FORUM + "announcements/<pk>/": rule(STAFF, NOBODY, "one message", pk="announcement"),
    FORUM + "announcements/<pk>/preview/": rule(STAFF, NOBODY, "the message as a recipient reads it",
                                                pk="announcement"),
    FORUM + "announcements/<pk>/test/": rule(NOBODY, EDIT, "a test to oneself", pk="announcement"),
    FORUM + "announcements/<pk>/send/": rule(NOBODY, EDIT, "sending to attendees", pk="announcement"),
    FORUM + "announcements/<pk>/recipients/": rule(STAFF, NOBODY, "who received what", pk="announcement"),
    # ---- public agenda, starred sessions ----
    FORUM + "agenda/": rule(PUBLIC, NOBODY, "the published agenda"),
    FORUM + "starred/": rule(SIGNED_IN, SIGNED_IN, "a user's own starred sessions"),
    FORUM + "starred/<session_id>/": rule(SIGNED_IN, SIGNED_IN, "a user's own star", session_id="session"),
    # ---- calendars ----
    "calendar/feeds/<token>.ics": rule(TOKEN, NOBODY, "a personal feed behind a secret token"),
    "calendar/forums/<forum_slug>/sessions/<session_id>.ics": rule(PUBLIC, NOBODY, "published session",
                                                                   session_id="session"),
    "calendar/api/forums/<forum_slug>/settings/": rule(TEAM, EDIT, "calendar set-up"),
    "calendar/api/forums/<forum_slug>/feeds/mine/": rule(SIGNED_IN, SIGNED_IN, "the user's own feed link"),
    "calendar/api/forums/<forum_slug>/feeds/team/": rule(TEAM, TEAM, "the team feed shows drafts"),
    "calendar/api/forums/<forum_slug>/feeds/people/<person_id>/": rule(STAFF, EDIT, "a speaker's feed link",
                                                                       person_id="person"),
    # ---- pages: builder ----
    "organize/<forum_slug>/builder/": rule(TEAM, NOBODY, "the agenda builder (it writes through the API)"),
    # ---- pages: speakers' portal ----
    "portal/": rule(SIGNED_IN, NOBODY, "the signed-in speaker's own portal"),
    "portal/sign-in/": rule(PUBLIC, OPEN, "anyone may try to sign in"),
    "portal/sign-out/": rule(SIGNED_IN, SIGNED_IN, "signing oneself out"),
    "portal/invitation/<token>/": rule(TOKEN, TOKEN, "an invitation's secret link"),
    "portal/invitations/<invitation_id>/reply/": rule(OWN, OWN, "the invited speaker", invitation_id="invitation"),
    "portal/profile/": rule(SIGNED_IN, SIGNED_IN, "the signed-in person's own profile"),
    "portal/papers/<paper_id>/": rule(OWN_OR_TEAM, OWN_OR_TEAM, "the speaker; editors upload for them", paper_id="paper"),
    "portal/papers/<paper_id>/download/": rule(OWN_OR_TEAM, NOBODY, "the paper's speaker", paper_id="paper"),
    "portal/files/<file_id>/": rule(OWN_OR_TEAM, NOBODY, "the paper's speaker", file_id="paper_file"),
    "portal/sessions/<session_id>/calendar.ics": rule(PUBLIC, NOBODY, "a published session",
                                                       session_id="session"),
    "portal/reviews/<assignment_id>/": rule(OWN, OWN, "the assigned reviewer", assignment_id="review"),
    "portal/manage/<forum_slug>/": rule(TEAM, EDIT, "speakers dashboard; editors invite from it"),
    "portal/manage/<forum_slug>/remind/": rule(NOBODY, EDIT, "e-mails speakers"),
    "portal/manage/<forum_slug>/invitations/<invitation_id>/revoke/": rule(NOBODY, EDIT, "revoking a speaker",
                                                                           invitation_id="invitation"),
    "portal/manage/<forum_slug>/settings/": rule(TEAM, EDIT, "paper deadlines"),
    "portal/manage/<forum_slug>/papers/<paper_id>/": rule(TEAM, EDIT, "deciding a paper", paper_id="paper"),
    "portal/manage/<forum_slug>/proceedings/": rule(TEAM, EDIT, "building the proceedings"),
    "portal/manage/<forum_slug>/proceedings/<job_id>/download/": rule(TEAM, NOBODY, "the proceedings book",
                                                                      job_id="proceedings"),
    # ---- pages: accounts and the team ----
    "accounts/": rule(SIGNED_IN, NOBODY, "one's own forums and the tools one's role opens"),
    "accounts/sign-in/": rule(PUBLIC, OPEN, "the one sign-in page"),
    "accounts/sign-out/": rule(NOBODY, SIGNED_IN, "signing oneself out"),
    "accounts/sign-in/link/": rule(NOBODY, OPEN, "anyone may ask for a sign-in link (same answer either way)"),
    "accounts/sign-in/link/<token>/": rule(TOKEN, NOBODY, "a one-time sign-in link"),
    "accounts/password-reset/": rule(PUBLIC, OPEN, "anyone may ask for a reset (same answer either way)"),
    "accounts/password-reset/sent/": rule(PUBLIC, NOBODY, "the 'check your e-mail' page"),
    "accounts/password-reset/<uidb64>/<token>/": rule(OPEN, OPEN, "a reset link; an unknown one says 'not valid'"),
    "accounts/team/<forum_slug>/": rule(TEAM, OWNERS, "the team reads it; owners invite"),
    "accounts/team/<forum_slug>/members/<member_id>/": rule(NOBODY, OWNERS, "owners change roles",
                                                             member_id="team_member"),
    "accounts/team/<forum_slug>/invitations/<invitation_id>/withdraw/": rule(
        NOBODY, OWNERS, "owners withdraw invitations", invitation_id="team_invitation"),
    "accounts/invitation/<token>/": rule(TOKEN, TOKEN, "a team invitation's secret link"),
    "organize/<forum_slug>/outbox/": rule(STAFF, NOBODY, "e-mails carry personal data"),
    "organize/<forum_slug>/outbox/<message_id>/": rule(STAFF, NOBODY, "e-mails carry personal data",
                                                        message_id="message"),
    "organize/<forum_slug>/outbox/<message_id>/resend/": rule(NOBODY, STAFF, "resending e-mail",
                                                               message_id="message"),
    "portal/profile/email/<token>/": rule(TOKEN, NOBODY, "an e-mail change's confirmation link"),
    # ---- pages: badges ----
    "registration/badges/badge/<access_token>/": rule(TOKEN, NOBODY, "the attendee's badge link"),
    "registration/badges/badge/<access_token>/badge.pdf": rule(TOKEN, NOBODY, "the attendee's badge link"),
    "registration/badges/badge/<access_token>/badge.png": rule(TOKEN, NOBODY, "the attendee's badge link"),
    "registration/badges/<forum_slug>/scanner/": rule(TEAM, NOBODY, "the scanner page (admits through the API)"),
    "registration/badges/<forum_slug>/attendance/": rule(TEAM, NOBODY, "attendance report"),
    "registration/badges/<forum_slug>/print/": rule(TEAM, EDIT, "bulk badge printing"),
    "registration/badges/<forum_slug>/print/<job_id>/badges.pdf": rule(STAFF, NOBODY, "printed names",
                                                                       job_id="print_job"),
    # ---- certificates ----
    FORUM + "certificates/": rule(STAFF, EDIT, "holders' names: organizers issue"),
    FORUM + "certificates/<certificate_id>/revoke/": rule(NOBODY, EDIT, "only organizers revoke",
                                                          certificate_id="certificate"),
    FORUM + "certificates/<certificate_id>/correct/": rule(NOBODY, EDIT, "only organizers correct",
                                                           certificate_id="certificate"),
    FORUM + "certificates/eligibility/": rule(STAFF, NOBODY, "attendees' attendance"),
    FORUM + "certificates/batches/": rule(STAFF, EDIT, "bulk issuing"),
    FORUM + "certificates/batches/<batch_id>/": rule(STAFF, NOBODY, "bulk issuing", batch_id="certificate_batch"),
    "api/v1/certificates/mine/": rule(SIGNED_IN, NOBODY, "a holder's own certificates"),
    "api/v1/certificates/verify/<code>/": rule(PUBLIC, NOBODY, "what a certificate states, to whoever holds its code",
                                               code="certificate_code"),
    "certificates/verify/": rule(PUBLIC, NOBODY, "typing a certificate's code"),
    "certificates/v/<code>/": rule(PUBLIC, NOBODY, "the verification page", code="certificate_code"),
    "certificates/v/<code>/certificate.pdf": rule(PUBLIC, NOBODY, "the holder's PDF, by its code",
                                                  code="certificate_code"),
    "certificates/mine/": rule(SIGNED_IN, NOBODY, "a holder's own certificates"),
    "certificates/manage/<slug>/": rule(TEAM, EDIT, "certificates page; editors issue and revoke", slug="forum"),
    "certificates/manage/<slug>/preview/<kind>.pdf": rule(TEAM, NOBODY, "a design with a sample holder",
                                                          slug="forum", kind="attendance"),
    "certificates/manage/<slug>/designs/<kind>/": rule(NOBODY, EDIT, "changing a design", slug="forum",
                                                       kind="attendance"),
    "certificates/manage/<slug>/batches/<batch_id>/download/": rule(STAFF, NOBODY, "printed names", slug="forum",
                                                                    batch_id="certificate_batch"),
    # ---- pages: honoring ceremony ----
    "organize/<forum_slug>/ceremony/": rule(TEAM, NOBODY, "the master of ceremonies' run sheet"),
    "organize/<forum_slug>/ceremony/live/": rule(TEAM, EDIT, "marking honors done on the day"),
    "organize/<forum_slug>/gifts/": rule(TEAM, NOBODY, "the gift inventory"),
    # ---- pages: registration ----
    "registration/r/<token>/": rule(TOKEN, TOKEN, "the attendee's own secret link"),
    "registration/r/<token>/pay/": rule(TOKEN, TOKEN, "the attendee's own secret link"),
    "registration/r/<token>/paid/": rule(TOKEN, TOKEN, "the attendee's own secret link"),
    "registration/r/<token>/cancel/": rule(TOKEN, TOKEN, "the attendee's own secret link"),
    "registration/claim/<token>/": rule(TOKEN, TOKEN, "a waiting-list offer's secret link"),
    "registration/<slug>/": rule(PUBLIC, OPEN, "the public registration form", slug="forum"),
    "registration/<slug>/waitlist/": rule(PUBLIC, OPEN, "joining the waiting list", slug="forum"),
    "registration/<slug>/manage/": rule(TEAM, NOBODY, "registrations dashboard", slug="forum"),
    "registration/<slug>/manage/<pk>/<action>/": rule(NOBODY, EDIT, "approve/cancel a registration",
                                                      slug="forum", pk="registration", action="approve"),
    "registration/<slug>/manage/export.<fmt>": rule(STAFF, NOBODY, "attendees' personal data",
                                                    slug="forum", fmt="csv"),
    "registration/<slug>/manage/invite-codes.csv": rule(STAFF, NOBODY, "invite codes are secrets", slug="forum"),
    "registration/<slug>/manage/invite-codes/": rule(NOBODY, EDIT, "creating invite codes", slug="forum"),
    "registration/<slug>/manage/answers/<answer_id>/file/": rule(STAFF, NOBODY, "an attendee's uploaded file",
                                                                 slug="forum", answer_id="answer"),
    "registration/<slug>/manage/settings/": rule(EDIT, EDIT, "capacity, seat hold, waiting list", slug="forum"),
    # ---- the open call for working papers (issue 17) ----
    FORUM + "calls/": rule(PUBLIC, NOBODY, "the call, its types and themes"),
    FORUM + "calls/setup/": rule(NOBODY, EDIT, "setting up the call"),
    FORUM + "calls/types/": rule(NOBODY, EDIT, "adding a submission type"),
    FORUM + "calls/sign-in/": rule(NOBODY, OPEN, "anyone asks for a sign-in link; floods get 429"),
    FORUM + "calls/assign/": rule(NOBODY, EDIT, "assigning reviewers in bulk"),
    FORUM + "calls/release/": rule(NOBODY, EDIT, "releasing the decisions"),
    FORUM + "calls/ranking/": rule(EDIT, NOBODY, "ranking per theme: organizers"),
    FORUM + "calls/statistics/": rule(EDIT, NOBODY, "statistics: organizers"),
    FORUM + "calls/unscheduled/": rule(EDIT, NOBODY, "accepted, not yet scheduled: organizers"),
    FORUM + "calls/reviews/": rule(SIGNED_IN, NOBODY, "a reviewer's own assignments only"),
    FORUM + "calls/templates/<outcome>/": rule(EDIT, EDIT, "decision e-mail templates", outcome="accepted"),
    FORUM + "calls/themes/<theme_id>/reviewers/": rule(NOBODY, EDIT, "a theme's reviewer pool", theme_id="track"),
    FORUM + "calls/submissions/": rule(SIGNED_IN, SIGNED_IN, "own submissions (all for organizers); own drafts"),
    FORUM + "calls/submissions/<pk>/": rule(EDIT, OWN, "the submitter's own, organizers read", pk="call_submission"),
    FORUM + "calls/submissions/<pk>/submit/": rule(NOBODY, OWN, "the submitter", pk="call_submission"),
    FORUM + "calls/submissions/<pk>/withdraw/": rule(NOBODY, OWN, "the submitter", pk="call_submission"),
    FORUM + "calls/submissions/<pk>/confirm/": rule(NOBODY, OWN, "the accepted submitter", pk="call_submission"),
    FORUM + "calls/submissions/<pk>/decision/": rule(NOBODY, EDIT, "organizers decide", pk="call_submission"),
    FORUM + "calls/submissions/<pk>/reviewers/": rule(NOBODY, EDIT, "organizers assign", pk="call_submission"),
    FORUM + "calls/submissions/<pk>/place/": rule(NOBODY, EDIT, "organizers place in a session",
                                                 pk="call_submission"),
    # ---- pages: the open call ----
    "calls/link/<token>/": rule(TOKEN, NOBODY, "a one-time sign-in link"),
    "calls/co-author/<token>/": rule(TOKEN, TOKEN, "a co-author's confirmation link (GET shows, POST confirms)"),
    "calls/<forum_slug>/": rule(PUBLIC, NOBODY, "the public call page"),
    "calls/<forum_slug>/sign-in/": rule(NOBODY, OPEN, "anyone asks for a sign-in link"),
    "calls/<forum_slug>/mine/": rule(SIGNED_IN, NOBODY, "the submitter's own submissions"),
    "calls/<forum_slug>/mine/new/": rule(SIGNED_IN, SIGNED_IN, "a signed-in person starts a submission"),
    "calls/<forum_slug>/mine/autosave/": rule(NOBODY, SIGNED_IN, "autosaving one's own draft"),
    "calls/<forum_slug>/mine/<submission_id>/": rule(OWN, OWN, "the submitter's own submission",
                                                     submission_id="call_submission"),
    "calls/<forum_slug>/mine/<submission_id>/file/": rule(OWN_OR_TEAM, NOBODY, "the submitter and organizers",
                                                          submission_id="call_submission"),
    "calls/<forum_slug>/reviews/": rule(SIGNED_IN, NOBODY, "a reviewer's own assignments"),
    "calls/<forum_slug>/manage/": rule(EDIT, EDIT, "submissions, bulk assignment, release: organizers"),
    "calls/<forum_slug>/manage/settings/": rule(EDIT, EDIT, "setting up the call and its types: organizers"),
    "calls/<forum_slug>/manage/ranking/": rule(EDIT, NOBODY, "ranking: organizers"),
    "calls/<forum_slug>/manage/statistics/": rule(EDIT, NOBODY, "statistics: organizers"),
    "calls/<forum_slug>/manage/templates/": rule(EDIT, EDIT, "decision e-mails: organizers"),
    "calls/<forum_slug>/manage/unscheduled/": rule(EDIT, EDIT, "placing accepted papers: organizers"),
    "calls/<forum_slug>/manage/export.<fmt>": rule(STAFF, NOBODY, "submitters' personal data", fmt="csv"),
    "calls/<forum_slug>/manage/<submission_id>/": rule(EDIT, EDIT, "one submission: organizers",
                                                       submission_id="call_submission"),
    # ---- pages: surveys and messages to attendees ----
    "mail/unsubscribe/<token>/": rule(TOKEN, TOKEN, "a signed unsubscribe link (GET shows, POST unsubscribes)"),
    "surveys/s/<token>/": rule(TOKEN, TOKEN, "an invitee's personal survey link"),
    "surveys/my-scores/": rule(SIGNED_IN, NOBODY, "a speaker's own sessions' scores"),
    "surveys/<slug>/manage/": rule(TEAM, EDIT, "surveys set-up; editors create", slug="forum"),
    "surveys/<slug>/manage/<survey_id>/": rule(TEAM, EDIT, "questions and status; editors change",
                                               slug="forum", survey_id="survey"),
    "surveys/<slug>/results/": rule(TEAM, NOBODY, "scores per session and speaker; viewers read", slug="forum"),
    "surveys/<slug>/results/<survey_id>/": rule(TEAM, NOBODY, "one survey's results; viewers read",
                                                slug="forum", survey_id="survey"),
    "surveys/<slug>/results/<survey_id>/export.<fmt>": rule(TEAM, NOBODY, "anonymous responses; viewers read",
                                                            slug="forum", survey_id="survey", fmt="csv"),
    "messages/<slug>/": rule(STAFF, EDIT, "messages to attendees: owners and editors", slug="forum"),
    "messages/<slug>/<pk>/": rule(STAFF, EDIT, "one message, its preview and history", slug="forum",
                                  pk="announcement"),
    # ---- pages: public site ----
    "": rule(PUBLIC, NOBODY, "list of forums"),
    "forums/ping": rule(PUBLIC, NOBODY, "liveness of the pages"),
    "digits/": rule(PUBLIC, OPEN, "anyone chooses Arabic or Latin digits"),
    "forums/<slug>/": rule(PUBLIC, NOBODY, "forum home", slug="forum"),
    "forums/<slug>/agenda/": rule(PUBLIC, NOBODY, "agenda", slug="forum"),
    "forums/<slug>/agenda/print/": rule(PUBLIC, NOBODY, "printable agenda", slug="forum"),
    "forums/<slug>/agenda.ics": rule(PUBLIC, NOBODY, "agenda calendar", slug="forum"),
    "forums/<slug>/sessions/<session_id>/": rule(PUBLIC, NOBODY, "a session", slug="forum", session_id="session"),
    "forums/<slug>/sessions/<session_id>/calendar.ics": rule(PUBLIC, NOBODY, "a session", slug="forum",
                                                             session_id="session"),
    "forums/<slug>/halls/<hall_id>/calendar.ics": rule(PUBLIC, NOBODY, "a hall", slug="forum", hall_id="hall"),
    "forums/<slug>/tracks/<track_id>/calendar.ics": rule(PUBLIC, NOBODY, "a track", slug="forum",
                                                         track_id="track"),
    "forums/<slug>/speakers/": rule(PUBLIC, NOBODY, "speakers", slug="forum"),
    "forums/<slug>/speakers/<person_id>/": rule(PUBLIC, NOBODY, "a speaker", slug="forum", person_id="person"),
    "forums/<slug>/speakers/<person_id>/calendar.ics": rule(PUBLIC, NOBODY, "a speaker", slug="forum",
                                                            person_id="person"),
    "forums/<slug>/changes/": rule(PUBLIC, NOBODY, "agenda changes", slug="forum"),
    "forums/<slug>/my-agenda/": rule(PUBLIC, NOBODY, "own starred sessions (stored in the browser if anonymous)",
                                     slug="forum"),
    "forums/<slug>/my-agenda.ics": rule(PUBLIC, NOBODY, "the sessions named in the query, or own stars",
                                         slug="forum"),
    "forums/<slug>/schedule.xml": rule(PUBLIC, NOBODY, "published agenda export", slug="forum"),
    "forums/<slug>/schedule.json": rule(PUBLIC, NOBODY, "published agenda export", slug="forum"),
    # ---- awards (roles are per programme: see awards/permissions.py and tests/awards) ----
    "api/v1/awards/sign-in/": rule(NOBODY, OPEN, "anyone asks for a sign-in link; the answer is the same"),
    "api/v1/awards/programmes/": rule(PUBLIC, SIGNED_IN, "programmes with a public cycle; whoever starts one owns it"),
    "api/v1/awards/programmes/<slug>/": rule(PUBLIC, AWARD_ROLE, "a programme with a public cycle; owners change it",
                                             slug="award_slug"),
    "api/v1/awards/programmes/<slug>/cycles/": rule(NOBODY, AWARD_ROLE, "set-up: staff", slug="award_slug"),
    "api/v1/awards/programmes/<slug>/members/": rule(AWARD_ROLE, AWARD_ROLE, "roles: owners and staff",
                                                     slug="award_slug"),
    "api/v1/awards/cycles/<pk>/": rule(PUBLIC, AWARD_ROLE, "a public cycle's page data; staff change it",
                                       pk="award_cycle"),
    "api/v1/awards/cycles/<pk>/tiers/": rule(NOBODY, AWARD_ROLE, "set-up: staff", pk="award_cycle"),
    "api/v1/awards/cycles/<pk>/results/": rule(AWARD_ROLE, NOBODY, "unpublished results: staff and chair",
                                               pk="award_cycle"),
    "api/v1/awards/cycles/<pk>/results/order/": rule(NOBODY, AWARD_ROLE, "the chair orders the winners",
                                                     pk="award_cycle"),
    "api/v1/awards/cycles/<pk>/results/<step>/": rule(NOBODY, AWARD_ROLE, "chair finalizes/approves, owners publish",
                                                      pk="award_cycle", step="finalize"),
    "api/v1/awards/cycles/<pk>/progress/": rule(AWARD_ROLE, NOBODY, "who scored what: staff", pk="award_cycle"),
    "api/v1/awards/cycles/<pk>/report/": rule(AWARD_ROLE, NOBODY, "reports: staff", pk="award_cycle"),
    "api/v1/awards/cycles/<pk>/my-judging/": rule(AWARD_ROLE, NOBODY, "a judge's own entries", pk="award_cycle"),
    "api/v1/awards/categories/": rule(NOBODY, AWARD_ROLE, "set-up: staff"),
    "api/v1/awards/categories/<pk>/copy-criteria/<source>/": rule(NOBODY, AWARD_ROLE, "set-up: staff",
                                                                  pk="award_category", source="award_category"),
    "api/v1/awards/categories/<pk>/": rule(NOBODY, AWARD_ROLE, "set-up: staff change or remove a category",
                                           pk="award_category"),
    "api/v1/awards/criteria/": rule(NOBODY, AWARD_ROLE, "set-up: staff"),
    "api/v1/awards/criteria/<pk>/": rule(NOBODY, AWARD_ROLE, "set-up: staff", pk="award_criterion"),
    "api/v1/awards/documents/": rule(NOBODY, AWARD_ROLE, "set-up: staff"),
    "api/v1/awards/documents/<pk>/": rule(NOBODY, AWARD_ROLE, "set-up: staff", pk="award_required_document"),
    "api/v1/awards/questions/": rule(NOBODY, AWARD_ROLE, "set-up: staff"),
    "api/v1/awards/questions/<pk>/": rule(NOBODY, AWARD_ROLE, "set-up: staff", pk="award_question"),
    "api/v1/awards/tiers/": rule(NOBODY, AWARD_ROLE, "set-up: staff"),
    "api/v1/awards/judges/": rule(NOBODY, AWARD_ROLE, "set-up: staff"),
    "api/v1/awards/nominations/": rule(SIGNED_IN, SIGNED_IN, "own, staffed and judged entries; anyone nominates"),
    "api/v1/awards/nominations/<pk>/": rule(AWARD_ROLE, AWARD_ROLE, "applicant, staff, judges", pk="award_nomination"),
    "api/v1/awards/nominations/<pk>/submit/": rule(NOBODY, AWARD_ROLE, "the applicant", pk="award_nomination"),
    "api/v1/awards/nominations/<pk>/withdraw/": rule(NOBODY, AWARD_ROLE, "the applicant", pk="award_nomination"),
    "api/v1/awards/nominations/<pk>/documents/": rule(NOBODY, AWARD_ROLE, "the applicant", pk="award_nomination"),
    "api/v1/awards/nominations/<pk>/screen/": rule(NOBODY, AWARD_ROLE, "award staff", pk="award_nomination"),
    "api/v1/awards/nominations/<pk>/shortlist/": rule(NOBODY, AWARD_ROLE, "award staff", pk="award_nomination"),
    "api/v1/awards/nominations/<pk>/extension/": rule(NOBODY, AWARD_ROLE, "award staff", pk="award_nomination"),
    "api/v1/awards/nominations/<pk>/conflict/": rule(NOBODY, AWARD_ROLE, "a judge of the category",
                                                     pk="award_nomination"),
    "api/v1/awards/nominations/<pk>/scores/": rule(AWARD_ROLE, AWARD_ROLE, "a judge's own sheets",
                                                   pk="award_nomination"),
    "api/v1/awards/visits/": rule(SIGNED_IN, AWARD_ROLE, "own visits; staff schedule"),
    "api/v1/awards/visits/<pk>/report/": rule(NOBODY, AWARD_ROLE, "the visit's assessors", pk="award_visit"),
    "api/v1/awards/visits/<pk>/photos/": rule(NOBODY, AWARD_ROLE, "the visit's assessors", pk="award_visit"),
    "api/v1/awards/results/<code>/": rule(TOKEN, NOBODY, "a winner's unguessable result code"),
    "awards/": rule(PUBLIC, NOBODY, "list of public programmes"),
    "awards/result/<code>/": rule(TOKEN, NOBODY, "a winner's unguessable result code"),
    "awards/portal/": rule(PUBLIC, NOBODY, "sign-in form, or the applicant's own nominations"),
    "awards/portal/sign-in/": rule(PUBLIC, OPEN, "anyone asks for a sign-in link"),
    "awards/portal/sign-in/<token>/": rule(TOKEN, NOBODY, "a one-time sign-in link"),
    "awards/portal/sign-out/": rule(NOBODY, OPEN, "signing oneself out"),
    "awards/portal/nominations/<nomination_id>/": rule(AWARD_ROLE, AWARD_ROLE, "the applicant's own nomination",
                                                       nomination_id="award_nomination"),
    "awards/portal/<slug>/<number>/new/": rule(SIGNED_IN, SIGNED_IN, "a signed-in person nominates",
                                               slug="award_slug", number="award_number"),
    "awards/documents/<file_id>/": rule(AWARD_ROLE, NOBODY, "applicant, staff, judges", file_id="award_document"),
    "awards/judge/nominations/<nomination_id>/": rule(AWARD_ROLE, AWARD_ROLE, "a judge of the category",
                                                      nomination_id="award_nomination"),
    "awards/judge/<slug>/<number>/": rule(AWARD_ROLE, NOBODY, "a judge's dashboard", slug="award_slug",
                                          number="award_number"),
    "awards/visits/": rule(SIGNED_IN, NOBODY, "the signed-in assessor's own visits"),
    "awards/visits/<visit_id>/": rule(AWARD_ROLE, AWARD_ROLE, "the visit's assessors", visit_id="award_visit"),
    "awards/visits/photos/<photo_id>/<size>/": rule(AWARD_ROLE, NOBODY, "assessors and staff",
                                                    photo_id="award_photo", size="thumb"),
    "awards/setup/": rule(SIGNED_IN, NOBODY, "programmes one owns or staffs; 404 to whoever has none to start"),
    "awards/setup/new/": rule(SIGNED_IN, SIGNED_IN, "whoever speaks for an organization starts a programme"),
    "awards/setup/<slug>/": rule(AWARD_ROLE, AWARD_ROLE, "set-up: owners and staff", slug="award_slug"),
    "awards/setup/<slug>/members/": rule(AWARD_ROLE, AWARD_ROLE, "roles: owners and staff", slug="award_slug"),
    "awards/setup/<slug>/cycles/new/": rule(AWARD_ROLE, AWARD_ROLE, "set-up: staff", slug="award_slug"),
    "awards/setup/<slug>/<number>/": rule(AWARD_ROLE, AWARD_ROLE, "set-up: staff", slug="award_slug",
                                          number="award_number"),
    "awards/setup/<slug>/<number>/tiers/": rule(AWARD_ROLE, AWARD_ROLE, "set-up: staff", slug="award_slug",
                                                number="award_number"),
    "awards/setup/<slug>/<number>/categories/<category_id>/": rule(
        AWARD_ROLE, AWARD_ROLE, "set-up: staff", slug="award_slug", number="award_number",
        category_id="award_category"),
    "awards/manage/<slug>/<number>/": rule(AWARD_ROLE, NOBODY, "award staff", slug="award_slug",
                                           number="award_number"),
    "awards/manage/<slug>/<number>/nominations/<nomination_id>/": rule(
        AWARD_ROLE, AWARD_ROLE, "award staff", slug="award_slug", number="award_number",
        nomination_id="award_nomination"),
    "awards/manage/<slug>/<number>/results/": rule(AWARD_ROLE, AWARD_ROLE, "staff, chair, owners",
                                                   slug="award_slug", number="award_number"),
    "awards/manage/<slug>/<number>/report/": rule(AWARD_ROLE, NOBODY, "award staff", slug="award_slug",
                                                  number="award_number"),
    "awards/manage/<slug>/<number>/export/<what>.<fmt>": rule(AWARD_ROLE, NOBODY, "award staff",
                                                               slug="award_slug", number="award_number",
                                                               what="nominations", fmt="csv"),
    "awards/<slug>/<number>/": rule(PUBLIC, NOBODY, "a public cycle page", slug="award_slug",
                                    number="award_number"),
}

# Not part of the matrix: Django's admin (its own permission system) and the schema pages.
EXCLUDED_PREFIXES = ("admin/", "api/schema/", "api/docs/", "api/redoc/", "media/")


# ---------------------------------------------------------------------------
# Enumerating the URL patterns
# ---------------------------------------------------------------------------


def _normalize(route: str) -> str:
    route = route.replace("^", "").replace("$", "")
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", route)
    return re.sub(r"<\w+:(\w+)>", r"<\1>", route)


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def project_routes() -> set[str]:
    routes = set()
    for raw in _walk(get_resolver().url_patterns):
        route = _normalize(raw)
        if "<format>" in route or route.startswith(EXCLUDED_PREFIXES):
            continue  # DRF's ".json" suffix variants call the same view as the plain route
        routes.add(route)
    return routes


def test_every_url_pattern_has_a_rule():
    routes = project_routes()
    assert routes - RULES.keys() == set(), "new URL patterns need a row in RULES"
    assert RULES.keys() - routes == set(), "RULES has rows for URL patterns that no longer exist"


# ---------------------------------------------------------------------------
# The world
# ---------------------------------------------------------------------------

USERS = ["anonymous", "outsider", "superuser", "owner_a", "editor_a", "viewer_a", "checkin_a", "owner_b",
         "speaker_a", "attendee"]
TEAM_A = {"owner_a": "owner", "editor_a": "editor", "viewer_a": "viewer", "checkin_a": "checkin"}
TEAM_B = {"owner_b": "owner"}
UNKNOWN_TOKEN = "no-such-token-0123456789abcdef"


def _forum_world(forum, *, publish: bool, people: dict) -> dict:
    hall = HallFactory(forum=forum)
    session = SessionFactory(forum=forum, hall=hall)
    person = PersonFactory(created_by_forum=forum)
    session_role = SessionRoleFactory(session=session, person=person)
    rtype = RegistrationTypeFactory(forum=forum)
    registration = RegistrationFactory(forum=forum, registration_type=rtype, user=people.get("attendee"))
    invitation = speaker_services.invitation_create(forum=forum, session=session, person=PersonFactory(),
                                                   invited_by=people["owner"])
    paper = invitation.paper
    world = {
        "forum": forum.slug, "hall": hall.pk, "session": session.pk, "person": person.pk,
        "session_role": session_role.pk,
        "session_item": SessionItemFactory(session=session).pk,
        "track": TrackFactory(forum=forum).pk,
        "sponsorship": SponsorshipFactory(forum=forum).pk,
        "team_member": forum.team.first().pk,
        "honoree": HonoreeFactory(forum=forum).pk,
        "prayer_override": PrayerTimeOverride.objects.create(forum=forum, day=forum.first_day, prayer="dhuhr",
                                                             time=time(12, 5)).pk,
        "invitation": invitation.pk,
        "paper": paper.pk,
        "paper_file": PaperFileFactory(paper=paper).pk,
        "criterion": ReviewCriterionFactory(forum=forum).pk,
        "review": ReviewAssignment.objects.create(paper=paper, reviewer=people["owner"],
                                                  assigned_by=people["owner"]).pk,
        "proceedings": ProceedingsJob.objects.create(forum=forum).pk,
        "registration_type": rtype.pk,
        "question": QuestionFactory(forum=forum).pk,
        "registration": registration.pk,
        "answer": Answer.objects.create(registration=registration, question=QuestionFactory(forum=forum, kind="file"),
                                        value="cv.pdf", file=ContentFile(b"%PDF-1.4 cv", name="cv.pdf")).pk,
        "print_job": BulkPrintJob.objects.create(forum=forum).pk,
        "invoice": _invoice(forum, registration).uuid,
        "team_invitation": account_services.team_invitation_create(
            forum=forum, email=f"new-member-{forum.slug}@example.org", role="checkin", invited_by=people["owner"]).pk,
        "one": 1,
    }
    certificate = certificate_services.certificate_issue(forum=forum, kind="attendance", holder=registration,
                                                         by=people["owner"], notify=False)
    world["certificate"], world["certificate_code"] = certificate.pk, certificate.code
    world["gift_item"] = GiftItem.objects.create(forum=forum, name_ar="درع").pk
    world["certificate_batch"] = CertificateBatch.objects.create(
        forum=forum, scope="speakers", status="done", total=1, done=1,
        file=ContentFile(b"%PDF-1.4 printed", name="certificates.pdf")).pk
    InviteCodeFactory(registration_type=RegistrationTypeFactory(forum=forum))
    WaitlistEntry.objects.create(forum=forum, registration_type=rtype, full_name_ar="منتظر",
                                 email=f"waiting-{forum.slug}@example.org")
    badge_services.badge_issue(registration=registration)
    badge_services.checkpoints_ensure(forum=forum)
    assert Checkpoint.objects.filter(forum=forum).exists()
    FeedToken.objects.create(forum=forum, person=person, token_hash=f"{forum.pk:064d}")
    StarredSession.objects.create(user=people.get("attendee") or people["owner"], session=session)
    if publish:
        schedule_publish(forum=forum)
    from announcements.models import Announcement
    from forum.mailing.models import OutgoingMessage
    from surveys.models import Survey

    world["survey"] = Survey.objects.create(forum=forum, title_ar="استبانة", status="open").pk
    world["call_submission"] = _call_submission(forum)
    world["announcement"] = Announcement.objects.create(forum=forum, subject_ar="رسالة", body_ar="مرحبا").pk
    world["message"] = OutgoingMessage.objects.filter(forum=forum).values_list("pk", flat=True).first() or 1
    return world


def _call_submission(forum) -> int:
    """An open call with one submitted submission by someone outside the matrix's users."""
    from calls import services as call_services
    from tests.calls.factories import CallFactory, SubmissionTypeFactory

    call = CallFactory(forum=forum)
    submitter = PersonFactory()
    draft = call_services.submission_save(call=call, person=submitter, type=SubmissionTypeFactory(call=call),
                                          theme=TrackFactory(forum=forum), title_ar="ورقة مقدّمة",
                                          abstract_ar="ملخص")
    return call_services.submission_submit(submission=draft, person=submitter).pk


def _invoice(forum, registration):
    from invoicing import services as invoicing
    from tests.invoicing.factories import seller_for_forum

    return invoicing.invoice_issue(
        seller=seller_for_forum(forum), buyer=invoicing.Buyer(name=registration.full_name_ar, email=registration.email),
        lines=[invoicing.Line("حضور", "Attendance", 50000, 15)], currency="SAR", source_key=f"matrix:{forum.pk}",
        forum=forum, order_reference=registration.reference,
    )


@pytest.fixture
def world(db, settings, tmp_path):
    settings.SPEAKERS_PRIVATE_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    forum_a = ForumFactory()
    forum_b = ForumFactory(status="draft")
    users = {"anonymous": None, "outsider": UserFactory(), "attendee": UserFactory(),
             "superuser": UserFactory(is_superuser=True, is_staff=True)}
    for name, role in TEAM_A.items():
        users[name] = TeamMemberFactory(forum=forum_a, role=role).user
    for name, role in TEAM_B.items():
        users[name] = TeamMemberFactory(forum=forum_b, role=role).user
    a = _forum_world(forum_a, publish=True, people={"owner": users["owner_a"], "attendee": users["attendee"]})
    b = _forum_world(forum_b, publish=False, people={"owner": users["owner_b"]})
    awards = _award_world()
    a.update(awards)
    b.update(awards)
    # The invited speaker of A signs in through the portal account made for them.
    from speakers.models import Invitation

    users["speaker_a"] = speaker_services.portal_user_for_invitation(
        invitation=Invitation.objects.get(pk=a["invitation"]))
    # The review assignment of A belongs to the editor, so OWN objects of A are the editor's or the speaker's.
    ReviewAssignment.objects.filter(pk=a["review"]).update(reviewer=users["editor_a"])
    return {"A": a, "B": b, "users": users, "secrets": _secrets(forum_a, forum_b)}


def _award_world() -> dict:
    """A public award cycle with a screened nomination, a visit with a photo and an uploaded document;
    nobody of the forums' world has a role in it."""
    from awards import services as award_services
    from tests.awards.factories import (
        NominationFactory,
        applicant_user,
        award_world,
        jpeg_upload,
        pdf_upload,
    )

    award = award_world()
    applicant = applicant_user()
    draft = award_services.nomination_create(category=award.category, user=applicant)
    document = award_services.document_upload(nomination=draft, user=applicant, document=award.document,
                                              upload=pdf_upload())
    shortlisted = NominationFactory(category=award.category, status="shortlisted")
    from django.utils import timezone

    start = timezone.now() + timedelta(days=2)
    visit = award_services.visit_schedule(nomination=shortlisted, user=award.staff, starts_at=start,
                                          ends_at=start + timedelta(hours=1), address="x",
                                          assessors=[award.assessor])
    photo = award_services.visit_photo_add(visit=visit, user=award.assessor, upload=jpeg_upload())
    return {"award_slug": award.programme.slug, "award_number": award.cycle.number, "award_cycle": award.cycle.pk,
            "award_category": award.category.pk, "award_nomination": draft.pk, "award_document": document.pk,
            "award_visit": visit.pk, "award_photo": photo.pk, "award_criterion": award.criteria[0].pk,
            "award_required_document": award.document.pk, "award_question": award.question.pk}


def _secrets(forum_a, forum_b) -> dict:
    """Strings that must never reach those who may not see them."""
    from registration.models import Registration
    from speakers.models import Invitation

    a = set(Registration.objects.filter(forum=forum_a).values_list("email", flat=True))
    a |= set(WaitlistEntry.objects.filter(forum=forum_a).values_list("email", flat=True))
    a |= set(Invitation.objects.filter(forum=forum_a).values_list("person__email", flat=True))
    b = {forum_b.title_ar, *forum_b.sessions.values_list("title_ar", flat=True)}
    return {"A": {x.encode() for x in a if x}, "B": {x.encode() for x in b if x}}


def url_for(route: str, rule_: Rule, side: dict) -> str:
    def fill(match):
        name = match.group(1)
        if name in ("token", "access_token"):
            return UNKNOWN_TOKEN
        key = rule_.params.get(name, "forum" if name == "forum_slug" else name)
        value = side.get(key, key)  # literal values (e.g. action, fmt) pass through
        return str(value)

    return "/" + re.sub(r"<(\w+)>", fill, route)


# ---------------------------------------------------------------------------
# Expectations
# ---------------------------------------------------------------------------

OWN_USERS = {"speaker_a", "editor_a"}  # the invited speaker; the editor is the assigned reviewer


OWN_USERS_B = {"owner_b"}  # B's review is assigned to B's owner


def may(user: str, level: str, side: str) -> bool | None:
    """May this user do this on forum A/B? None means "no expectation beyond: no 5xx"."""
    team = TEAM_A if side == "A" else TEAM_B
    role = team.get(user)
    own = OWN_USERS if side == "A" else OWN_USERS_B
    if user == "superuser":
        return True
    if level == ANYONE:
        return True
    if level == ANY_EDITOR:
        return TEAM_A.get(user) in ("owner", "editor") or TEAM_B.get(user) in ("owner", "editor")
    if level == OWN_OR_TEAM:
        return None if (user in own or role is not None) else False
    if level == FILTERED:
        return None if side == "A" else role is not None
    if level == PUBLIC:
        return True if side == "A" else role is not None
    if level == TEAM:
        return role is not None
    if level == STAFF or level == EDIT:
        return role in ("owner", "editor")
    if level == CHECKIN:
        return role in ("owner", "editor", "checkin")
    if level == OWNERS:
        return role == "owner"
    if level == SIGNED_IN:
        return None if user != "anonymous" else False
    if level == OWN:
        return None if user in own else False
    if level == TOKEN:
        return False
    if level in (NOBODY, AWARD_ROLE):
        return False
    if level == OPEN:
        return None
    raise AssertionError(level)


REFUSED = {401, 403, 404, 405, 415}  # 415: the body's type is refused before anything is read


def _refused(response, user: str) -> bool:
    if response.status_code in REFUSED:
        return True
    # Pages send an anonymous visitor to sign in.
    location = response.headers.get("Location", "")
    return user == "anonymous" and response.status_code == 302 and ("login" in location or "sign-in" in location)


def _leaks(response, name: str, where: str, secrets: dict) -> list[str]:
    """Attendees' and speakers' e-mails of A never reach outsiders; nothing of draft B reaches non-members."""
    if response.status_code >= 300 or name == "superuser" or getattr(response, "streaming", False):
        return []
    found = []
    if name in ("anonymous", "outsider", "owner_b"):
        found += [s for s in secrets["A"] if s in response.content]
    if name not in TEAM_B:
        found += [s for s in secrets["B"] if s in response.content]
    return [f"{where}: shows {s.decode()!r}" for s in found]


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _calls(route: str, name: str, side: str, write_allowed) -> list[tuple[str, str | None]]:
    """GET for everyone; writes (empty JSON) where they tell something; garbage JSON for a few."""
    if side == "B" and name not in ("owner_a", "outsider", "anonymous", "owner_b", "superuser"):
        return []  # to draft B, everybody else is an outsider with a role elsewhere, like owner_a
    calls = [("get", None)]
    if side == "B" and name in ("owner_b", "superuser"):
        return calls
    api = route.startswith(("api/", "calendar/api/"))
    probing = name in ("anonymous", "outsider", "viewer_a", "checkin_a", "owner_b")
    for method in ("post", "patch", "delete") if api and probing else ("post",):
        if method == "delete" and write_allowed is not False:
            continue  # the world stays whole for the users after this one
        calls.append((method, "{}"))
    if name in ("anonymous", "owner_a") and side == "A":
        calls.append(("post", "{not json"))
    return calls


def _route_params():
    for route in sorted(RULES):
        reason = RULES[route].xfail
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        yield pytest.param(route, marks=marks, id=route)


@pytest.mark.parametrize("route", list(_route_params()))
def test_url_permissions(route, world):
    rule_ = RULES[route]
    failures = []
    # A URL that names nothing of a forum (no slug, no object) is the same for both sides.
    sides = ("A", "B") if url_for(route, rule_, world["A"]) != url_for(route, rule_, world["B"]) else ("A",)
    for name in USERS:
        client = _client(world["users"][name])
        for side in sides:
            url = url_for(route, rule_, world[side])
            for method, body in _calls(route, name, side, may(name, rule_.write, side)):
                kwargs = {} if body is None else {"data": body, "content_type": "application/json"}
                with translation.override("ar"):
                    response = getattr(client, method)(url, **kwargs)
                allowed = may(name, rule_.read if method == "get" else rule_.write, side)
                where = f"{method.upper()} {url} as {name} ({rule_.reason})"
                if response.status_code >= 500:
                    failures.append(f"{where}: {response.status_code}")
                elif allowed is False and not _refused(response, name):
                    failures.append(f"{where}: {response.status_code}, expected refusal")
                failures += _leaks(response, name, where, world["secrets"])
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------------------
# Another forum's ids under one's own forum's URL
# ---------------------------------------------------------------------------

WORLD_KEYS = {"hall", "session", "person", "session_role", "session_item", "track", "sponsorship", "team_member",
              "honoree", "prayer_override", "invitation", "paper", "paper_file", "criterion", "review",
              "proceedings", "registration_type", "question", "registration", "print_job", "message",
              "answer", "invoice", "team_invitation", "certificate", "certificate_batch", "gift_item", "survey",
              "announcement", "call_submission"}


def _mixed_routes():
    """Routes naming a forum and one of its objects: the place to smuggle in another forum's object."""
    for route, rule_ in sorted(RULES.items()):
        names = re.findall(r"<(\w+)>", route)
        keys = {rule_.params.get(n, n) for n in names}
        forum_named = "forum_slug" in names or rule_.params.get("slug") == "forum"
        if forum_named and keys & WORLD_KEYS:
            yield pytest.param(route, id=route)


@pytest.mark.parametrize("route", list(_mixed_routes()))
def test_other_forums_object_under_own_forum_url_is_refused(route, world):
    """Forum A's owner names forum B's object under A's URL: 404/403 for reading and writing, B unchanged."""
    rule_ = RULES[route]
    mixed = {**world["B"], "forum": world["A"]["forum"]}
    url = url_for(route, rule_, mixed)
    client = _client(world["users"]["owner_a"])
    api = route.startswith(("api/", "calendar/api/"))
    failures = []
    for method in ("get", "post", "patch", "delete") if api else ("get", "post"):
        kwargs = {} if method == "get" else {"data": "{}", "content_type": "application/json"}
        before = _rows()
        with translation.override("ar"):
            response = getattr(client, method)(url, **kwargs)
        # An idempotent DELETE of something that is not there may say 204, as long as nothing went away.
        no_op = method == "delete" and response.status_code == 204 and _rows() == before
        if response.status_code not in REFUSED and not no_op:
            failures.append(f"{method.upper()} {url} as owner_a: {response.status_code}")
    assert not failures, "\n".join(failures)


def _rows() -> dict:
    from django.apps import apps

    return {m._meta.label: m.objects.count() for m in apps.get_models()
            if m._meta.app_label in ("forum", "forum_sessions", "speakers", "registration", "badges", "frontend",
                                     "surveys", "announcements", "calls")}


# ---------------------------------------------------------------------------
# Focused rules found by the matrix
# ---------------------------------------------------------------------------


def test_starting_a_forum_does_not_open_other_forums_contact_data(world):
    """Anyone signed in may start a forum and edit the shared directory, but not read other forums' contacts."""
    from rest_framework.test import APIClient

    from forum.models import Person
    from tests.factories import OrganizationFactory

    speaker = Person.objects.get(pk=world["A"]["person"])
    loose = PersonFactory(email="not-placed@example.org")  # in no forum yet
    client = APIClient()
    client.force_authenticate(world["users"]["outsider"])
    created = client.post("/api/v1/forums/", {"slug": "my-own", "title_ar": "ملتقاي", "first_day": "2027-01-01",
                                               "last_day": "2027-01-02", "organizer": OrganizationFactory().pk},
                          format="json")
    assert created.status_code == 201, created.content
    people = {p["id"]: p for p in client.get("/api/v1/people/", {"page_size": 500}).json()["results"]}
    assert "email" not in people[speaker.pk]
    assert client.get(f"/api/v1/people/{speaker.pk}/").json().get("email") is None
    changed = client.patch(f"/api/v1/people/{speaker.pk}/", {"email": "thief@example.org"}, format="json")
    # Refused on the e-mail field, without showing the address.
    assert changed.status_code == 403 and changed.json()["code"] == "email_not_yours"
    assert speaker.email not in changed.content.decode()
    speaker.refresh_from_db()
    assert speaker.email != "thief@example.org"
    # The directory is not open to every forum owner: an entry in no forum, created by nobody's team, is not listed.
    assert loose.pk not in people
    assert client.patch(f"/api/v1/people/{loose.pk}/", {"position_ar": "مدير"}, format="json").status_code == 404
    own = client.post("/api/v1/people/", {"full_name_ar": "من فريقي", "email": "mine@example.org"}, format="json")
    assert own.status_code == 201 and own.json()["email"] == "mine@example.org"
    assert client.patch(f"/api/v1/people/{own.json()['id']}/", {"position_ar": "مدير"},
                        format="json").status_code == 200
    editor = APIClient()
    editor.force_authenticate(world["users"]["editor_a"])
    assert editor.get(f"/api/v1/people/{speaker.pk}/").json()["email"] == speaker.email
