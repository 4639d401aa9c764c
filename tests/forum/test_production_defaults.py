"""Production-safe defaults: no built-in secret key, and a health check load balancers can reach."""

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "forum" / "settings.py"


def production_env(tmp_path, **changes) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "SECRET_KEY")}
    env.update(DEBUG="0", DJANGO_SETTINGS_MODULE="forum.settings",
               DATABASE_URL="sqlite:///" + str(tmp_path / "production.sqlite3"), **changes)
    return env


@pytest.mark.parametrize("command", [
    [sys.executable, "manage.py", "check"],
    [sys.executable, "-c", "import forum.wsgi"],  # what gunicorn loads
], ids=["manage", "wsgi"])
def test_production_without_secret_key_refuses_to_start_and_says_why(tmp_path, command):
    result = subprocess.run(command, cwd=ROOT, env=production_env(tmp_path), capture_output=True, text=True,
                            timeout=120)
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr
    assert "DEBUG=0" in result.stderr


def test_manage_py_without_secret_key_says_only_why(tmp_path):
    result = subprocess.run([sys.executable, "manage.py", "migrate"], cwd=ROOT, env=production_env(tmp_path),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "SECRET_KEY is not set" in result.stderr
    # Not buried under an unrelated traceback ("Models aren't loaded yet") as Django's command line gives.
    assert "Traceback" not in result.stderr and "AppRegistryNotReady" not in result.stderr

def test_production_with_secret_key_starts(tmp_path):
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, capture_output=True, text=True,
                            env=production_env(tmp_path, SECRET_KEY="a-production-key-" + "x" * 40), timeout=120)
    assert result.returncode == 0, result.stderr


def test_no_development_key_is_built_into_the_settings(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DEBUG", "1")
    assert runpy.run_path(str(SETTINGS))["SECRET_KEY"] == ""


def test_the_tests_and_make_set_their_own_development_key(settings):
    assert settings.SECRET_KEY == os.environ["SECRET_KEY"] != ""
    makefile = (ROOT / "Makefile").read_text()
    assert "export SECRET_KEY ?=" in makefile


@pytest.fixture
def https_settings(monkeypatch):
    """The security settings forum/settings.py makes with HTTPS=1."""
    monkeypatch.setenv("HTTPS", "1")
    monkeypatch.setenv("SECRET_KEY", "a-production-key-" + "x" * 40)
    values = runpy.run_path(str(SETTINGS))
    names = ["SECURE_PROXY_SSL_HEADER", "SECURE_SSL_REDIRECT", "SECURE_REDIRECT_EXEMPT", "SECURE_HSTS_SECONDS"]
    with override_settings(**{name: values[name] for name in names}):
        yield


@pytest.mark.django_db
def test_https_healthz_answers_over_plain_http(https_settings):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/api/v1/forums/", "/healthz/", "/healthzz", "/admin/login/"])
def test_https_everything_else_redirects_to_https(https_settings, path):
    response = Client().get(path)
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.mark.django_db
def test_https_healthz_over_https_from_the_balancer(https_settings):
    response = Client().get("/healthz", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert "Strict-Transport-Security" in response.headers
