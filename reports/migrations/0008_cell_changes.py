"""Each cell's change mark kept by the database (reports.models.CellChange), and the version a cell report's
live figures were computed at (Report.figures_version, figures_key).

Triggers on every table a cell's figures are counted from (reports.rollup.sources) add 1 to the mark of
each cell a written row is counted in, on insert, delete, and on an update of a column the figures read
(old and new cell). PostgreSQL: statement-level triggers with transition tables (a multi-row INSERT of
500,000 monthly rows marks each cell once, in cell order so that two writers never lock marks in opposite
orders). SQLite: row-level triggers with an upsert (SQLite >= 3.24).

Nothing is filled: the reports computed before have no version, so the first refresh of each open round
recomputes them all (as `refresh_round(full=True)` would) and stores the marks it read. Caution on SQLite:
a later migration that remakes a watched table (Django's table rebuild for some column changes) drops its
triggers; tests/test_change_marks.py checks that every watched table has them."""

from django.db import migrations, models

TABLE = "reports_cellchange"

#: table → (the columns the figures read, how a row names the cells it is counted in, the events watched).
#: How: ("cell", column) the column is the cell; ("review", column) the cell of that monthly record;
#: ("member", column) every cell the member belongs or belonged to (their memberships).
WATCHED: dict[str, tuple[tuple[str, ...], tuple[tuple[str, str], ...], tuple[str, ...]]] = {
    # members, key cadres, pledges by members at a date: who belonged where, when
    "organizations_membership": (("member_id", "cell_id", "start", "end"), (("cell", "cell_id"),),
                                 ("INSERT", "DELETE", "UPDATE")),
    # a member is counted through their memberships (inserted and deleted with them): only the flag counts
    "organizations_member": (("is_key_cadre",), (("member", "id"),), ("UPDATE",)),
    # a member's pledge counts in every cell of the member; a collective pledge in its cell
    "pledges_pledge": (("member_id", "cell_id", "year", "kind"), (("cell", "cell_id"), ("member", "member_id")),
                       ("INSERT", "DELETE", "UPDATE")),
    "pledges_monthlyreview": (("cell_id", "year", "month", "state", "directive_minutes"), (("cell", "cell_id"),),
                              ("INSERT", "DELETE", "UPDATE")),
    "pledges_reviewentry": (("review_id", "present", "exemplary", "criticised"), (("review", "review_id"),),
                            ("INSERT", "DELETE", "UPDATE")),
    "pledges_commendation": (("organization_id", "year", "awarded_on", "kind", "recipient_org_id",
                              "recipient_member_id"), (("cell", "organization_id"),), ("INSERT", "DELETE", "UPDATE")),
    "pledges_modelexample": (("organization_id", "year", "kind"), (("cell", "organization_id"),),
                             ("INSERT", "DELETE", "UPDATE")),
    "pledges_memberclassification": (("cell_id", "year", "grade"), (("cell", "cell_id"),),
                                     ("INSERT", "DELETE", "UPDATE")),
    "pledges_organizationclassification": (("organization_id", "year", "grade"), (("cell", "organization_id"),),
                                           ("INSERT", "DELETE", "UPDATE")),
    # the months a unit had to meet (meetings_expected)
    "organizations_organization": (("valid_from", "valid_to"), (("cell", "id"),), ("UPDATE",)),
}

EVENT_SUFFIX = {"INSERT": "ins", "DELETE": "del", "UPDATE": "upd"}


def _q(column: str) -> str:
    return f'"{column}"'


# -- PostgreSQL ----------------------------------------------------------------------------------

def _pg_cells(hows) -> str:
    parts = []
    for how, col in hows:
        if how == "cell":
            parts.append(f"SELECT r.{_q(col)} FROM changed r")
        elif how == "review":
            parts.append(f"SELECT mr.cell_id FROM pledges_monthlyreview mr JOIN changed r ON mr.id = r.{_q(col)}")
        else:
            parts.append(f"SELECT ms.cell_id FROM organizations_membership ms JOIN changed r ON ms.member_id = r.{_q(col)}")
    return " UNION ALL ".join(parts)


def _pg_function(table: str) -> str:
    columns, hows, events = WATCHED[table]
    mark = (f"INSERT INTO {TABLE} AS t (cell_id, version) "
            f"SELECT DISTINCT c, 1 FROM ({_pg_cells(hows)}) u(c) WHERE c IS NOT NULL ORDER BY 1 "
            f"ON CONFLICT (cell_id) DO UPDATE SET version = t.version + 1;")
    new = ", ".join(f"n.{_q(c)}" for c in columns)
    old = ", ".join(f"o.{_q(c)}" for c in columns)
    differ = f"({new}) IS DISTINCT FROM ({old})"
    branches = {
        "INSERT": f"WITH changed AS (SELECT * FROM new_rows) {mark}",
        "DELETE": f"WITH changed AS (SELECT * FROM old_rows) {mark}",
        "UPDATE": (f"WITH changed AS (SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {differ} "
                   f"UNION ALL SELECT o.* FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {differ}) {mark}"),
    }
    body = "\n".join(f"    {'IF' if i == 0 else 'ELSIF'} TG_OP = '{event}' THEN\n        {branches[event]}"
                     for i, event in enumerate(events))
    return f"""CREATE OR REPLACE FUNCTION reports_mark_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{body}
    END IF;
    RETURN NULL;
END $$;"""


