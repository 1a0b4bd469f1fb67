"""Each cell's member count kept by the database (organizations.models.MemberCount).

PostgreSQL: statement-level triggers with transition tables (a bulk INSERT of 90,000 members updates
each cell once). SQLite: row-level triggers with an upsert (SQLite >= 3.24)."""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "organizations_membercount"

POSTGRES = [
    f"""
CREATE OR REPLACE FUNCTION organizations_member_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO {TABLE} (cell_id, members)
        SELECT cell_id, COUNT(*) FROM new_rows WHERE cell_id IS NOT NULL GROUP BY cell_id
        ON CONFLICT (cell_id) DO UPDATE SET members = {TABLE}.members + EXCLUDED.members;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE {TABLE} t SET members = t.members - d.n
        FROM (SELECT cell_id, COUNT(*) AS n FROM old_rows WHERE cell_id IS NOT NULL GROUP BY cell_id) d
        WHERE t.cell_id = d.cell_id;
    ELSE
        INSERT INTO {TABLE} (cell_id, members)
        SELECT cell_id, SUM(n) FROM (
            SELECT n.cell_id, 1 AS n FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE n.cell_id IS DISTINCT FROM o.cell_id AND n.cell_id IS NOT NULL
            UNION ALL
            SELECT o.cell_id, -1 FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE n.cell_id IS DISTINCT FROM o.cell_id AND o.cell_id IS NOT NULL
        ) d GROUP BY cell_id HAVING SUM(n) <> 0
        ON CONFLICT (cell_id) DO UPDATE SET members = {TABLE}.members + EXCLUDED.members;
    END IF;
    RETURN NULL;
END $$;
""",
    """CREATE TRIGGER organizations_member_count_ins AFTER INSERT ON organizations_member
       REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION organizations_member_count()""",
    """CREATE TRIGGER organizations_member_count_del AFTER DELETE ON organizations_member
       REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION organizations_member_count()""",
    """CREATE TRIGGER organizations_member_count_upd AFTER UPDATE ON organizations_member
       REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
       EXECUTE FUNCTION organizations_member_count()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS organizations_member_count_ins ON organizations_member",
    "DROP TRIGGER IF EXISTS organizations_member_count_del ON organizations_member",
    "DROP TRIGGER IF EXISTS organizations_member_count_upd ON organizations_member",
    "DROP FUNCTION IF EXISTS organizations_member_count()",
]

SQLITE = [
    f"""CREATE TRIGGER organizations_member_count_ins AFTER INSERT ON organizations_member
        WHEN NEW.cell_id IS NOT NULL BEGIN
        INSERT INTO {TABLE} (cell_id, members) VALUES (NEW.cell_id, 1)
        ON CONFLICT (cell_id) DO UPDATE SET members = members + 1; END""",
    f"""CREATE TRIGGER organizations_member_count_del AFTER DELETE ON organizations_member
        WHEN OLD.cell_id IS NOT NULL BEGIN
        UPDATE {TABLE} SET members = members - 1 WHERE cell_id = OLD.cell_id; END""",
    f"""CREATE TRIGGER organizations_member_count_upd AFTER UPDATE OF cell_id ON organizations_member
        WHEN OLD.cell_id IS NOT NEW.cell_id BEGIN
        UPDATE {TABLE} SET members = members - 1 WHERE cell_id = OLD.cell_id;
        INSERT INTO {TABLE} (cell_id, members) SELECT NEW.cell_id, 1 WHERE NEW.cell_id IS NOT NULL
        ON CONFLICT (cell_id) DO UPDATE SET members = members + 1; END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS organizations_member_count_ins",
    "DROP TRIGGER IF EXISTS organizations_member_count_del",
    "DROP TRIGGER IF EXISTS organizations_member_count_upd",
]

FILL = f"""INSERT INTO {TABLE} (cell_id, members)
SELECT cell_id, COUNT(*) FROM organizations_member WHERE cell_id IS NOT NULL GROUP BY cell_id"""


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": POSTGRES, "sqlite": SQLITE}.get(vendor)
    if statements is None:
        raise RuntimeError(f"organizations 0007: no member-count triggers for {vendor}")
    schema_editor.execute(FILL)
    for sql in statements:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    for sql in {"postgresql": POSTGRES_DROP, "sqlite": SQLITE_DROP}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ("organizations", "0006_restructure_plans"),
    ]

    operations = [
        migrations.CreateModel(
            name="MemberCount",
            fields=[
                ("cell", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                                              related_name="member_tally", serialize=False,
                                              to="organizations.organization")),
                ("members", models.IntegerField(default=0)),
            ],
            options={
                "verbose_name": "số đảng viên của chi bộ",
                "verbose_name_plural": "số đảng viên của chi bộ",
            },
        ),
        migrations.RunPython(create, drop),
    ]
