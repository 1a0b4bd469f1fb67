"""The SQL twin of organizations.text.fold on PostgreSQL (SQLite registers it on each connection)."""

from django.db import migrations

from organizations.text import FOLD_FUNCTION, POSTGRES_FOLD_SQL


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FOLD_SQL)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {FOLD_FUNCTION}(text)")


class Migration(migrations.Migration):

    dependencies = [
        ("organizations", "0003_organization_secretary_name"),
    ]

    operations = [migrations.RunPython(create, drop)]
