"""Issued documents are never changed: the database refuses UPDATE of invoices and their lines
(and DELETE on PostgreSQL; SQLite test runs empty tables with DELETE, PostgreSQL's with TRUNCATE,
which row triggers do not see)."""

from django.db import migrations

TABLES = ("invoicing_invoice", "invoicing_invoiceline")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION invoicing_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'issued invoices and credit notes cannot be changed or deleted (%)', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute(PG_FUNCTION)
            for table in TABLES:
                cursor.execute(f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
                               f"FOR EACH ROW EXECUTE FUNCTION invoicing_refuse_change()")
        elif schema_editor.connection.vendor == "sqlite":
            for table in TABLES:
                cursor.execute(f"CREATE TRIGGER {table}_immutable BEFORE UPDATE ON {table} "
                               f"BEGIN SELECT RAISE(ABORT, 'issued invoices and credit notes cannot be changed'); END")


def backwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            if schema_editor.connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_immutable")
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS invoicing_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
