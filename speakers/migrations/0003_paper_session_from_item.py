from django.db import migrations
from django.db.models import OuterRef, Subquery


def paper_session_from_item(apps, schema_editor):
    """Papers linked only through their slot in a session's run now name the session too."""
    WorkingPaper = apps.get_model("speakers", "WorkingPaper")
    SessionItem = apps.get_model("forum_sessions", "SessionItem")
    WorkingPaper.objects.filter(session__isnull=True, session_item__isnull=False).update(
        session=Subquery(SessionItem.objects.filter(pk=OuterRef("session_item")).values("session")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("speakers", "0002_invitations_files_review_proceedings"),
        ("forum_sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(paper_session_from_item, migrations.RunPython.noop)]
