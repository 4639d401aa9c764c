"""Reads of the surveys, with query counts that do not grow with the number of responses.

Results are GROUP BY counts over answers (one row per value), so a survey
with 10 or 10,000 responses is read with the same few queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from forum.formatting import search_normalize
from forum.models import Forum
from forum.permissions import can_view_drafts
from sessions.models import Session, SessionRole

from .charts import bar_chart
from .models import Question, Survey, SurveyAnswer, SurveyInvitation, SurveyResponse

SPEAKER_ROLES = (SessionRole.Role.SPEAKER, SessionRole.Role.PANELIST, SessionRole.Role.CHAIR,
                 SessionRole.Role.CO_CHAIR, SessionRole.Role.MODERATOR)
TEXT_LIMIT = 500


def nps(counts: dict[int, int]) -> int | None:
    """Net promoter score: % answering 9–10 minus % answering 0–6, rounded; None without answers."""
    total = sum(counts.values())
    if not total:
        return None
    promoters = sum(n for score, n in counts.items() if score >= 9)
    detractors = sum(n for score, n in counts.items() if score <= 6)
    return round((promoters - detractors) * 100 / total)


def mean(counts: dict[int, int]) -> float | None:
    total = sum(counts.values())
    return round(sum(score * n for score, n in counts.items()) / total, 2) if total else None


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    counts: dict[int, int] = field(default_factory=dict)
    mean: float | None = None
    nps: int | None = None
    chart: str = ""
    texts: list[str] = field(default_factory=list)


def surveys_of_forum(*, forum: Forum):
    return Survey.objects.filter(forum=forum).select_related("session").annotate(
        invited=Count("invitations", distinct=True),
        responded=Count("invitations", filter=Q(invitations__responded_at__isnull=False), distinct=True),
    ).order_by("session__starts_at", "id")


def survey_results(*, survey: Survey, search: str = "") -> dict:
    """Response rate, per-question counts with their SVG chart, means, NPS, text answers (searched)."""
    questions = list(survey.questions.order_by("order", "id"))
    invitations = SurveyInvitation.objects.filter(survey=survey).aggregate(
        invited=Count("id"), responded=Count("id", filter=Q(responded_at__isnull=False)))
    responses = SurveyResponse.objects.filter(survey=survey).count()
    results = {q.pk: QuestionResult(question=q) for q in questions}
    grouped = (SurveyAnswer.objects.filter(question__survey=survey, number__isnull=False)
               .values_list("question_id", "number").annotate(n=Count("id")).order_by())
    for question_id, number, n in grouped:
        results[question_id].counts[number] = n
    answered = (SurveyAnswer.objects.filter(question__survey=survey).values_list("question_id")
                .annotate(n=Count("response", distinct=True)).order_by())
    for question_id, n in answered:
        results[question_id].answered = n
    texts = SurveyAnswer.objects.filter(question__survey=survey, number__isnull=True).exclude(text="")
    if search:
        # Folded on both sides, so spelling variants of Arabic letters and harakat do not hide an answer.
        texts = texts.filter(text_search__contains=search_normalize(search))
    for question_id, text in texts.order_by("-id").values_list("question_id", "text")[:TEXT_LIMIT]:
        results[question_id].texts.append(text)
    for result in results.values():
        q = result.question
        if q.kind in Question.TEXT_KINDS:
            continue
        if q.scale:
            low, high = q.scale
            rows = [(str(n), result.counts.get(n, 0)) for n in range(low, high + 1)]
            result.mean = mean(result.counts)
            if q.kind == Question.Kind.NPS:
                result.nps = nps(result.counts)
        else:
            rows = [(label, result.counts.get(i, 0)) for i, label in enumerate(q.choice_labels())]
        result.chart = bar_chart(rows, title=q.text)
    invited = invitations["invited"]
    return {
        "survey": survey,
        "invited": invited,
        "responses": responses,
        "response_rate": round(invitations["responded"] * 100 / invited) if invited else None,
        "questions": [results[q.pk] for q in questions],
        "search": search,
    }


def session_scores(*, forum: Forum, sessions: list[int] | None = None) -> list[dict]:
    """Mean of the 1–5 ratings of each session's survey, with the number of ratings and responses."""
    qs = SurveyAnswer.objects.filter(question__survey__forum=forum, question__survey__session__isnull=False,
                                     question__kind=Question.Kind.RATING, number__isnull=False)
    if sessions is not None:
        qs = qs.filter(question__survey__session_id__in=sessions)
    rows = (qs.values_list("question__survey__session_id").annotate(
        total=Sum("number"), ratings=Count("id"), responses=Count("response", distinct=True)).order_by())
    by_session = {sid: (total, ratings, responses) for sid, total, ratings, responses in rows}
    titled = Session.objects.filter(pk__in=by_session).order_by("starts_at", "id")
    return [{"session": s, "score": round(by_session[s.pk][0] / by_session[s.pk][1], 2),
             "ratings": by_session[s.pk][1], "responses": by_session[s.pk][2], "total": by_session[s.pk][0]}
            for s in titled]