def _pg_trigger(table: str, event: str) -> str:
    referencing = {"INSERT": "NEW TABLE AS new_rows", "DELETE": "OLD TABLE AS old_rows",
                   "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows"}[event]
    return (f"CREATE TRIGGER reports_mark_{EVENT_SUFFIX[event]} AFTER {event} ON {table} "
            f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION reports_mark_{table}()")


def postgres() -> list[str]:
    out = []
    for table, (_columns, _hows, events) in WATCHED.items():
        out.append(_pg_function(table))
        out += [_pg_trigger(table, event) for event in events]
    return out


def postgres_drop() -> list[str]:
    out = []
    for table, (_columns, _hows, events) in WATCHED.items():
        out += [f"DROP TRIGGER IF EXISTS reports_mark_{EVENT_SUFFIX[e]} ON {table}" for e in events]
        out.append(f"DROP FUNCTION IF EXISTS reports_mark_{table}()")
    return out


# -- SQLite --------------------------------------------------------------------------------------

def _sqlite_cells(hows, refs) -> str:
    parts = []
    for ref in refs:
        for how, col in hows:
            if how == "cell":
                parts.append(f"SELECT {ref}.{_q(col)} AS c")
            elif how == "review":
                parts.append(f"SELECT cell_id AS c FROM pledges_monthlyreview WHERE id = {ref}.{_q(col)}")
            else:
                parts.append(f"SELECT cell_id AS c FROM organizations_membership WHERE member_id = {ref}.{_q(col)}")
    return " UNION ".join(parts)


def _sqlite_trigger(table: str, event: str) -> str:
    columns, hows, _events = WATCHED[table]
    refs = {"INSERT": ("NEW",), "DELETE": ("OLD",), "UPDATE": ("OLD", "NEW")}[event]
    mark = (f"INSERT INTO {TABLE} (cell_id, version) SELECT c, 1 FROM ({_sqlite_cells(hows, refs)}) "
            f"WHERE c IS NOT NULL ON CONFLICT (cell_id) DO UPDATE SET version = version + 1;")
    name = f"reports_mark_{table}_{EVENT_SUFFIX[event]}"
    if event == "UPDATE":
        cols = ", ".join(_q(c) for c in columns)
        differ = " OR ".join(f"OLD.{_q(c)} IS NOT NEW.{_q(c)}" for c in columns)
        return f"CREATE TRIGGER {name} AFTER UPDATE OF {cols} ON {table} WHEN {differ} BEGIN {mark} END"
    return f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {mark} END"


def sqlite() -> list[str]:
    return [_sqlite_trigger(table, event) for table, (_c, _h, events) in WATCHED.items() for event in events]


def sqlite_drop() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS reports_mark_{table}_{EVENT_SUFFIX[event]}"
            for table, (_c, _h, events) in WATCHED.items() for event in events]


def trigger_names(vendor: str) -> set[tuple[str, str]]:
    """(table, trigger name) of every trigger this migration creates."""
    if vendor == "postgresql":
        return {(table, f"reports_mark_{EVENT_SUFFIX[e]}") for table, (_c, _h, events) in WATCHED.items()
                for e in events}
    return {(table, f"reports_mark_{table}_{EVENT_SUFFIX[e]}") for table, (_c, _h, events) in WATCHED.items()
            for e in events}


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": postgres, "sqlite": sqlite}.get(vendor)
    if statements is None:
        raise RuntimeError(f"reports 0008: no change-mark triggers for {vendor}")
    for sql in statements():
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    statements = {"postgresql": postgres_drop, "sqlite": sqlite_drop}.get(schema_editor.connection.vendor)
    for sql in statements() if statements else []:
        schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ('organizations', '0008_importbatch_base_token'),
        ('pledges', '0002_directives_and_themes'),
        ('reports', '0007_report_day_counts'),
    ]

    operations = [
        migrations.CreateModel(
            name='CellChange',
            fields=[
                ('cell', models.OneToOneField(db_constraint=False, on_delete=models.DO_NOTHING, primary_key=True,
                                              related_name='change_mark', serialize=False,
                                              to='organizations.organization')),
                ('version', models.BigIntegerField(default=0)),
            ],
        ),
        migrations.AddField(
            model_name='report',
            name='figures_key',
            field=models.CharField(blank=True, default='', max_length=80),
        ),
        migrations.AddField(
            model_name='report',
            name='figures_version',
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(create, drop),
    ]
