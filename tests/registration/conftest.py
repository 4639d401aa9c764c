"""Stripe for the registration tests: a real localstripe server on a loopback port.

The SDK really talks HTTP to it; webhooks are signed by localstripe with our
secret and delivered to the live server, exactly as Stripe would.
"""

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.urls import reverse

WEBHOOK_SECRET = "whsec_localstripe_test_secret"
WEBHOOK_ID = "registration-tests"
LOCALSTRIPE = Path(sys.executable).parent / "localstripe"


def _post(url: str, data: dict) -> None:
    body = urllib.parse.urlencode(data).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=body, method="POST"), timeout=5) as response:
        response.read()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe_url(tmp_path_factory):
    port = _free_port()
    workdir = tmp_path_factory.mktemp("localstripe")
    process = subprocess.Popen(
        [str(LOCALSTRIPE), "--port", str(port), "--from-scratch"],
        cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(f"{url}/js.stripe.com/v3/", timeout=1).read()
            break
        except (urllib.error.URLError, ConnectionError):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("localstripe did not start")
            time.sleep(0.1)
    yield url
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def stripe_local(settings, localstripe_url):
    """Point the SDK (through registration.payments) at localstripe."""
    settings.STRIPE_API_BASE = localstripe_url
    settings.STRIPE_SECRET_KEY = "sk_test_local"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_local"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_JS_URL = f"{localstripe_url}/js.stripe.com/v3/"
    return localstripe_url


@pytest.fixture
def stripe_webhooks(stripe_local, live_server):
    """localstripe delivers signed webhooks to our endpoint on the live server while the test runs."""
    url = live_server.url + reverse("registration-stripe-webhook")
    _post(f"{stripe_local}/_config/webhooks/{WEBHOOK_ID}", {"url": url, "secret": WEBHOOK_SECRET})
    yield url
    # Later tests must not receive this test's events: send them nowhere.
    _post(f"{stripe_local}/_config/webhooks/{WEBHOOK_ID}", {"url": "http://127.0.0.1:9/", "secret": WEBHOOK_SECRET})


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run the after-commit work (tasks, e-mail) of non-transactional tests."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(autouse=True)
def arabic_urls():
    """reverse() follows the thread's active language, which a previous /en/ request may have left on."""
    from django.utils import translation

    with translation.override("ar"):
        yield


@pytest.fixture
def new_registration_jobs(monkeypatch):
    """New registrations' e-mail jobs, recorded through the real batching thread instead of a broker.

    Call it to get the [kind, registration id] jobs published so far (it flushes the batch first).
    """
    from forum.batching import TaskBatch
    from registration.services import create as services  # NEW_REGISTRATION_NOTIFICATIONS lives there

    jobs = []
    batch = TaskBatch(services.NEW_REGISTRATION_NOTIFICATIONS.task, publish=jobs.extend, window=0.005)
    monkeypatch.setattr(services, "NEW_REGISTRATION_NOTIFICATIONS", batch)

    def recorded() -> list:
        batch.flush()
        return jobs

    return recorded