def speaker_scores(*, forum: Forum, scores: list[dict]) -> list[dict]:
    """Each speaker's score: the ratings of the sessions they spoke at, chaired or sat on the panel of."""
    by_session = {row["session"].pk: row for row in scores}
    totals: dict[int, list] = defaultdict(lambda: [None, 0, 0, []])
    roles = (SessionRole.objects.filter(session_id__in=by_session, role__in=SPEAKER_ROLES)
             .select_related("person").order_by("person__full_name_ar", "id"))
    for role in roles:
        entry = totals[role.person_id]
        if role.session_id in entry[3]:
            continue
        entry[0] = role.person
        entry[1] += by_session[role.session_id]["total"]
        entry[2] += by_session[role.session_id]["ratings"]
        entry[3].append(role.session_id)
    return [{"person": person, "score": round(total / ratings, 2), "ratings": ratings, "sessions": len(ids)}
            for person, total, ratings, ids in totals.values()]


def forum_summaries(*, forum_ids: list[int]) -> dict[int, dict]:
    """Per forum: response rate, mean 1–5 rating and NPS of all its surveys (three grouped queries)."""
    out = {fid: {"invited": 0, "responded": 0, "rating_total": 0, "ratings": 0, "nps_counts": {}}
           for fid in forum_ids}
    for fid, invited, responded in (
        SurveyInvitation.objects.filter(survey__forum_id__in=forum_ids).values_list("survey__forum_id")
        .annotate(invited=Count("id"), responded=Count("id", filter=Q(responded_at__isnull=False))).order_by()
    ):
        out[fid].update(invited=invited, responded=responded)
    answers = SurveyAnswer.objects.filter(question__survey__forum_id__in=forum_ids, number__isnull=False)
    for fid, total, n in (answers.filter(question__kind=Question.Kind.RATING)
                          .values_list("question__survey__forum_id").annotate(total=Sum("number"), n=Count("id")).order_by()):
        out[fid].update(rating_total=total, ratings=n)
    for fid, number, n in (answers.filter(question__kind=Question.Kind.NPS, question__survey__session__isnull=True)
                           .values_list("question__survey__forum_id", "number").annotate(n=Count("id")).order_by()):
        out[fid]["nps_counts"][number] = n
    for row in out.values():
        row["response_rate"] = round(row["responded"] * 100 / row["invited"]) if row["invited"] else None
        row["satisfaction"] = round(row["rating_total"] / row["ratings"], 2) if row["ratings"] else None
        row["nps"] = nps(row["nps_counts"])
    return out


def editions_side_by_side(*, forum: Forum, user, limit: int = 4) -> list[dict]:
    """This edition and the earlier editions of the same forum (same organizing body, lower edition
    number) whose results the user may read, newest first."""
    earlier = [f for f in Forum.objects.filter(organizer_id=forum.organizer_id, edition__lt=forum.edition)
               .order_by("-edition", "-first_day")[: limit * 3] if can_view_drafts(user, f)][: limit - 1]
    forums = [forum, *earlier]
    summaries = forum_summaries(forum_ids=[f.pk for f in forums])
    return [{"forum": f, **summaries[f.pk]} for f in forums]


def speaker_own_scores(*, person) -> list[dict]:
    """The sessions this person took part in, across forums, with their score (and nothing more)."""
    session_ids = list(SessionRole.objects.filter(person=person, role__in=SPEAKER_ROLES)
                       .values_list("session_id", flat=True).distinct())
    rows = (SurveyAnswer.objects.filter(question__survey__session_id__in=session_ids,
                                        question__kind=Question.Kind.RATING, number__isnull=False)
            .values_list("question__survey__session_id")
            .annotate(total=Sum("number"), ratings=Count("id"), responses=Count("response", distinct=True))
            .order_by())
    scored = {sid: (total, ratings, responses) for sid, total, ratings, responses in rows}
    sessions = Session.objects.filter(pk__in=session_ids).select_related("forum").order_by("-starts_at")
    return [{"session": s, "score": round(scored[s.pk][0] / scored[s.pk][1], 2) if s.pk in scored else None,
             "ratings": scored.get(s.pk, (0, 0, 0))[1], "responses": scored.get(s.pk, (0, 0, 0))[2]}
            for s in sessions]


def export_rows(*, survey: Survey):
    """One row per response, one column per question (choices by label, several joined by ' | ')."""
    questions = list(survey.questions.order_by("order", "id"))
    header = [_("Response"), _("Submitted")]
    if not survey.is_anonymous:
        header += [_("Name"), _("E-mail")]
    yield header + [q.text for q in questions]
    responses = SurveyResponse.objects.filter(survey=survey).select_related("invitation").order_by("id")
    answers = SurveyAnswer.objects.filter(response__survey=survey).order_by("response_id", "id")
    labels = {q.pk: q.choice_labels() for q in questions}
    kinds = {q.pk: q.kind for q in questions}
    answer_iter = iter(answers.values_list("response_id", "question_id", "number", "text").iterator(2000))
    pending = next(answer_iter, None)
    for response in responses.iterator(2000):
        values: dict[int, list[str]] = defaultdict(list)
        while pending is not None and pending[0] == response.pk:
            _rid, qid, number, text = pending
            if kinds.get(qid) in Question.CHOICE_KINDS and number is not None:
                values[qid].append(labels[qid][number] if number < len(labels[qid]) else str(number))
            else:
                values[qid].append(text if number is None else str(number))
            pending = next(answer_iter, None)
        row = [response.pk, response.submitted_at.isoformat()]
        if not survey.is_anonymous:
            invitation = response.invitation
            row += [invitation.name if invitation else "", invitation.email if invitation else ""]
        yield row + [" | ".join(values.get(q.pk, [])) for q in questions]
