"""`make run` as a newcomer types it: addresses follow HOST/PORT, mail goes to files, Stripe.js follows the test server."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def make_dry_run(*args, env=None) -> str:
    environment = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "EMAIL_BACKEND", "EMAIL_FILE_PATH")}
    environment.update(env or {})
    # -n prints the commands without running them; the prerequisites' commands are printed too.
    result = subprocess.run(["make", "-n", "run", *args], cwd=ROOT, env=environment, capture_output=True, text=True,
                            check=True)
    return result.stdout


def test_make_run_site_url_follows_host_and_port():
    out = make_dry_run("PORT=8101")
    assert 'SITE_URL="http://127.0.0.1:8101"' in out and "runserver 127.0.0.1:8101" in out
    assert ":8000" not in out


def test_make_run_site_url_set_by_the_user_wins():
    out = make_dry_run("PORT=8101", env={"SITE_URL": "https://forum.example.org"})
    assert 'SITE_URL="https://forum.example.org"' in out


def test_make_run_and_seed_write_mail_to_files_and_say_so():
    out = make_dry_run()
    seed_line = next(line for line in out.splitlines() if "seed_demo" in line)
    assert 'EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend"' in seed_line
    assert "mail:" in out and "sent-mail" in out


def settings_value(name: str, **env) -> str:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("STRIPE_")}
    environment.update(env, DJANGO_SETTINGS_MODULE="forum.settings")
    code = f"from django.conf import settings; print(settings.{name})"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True,
                          check=True).stdout.strip()


def test_stripe_js_follows_the_documented_test_server_variable():
    assert settings_value("STRIPE_JS_URL") == "https://js.stripe.com/v3/"
    assert settings_value("STRIPE_JS_URL", STRIPE_API_BASE="http://127.0.0.1:8420") == \
        "http://127.0.0.1:8420/js.stripe.com/v3/"
    assert settings_value("STRIPE_JS_URL", STRIPE_API_BASE="http://127.0.0.1:8420",
                          STRIPE_JS_URL="https://cdn.example.org/stripe.js") == "https://cdn.example.org/stripe.js"
