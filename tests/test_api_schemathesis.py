"""A bounded schemathesis run over the whole OpenAPI schema: no 5xx, no answer that breaks the schema.

Every operation of /api/schema/ is called with a few generated requests, each sent twice:
anonymously and as an organizer (an owner of the published forum the path names). Path
parameters name real rows of that forum (the same world the permission matrix uses), so
the generated bodies reach the code behind the permission checks. It runs in `make test`
on SQLite and in CI on PostgreSQL; SCHEMATHESIS_EXAMPLES raises the examples per
operation for a longer hunt, and SCHEMATHESIS_RANDOM=1 draws fresh examples (the default run draws
the same ones every time).
"""

from __future__ import annotations

import json
import os
import re

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.factories import ForumFactory, TeamMemberFactory
from tests.test_permission_matrix import RULES, _forum_world

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "3"))
# The same examples on every run, so a red CI names a defect of the change, not a lucky draw;
# SCHEMATHESIS_RANDOM=1 (with more examples) hunts with fresh ones, and what it finds becomes a test.
DERANDOMIZE = os.environ.get("SCHEMATHESIS_RANDOM", "") != "1"
CHECKS = [not_a_server_error, response_schema_conformance]

schema = schemathesis.openapi.from_dict(
    json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))
)
schema.app = WSGIHandler()


@pytest.fixture
def api_world(db, settings, tmp_path):
    """One published forum with a row of each kind, and an organizer (owner) holding an API token."""
    settings.SPEAKERS_PRIVATE_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    forum = ForumFactory()
    owner = TeamMemberFactory(forum=forum, role="owner").user
    side = _forum_world(forum, publish=True, people={"owner": owner})
    # As Django's test client does: requests must not close the test's connection (and its transaction).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield {"side": side, "organizer": {"Authorization": f"Token {Token.objects.create(user=owner).key}"}}
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def route_of(path: str) -> str:
    """/api/v1/forums/{forum_slug}/sessions/{id}/ -> the Django route of the permission matrix."""
    return re.sub(r"\{(\w+)\}", lambda m: "<pk>" if m.group(1) == "id" else f"<{m.group(1)}>", path.lstrip("/"))


def fill_path(case, side: dict) -> None:
    rule = RULES.get(route_of(case.path))
    params = rule.params if rule else {}
    for name in list(case.path_parameters or {}):
        django_name = "pk" if name == "id" else name
        key = params.get(django_name, "forum" if name in ("forum_slug", "slug") else django_name)
        if key in side:
            case.path_parameters[name] = side[key]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, phases=[Phase.generate], derandomize=DERANDOMIZE,  # bounded
          suppress_health_check=list(HealthCheck))
def test_api_operation_never_errs_nor_breaks_its_schema(case, api_world):
    fill_path(case, api_world["side"])
    # Identity: the WSGI test transport does not undo gzip (the agenda is served compressed when asked).
    for headers in ({"Accept-Encoding": "identity"}, {"Accept-Encoding": "identity", **api_world["organizer"]}):
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)
