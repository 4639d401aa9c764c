# StarredSession moves to sessions (sessions 0003 takes over the same table): state only.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('frontend', '0001_initial'),
        ('forum_sessions', '0003_starredsession_from_frontend'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='StarredSession')],
            database_operations=[],
        ),
    ]
