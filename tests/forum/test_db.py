"""forum.db reads a hand-written SELECT back into instances equal to what the ORM loads."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from forum import db
from forum.models import Forum
from registration.models import RegistrationType
from tests.factories import ForumFactory
from tests.registration.factories import RegistrationTypeFactory

pytestmark = pytest.mark.django_db


def _row(model, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {db.select_columns(model, 'x')} FROM {model._meta.db_table} x WHERE x.id = %s", [pk])
        return cursor.fetchone()


def _values(instance):
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_instance_from_row_equals_orm_instance_with_dates_and_decimals():
    forum = ForumFactory(first_day=date(2030, 1, 13), last_day=date(2030, 1, 14), latitude=Decimal("21.422487"))
    rtype = RegistrationTypeFactory(forum=forum, paid=True)

    read_forum = db.instance_from_row(Forum, _row(Forum, forum.pk))
    read_type = db.instance_from_row(RegistrationType, _row(RegistrationType, rtype.pk))

    assert _values(read_forum) == _values(Forum.objects.get(pk=forum.pk))
    assert _values(read_type) == _values(RegistrationType.objects.get(pk=rtype.pk))
    # Converted, not raw driver values: SQLite hands back text for dates and floats for decimals.
    assert read_forum.first_day == date(2030, 1, 13)
    assert read_type.price == Decimal("500.00") and read_type.total_minor == 57500
    assert not read_type._state.adding and read_type._state.db == connection.alias


def test_select_columns_follow_the_model_fields_in_order():
    columns = db.select_columns(RegistrationType, "t").split(", ")
    assert len(columns) == db.column_count(RegistrationType) == len(RegistrationType._meta.concrete_fields)
    assert columns[0] == f"{connection.ops.quote_name('t')}.{connection.ops.quote_name('id')}"


def test_instance_from_row_with_named_fields_defers_the_others():
    forum = ForumFactory(first_day=date(2030, 1, 13), last_day=date(2030, 1, 14))
    fields = ("slug", "first_day")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {db.select_columns(Forum, 'x', fields)} FROM forum_forum x WHERE x.id = %s", [forum.pk])
        row = cursor.fetchone()
    assert db.column_count(Forum, fields) == len(row) == 3  # the primary key always comes first
    read = db.instance_from_row(Forum, row, fields)
    assert (read.pk, read.slug, read.first_day) == (forum.pk, forum.slug, date(2030, 1, 13))
    assert read.get_deferred_fields() == {f.attname for f in Forum._meta.concrete_fields} - {"id", "slug", "first_day"}
    assert read.title_ar == forum.title_ar  # a deferred field is loaded when read, as with only()


def test_select_columns_refuse_a_field_the_model_lacks():
    with pytest.raises(ValueError, match="no_such_field"):
        db.select_columns(Forum, "x", ("slug", "no_such_field"))
