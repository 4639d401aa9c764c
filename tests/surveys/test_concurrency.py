"""One response per link when the same link is submitted many times at once (PostgreSQL, real transactions)."""

import pytest

from surveys import services
from surveys.models import SurveyAnswer, SurveyInvitation, SurveyResponse
from tests.registration.test_concurrency import race

from .factories import QuestionFactory, SurveyFactory

CLIENTS = 12


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("anonymous", [True, False])
def test_same_link_submitted_at_once_counts_once(postgres_only, forum, anonymous):
    survey = SurveyFactory(forum=forum, is_anonymous=anonymous)
    question = QuestionFactory(survey=survey, kind="rating")
    invitation = SurveyInvitation.objects.create(survey=survey, email="twice@example.org")

    def submit(index):
        return services.response_submit(token=invitation.token, data={f"q{question.pk}": str(index % 5 + 1)})

    outcomes = race(submit, CLIENTS)
    winners = [o for o in outcomes if isinstance(o, SurveyResponse)]
    refused = [o for o in outcomes if isinstance(o, services.LinkUsed)]
    assert len(winners) == 1 and len(refused) == CLIENTS - 1, [repr(o) for o in outcomes]
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    assert SurveyAnswer.objects.filter(question=question).count() == 1
