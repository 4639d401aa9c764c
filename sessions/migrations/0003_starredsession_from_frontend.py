# StarredSession moves from the frontend app to sessions: state only, its table stays as it is.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('forum_sessions', '0002_prayer_time_override'),
        ('frontend', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='StarredSession',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='stars', to='forum_sessions.session', verbose_name='session')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='starred_sessions', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ],
                    options={
                        'verbose_name': 'starred session',
                        'verbose_name_plural': 'starred sessions',
                        'ordering': ['user', 'created_at'],
                        'db_table': 'frontend_starredsession',
                        'constraints': [models.UniqueConstraint(fields=('user', 'session'), name='starred_session_unique_per_user')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
