"""The seed never sends real mail, and says where mail goes and at which address the site answers."""

import smtplib
from io import StringIO

import pytest
from django.core.management import call_command

from forum.mailing.models import OutgoingMessage

pytestmark = pytest.mark.django_db(transaction=True)


def test_seed_with_smtp_configured_writes_its_mail_to_files_and_says_so(settings, tmp_path, monkeypatch):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    settings.SITE_URL = "http://127.0.0.1:8101"

    def no_smtp(*args, **kwargs):
        raise AssertionError("the seed opened an SMTP connection")

    monkeypatch.setattr(smtplib.SMTP, "__init__", no_smtp)
    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert f"written as files to {tmp_path / 'mail'}/" in text
    assert "Mail from now on: sent by SMTP through" in text
    assert "http://127.0.0.1:8101/forums/" in text and ":8000" not in text
    assert OutgoingMessage.objects.exists()
    assert not OutgoingMessage.objects.exclude(status=OutgoingMessage.Status.SENT).exists()
    assert len(list((tmp_path / "mail").iterdir())) >= 1
