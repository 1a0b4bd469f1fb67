"""The access walk: every route, every form, every id-bearing parameter, against ids of another district.

Nothing here is a hand-picked list of parameters:
- the routes come from the URL resolver (a new route that the walk does not know fails the walk);
- the forms and links come from the pages the user really gets; each form is submitted with every
  parameter that carries an id (by its name, by a value or option that is the id of something the
  user owns, or by an id inside the parameter's name such as `g-<member id>`) replaced by the id of
  an object of another district (another province for the board);
- after each request: no server error, no name of the other district on the page (or the page the
  request redirected to), and not one row of the other district's data changed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from organizations.models import ImportBatch, Level, Member, Organization, PlanChange, RestructurePlan, Role
from pledges import services as pledge_services
from pledges.models import MonthlyReview, Pledge, PressingIssue
from reports import services as report_services
from reports.models import DocumentRun, Notification, Report, ReportingRound

from .factories import MemberFactory, make_unit, user_with_role

#: Every route of the project's apps -> what each URL parameter names. "year"/"month"/"code"/"fmt" are
#: not ids; every other kind is an object the walk owns one of and the other district one of.
ROUTES: dict[str, dict[str, str]] = {
    "organizations:tree": {},
    "organizations:detail": {"pk": "org"},
    "organizations:children": {"pk": "org"},
    "organizations:members_export": {"pk": "org"},
    "organizations:import_template": {"pk": "org"},
    "organizations:import_upload": {"pk": "org"},
    "organizations:import_preview": {"pk": "org", "batch_id": "batch"},
    "organizations:member": {"member_id": "member"},
    "pledges:mine": {},
    "pledges:committee": {},
    "pledges:committee_month": {"unit_id": "committee", "year": "year", "month": "month"},
    "pledges:cell": {"cell_id": "cell"},
    "pledges:go": {"cell_id": "cell"},
    "pledges:committee_go": {"unit_id": "committee"},
    "pledges:issue_add": {"cell_id": "cell"},
    "pledges:issue_remove": {"cell_id": "cell", "issue_id": "issue"},
    "pledges:year": {"cell_id": "cell", "year": "year"},
    "pledges:review": {"cell_id": "cell", "year": "year", "month": "month"},
    "pledges:decide": {"cell_id": "cell", "year": "year", "month": "month"},
    "pledges:review_print": {"cell_id": "cell", "year": "year", "month": "month"},
    "pledges:pledges": {"cell_id": "cell", "year": "year"},
    "pledges:pledge_collective": {"cell_id": "cell", "year": "year"},
    "pledges:pledge_member": {"cell_id": "cell", "year": "year", "member_id": "member"},
    "pledges:yearend": {"cell_id": "cell", "year": "year"},
    "reports:rounds": {},
    "reports:round_open": {},
    "reports:round": {"pk": "round"},
    "reports:round_close": {"pk": "round"},
    "reports:report": {"pk": "report"},
    "reports:report_save": {"pk": "report"},
    "reports:report_submit": {"pk": "report"},
    "reports:report_approve": {"pk": "report"},
    "reports:report_return": {"pk": "report"},
    "reports:reason_row": {"pk": "report"},
    "reports:report_reopen": {"pk": "report"},
    "reports:figure": {"pk": "report", "code": "code"},
    "dashboard:index": {},
    "todo": {},
    "dashboard:round": {"round_id": "round"},
    "dashboard:export": {"round_id": "round"},
    "dashboard:notifications": {},
    "dashboard:notifications_read_all": {},
    "dashboard:notification_read": {"pk": "notification"},
    "documents:panel": {"pk": "report"},
    "documents:build": {"pk": "report"},
    "documents:download": {"pk": "report", "fmt": "fmt"},
    "documents:round": {"pk": "round"},
    "documents:start": {"pk": "round"},
    "documents:consolidated": {"pk": "round", "fmt": "fmt"},
    "documents:retry": {"pk": "run"},
    "documents:issue": {"pk": "report"},
    "reports:round_withdraw": {"pk": "round"},
    "organizations:unit_close": {"pk": "org"},
    "organizations:plans": {},
    "organizations:plan": {"pk": "plan"},
    "organizations:plan_apply": {"pk": "plan"},
    "organizations:plan_discard": {"pk": "plan"},
    "organizations:plan_template": {"pk": "plan"},
    "organizations:plan_units": {"pk": "plan"},
    "organizations:plan_upload": {"pk": "plan"},
    "organizations:plan_change_delete": {"pk": "plan", "change_id": "change"},
}
#: Routes outside the walk: Django's own (auth, language, admin: superusers only), the health check, and
#: the installable app's service worker and manifest (the same for everyone, no ids).
OUTSIDE = {"home", "healthz", "favicon", "service_worker", "manifest", "login", "logout", "password_change", "password_change_done", "set_language"}
NOT_IDS = {"year", "month", "code", "fmt"}
#: Parameter names that carry an id whatever their value looks like.
ID_NAMES = {"member", "members", "recipient", "unit", "report", "review", "role", "organization", "province",
            "directive", "cell", "parent", "user", "batch", "issue", "round", "target", "pk", "id"}
#: Parameters that never carry an id, even when their value happens to equal one.
NEVER_IDS = {"csrfmiddlewaretoken", "version", "year", "month", "page", "directive_minutes", "years"}


def project_routes() -> dict[str, str]:
    """Every named route of the project's URLconf (namespace:name -> pattern), admin excluded."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str, namespace: str | None):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                ns = p.namespace or namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and p.name:
                found[f"{namespace}:{p.name}" if namespace else p.name] = prefix + str(p.pattern)

    walk(get_resolver().url_patterns, "", None)
    return found


def test_the_walk_knows_every_route():
    routes = project_routes()
    ours = {name for name in routes if name not in OUTSIDE}
    assert ours == set(ROUTES), (sorted(ours - set(ROUTES)), sorted(set(ROUTES) - ours))
    for name, params in ROUTES.items():
        assert set(re.findall(r"<(?:\w+:)?(\w+)>", routes[name])) == set(params), name


# -- the scene: the user's own objects and the other district's --------------------------------------
@dataclass
class Side:
    """One object of each kind, and the names that must never leak from the other side."""

    ids: dict[str, int | None]
    names: list[str] = field(default_factory=list)


def _round(province: Organization, by, today: dt.date) -> ReportingRound:
    from pledges.models import Directive

    return report_services.round_open(
        by=by, province=province, directive=Directive.objects.get(code="05-CT/TW"), title="Sơ kết 6 tháng",
        kind="half_year", period_start=today - dt.timedelta(days=150), period_end=today - dt.timedelta(days=5),
        cutoff=today - dt.timedelta(days=5),
        deadlines={"cell": today + dt.timedelta(days=5), "commune": today + dt.timedelta(days=10),
                   "district": today + dt.timedelta(days=15), "province": today + dt.timedelta(days=20)},
    )


def _cell_objects(cell, member, rnd, user, today) -> dict[str, int]:
    issue = pledge_services.pressing_issue_add(organization=cell, year=today.year, title=f"Vấn đề của {cell.name}",
                                               by=user)
    review = MonthlyReview.objects.create(cell=cell, year=today.year, month=today.month)
    Pledge.objects.filter(member=member).delete()
    pledge_services.pledge_register(member=member, year=today.year, commitments=[("Gương mẫu", "Chi bộ")],
                                    by=user, on=today)
    report = Report.objects.get(round=rnd, organization=cell)
    batch = ImportBatch.objects.create(organization=cell, created_by=user, filename="ds.xlsx")
    notification = Notification.objects.create(user=user, text="Nhắc hạn", url=f"/rounds/reports/{report.pk}/")
    return {"org": cell.pk, "cell": cell.pk, "member": member.pk, "issue": issue.pk, "review": review.pk,
            "report": report.pk, "round": rnd.pk, "batch": batch.pk, "notification": notification.pk,
            "user": user.pk}


def _plan(province: Organization, unit: Organization, by) -> dict[str, int]:
    """A draft restructuring plan of the province (the board's), with one change: closing `unit`."""
    plan = RestructurePlan.objects.create(province=province, title=f"Sắp xếp {province.name}",
                                          effective_on=dt.date(2025, 7, 1), created_by=by)
    change = PlanChange.objects.create(plan=plan, op=PlanChange.Op.CLOSE, unit=unit)
    return {"plan": plan.pk, "change": change.pk}


def _failed_run(rnd, user) -> int:
    return DocumentRun.objects.create(round=rnd, started_by=user, status=DocumentRun.Status.FAILED).pk


@pytest.fixture
def scene(world):
    today = timezone.localdate()
    rnd = _round(world.p, world.users.board, today)
    own = _cell_objects(world.a, world.members_a[0], rnd, world.users.sec_a, today)
    own["committee"] = world.c1.pk
    own["run"] = _failed_run(rnd, world.users.board)
    own.update(_plan(world.p, world.a, world.users.board))
    # another district of the same province
    x_member = world.members_x[0]
    x_sec = user_with_role("sec_x", world.x, Role.Kind.CELL_SECRETARY)
    other_district = _cell_objects(world.x, x_member, rnd, x_sec, today)
    other_district["committee"] = world.c2.pk
    # the round and its document run are the whole province's: another district shares them
    other_district["round"] = other_district["run"] = None
    other_district["plan"] = other_district["change"] = None  # a plan is the province's too
    # another province
    p2 = make_unit(None, Level.PROVINCE, "Tỉnh ủy An Giang")
    c3 = make_unit(p2, Level.COMMUNE, "Đảng ủy xã Mỹ Hòa Hưng")
    z = make_unit(c3, Level.CELL, "Chi bộ ấp Bình Đức")
    z_member = MemberFactory(cell=z, full_name="Võ Thị Mai Hương")
    p2_board = user_with_role("board_p2", p2, Role.Kind.BOARD)
    z_sec = user_with_role("sec_z", z, Role.Kind.CELL_SECRETARY)
    rnd2 = _round(p2, p2_board, today)
    other_province = _cell_objects(z, z_member, rnd2, z_sec, today)
    other_province["committee"] = c3.pk
    other_province["run"] = _failed_run(rnd2, p2_board)
    other_province.update(_plan(p2, z, p2_board))
    names_x = [x_member.full_name, world.x.name, world.c2.name, world.d2.name, "Vấn đề của Chi bộ khu phố 3"]
    names_p2 = [z_member.full_name, z.name, c3.name, p2.name, "Vấn đề của Chi bộ ấp Bình Đức"]
    return SimpleNamespace(
        today=today, rnd=rnd, rnd2=rnd2, own=own,
        foreign={"district": Side(other_district, names_x), "province": Side(other_province, names_p2)},
        foreign_models={
            "district": _foreign_models([world.x, world.c2, world.d2], [x_member], [world.users.district2, x_sec]),
            "province": _foreign_models([p2, c3, z], [z_member], [p2_board, z_sec], rnd2),
        },
    )


def _foreign_models(orgs, members, users, rnd2=None) -> dict[type, set[int]]:
    org_ids = {o.pk for o in orgs}
    return {
        Organization: org_ids,
        Member: {m.pk for m in members},
        get_user_model(): {u.pk for u in users},
        Report: set(Report.objects.filter(organization_id__in=org_ids).values_list("pk", flat=True)),
        ReportingRound: {rnd2.pk} if rnd2 else set(),
        MonthlyReview: set(MonthlyReview.objects.filter(cell_id__in=org_ids).values_list("pk", flat=True)),
        Pledge: set(Pledge.objects.filter(member__in=members).values_list("pk", flat=True)),
        PressingIssue: set(PressingIssue.objects.filter(organization_id__in=org_ids).values_list("pk", flat=True)),
    }


def foreign_state(foreign: dict[type, set[int]]) -> dict[str, list[dict]]:
    """Every row of the other side, and every row that points at one of them."""
    state = {}
    for model in apps.get_models():
        if model._meta.app_label not in ("organizations", "pledges", "reports", "auth"):
            continue
        q = Q(pk__in=foreign.get(model, set()))
        for f in model._meta.get_fields():
            if f.concrete and (f.many_to_one or f.one_to_one) and f.related_model in foreign:
                q |= Q(**{f"{f.attname}__in": foreign[f.related_model]})
        state[model._meta.label] = list(model.objects.filter(q).order_by("pk").values())
    return state


# -- reading pages: forms and links --------------------------------------------------------------------
@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]]
    options: dict[str, list[str]]
    buttons: list[tuple[str, str]]


class FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None
        self._chosen: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and "?" in a.get("href", ""):
            self.links.append(a["href"])
        if tag == "form":
            self._form = Form(a.get("action", ""), (a.get("method") or "get").lower(), [], {}, [])
            self.forms.append(self._form)
            return
        f = self._form
        if f is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image"):
                f.buttons.append((name, a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                f.options.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    f.fields.append((name, a.get("value", "on")))
            elif kind != "file":
                f.fields.append((name, a.get("value", "")))
        elif tag == "button" and name and a.get("type", "submit").lower() == "submit":
            f.buttons.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = name
            f.options[name] = []
        elif tag == "option" and self._select:
            value = a.get("value", "")
            f.options[self._select].append(value)
            if "selected" in a or self._select not in self._chosen:
                self._chosen[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            f.fields.append((name, ""))

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            name, value = self._form.fields[-1]
            self._form.fields[-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "select" and self._select and self._form is not None:
            if self._select in self._chosen:
                self._form.fields.append((self._select, self._chosen.pop(self._select)))
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None


def read_page(html: str) -> FormParser:
    parser = FormParser()
    parser.feed(html)
    return parser


# -- the walk -------------------------------------------------------------------------------------------
SKIP_ACTIONS = ("/accounts/logout/", "/i18n/")


def route_url(name: str, values: dict[str, int], today: dt.date) -> str:
    kwargs = {}
    for param, kind in ROUTES[name].items():
        kwargs[param] = {"year": today.year, "month": today.month, "code": "members", "fmt": "pdf"}.get(kind) \
            or values[kind]
    return reverse(name, kwargs=kwargs)


class Walk:
    def __init__(self, client, scene, side: str, user):
        self.client, self.scene, self.side, self.user = client, scene, scene.foreign[side], user
        self.foreign_models = scene.foreign_models[side]
        self.before = foreign_state(self.foreign_models)
        self.requests = 0
        self.id_params: set[str] = set()

    def check(self, response, what: str) -> None:
        self.requests += 1
        assert response.status_code < 500, what
        if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
            html = response.content.decode()
            leaked = [n for n in self.side.names if n in html]
            assert not leaked, (what, leaked)
        assert foreign_state(self.foreign_models) == self.before, what

    def send(self, method: str, url: str, data: list[tuple[str, str]], what: str):
        self.client.force_login(self.user)
        if method == "post":
            response = self.client.post(url, urlencode(data), content_type="application/x-www-form-urlencoded",
                                        follow=True)
        else:
            response = self.client.get(url + ("&" if "?" in url else "?") + urlencode(data) if data else url,
                                       follow=True)
        self.check(response, what)
        return response


def id_bearing(name: str, values: list[str], options: list[str], own_ids: set[str]) -> bool:
    base = re.sub(r"-?\d+-?", "", name)
    if name in NEVER_IDS:
        return False
    if name in ID_NAMES or base in ID_NAMES:
        return True
    return any(v.isdigit() and v in own_ids for v in [*values, *options])


def variants(form: Form) -> list[list[tuple[str, str]]]:
    if not form.buttons:
        return [list(form.fields)]
    seen, out = set(), []
    for button in form.buttons:
        if button not in seen:
            seen.add(button)
            out.append([*form.fields, button])
    return out


#: A parameter named like this carries ids of these kinds (any other id-bearing parameter: every kind).
KINDS_BY_NAME = {
    "member": ("member",), "members": ("member",), "recipient": ("member", "org"),
    "unit": ("org", "committee"), "organization": ("org", "committee"), "province": ("org", "committee"),
    "cell": ("org",), "parent": ("org", "committee"), "report": ("report",), "review": ("review",),
    "round": ("round",), "batch": ("batch",), "issue": ("issue",),
}


def foreign_for(name: str, side: Side) -> list[int]:
    kinds = KINDS_BY_NAME.get(re.sub(r"-?\d+-?", "", name)) or KINDS_BY_NAME.get(name)
    ids = {v for k, v in side.ids.items() if v is not None and k != "user" and (kinds is None or k in kinds)}
    return sorted(ids)


def substitutions(data: list[tuple[str, str]], form: Form, own_ids: set[str], side: Side):
    """(label, data) pairs: each id-bearing parameter, then each id inside names, set to a foreign id."""
    names = list(dict.fromkeys(name for name, _v in data))
    for name in names:
        values = [v for n, v in data if n == name]
        if not id_bearing(name, values, form.options.get(name, []), own_ids):
            continue
        for fid in foreign_for(name, side):
            yield name, [(n, str(fid) if n == name else v) for n, v in data]
    embedded = sorted({m for name in names for m in re.findall(r"\d+", name) if m in own_ids})
    for own in embedded:
        pattern = re.compile(rf"(?<!\d){own}(?!\d)")
        label = pattern.sub("<id>", next(n for n in names if pattern.search(n)))
        for fid in foreign_for("member", side):  # ids inside names are the rows' members
            yield label, [(pattern.sub(str(fid), n), str(fid) if v == own else v) for n, v in data]


def walk_forms(walk: Walk, pages: list[str]) -> None:
    own_ids = {str(v) for v in walk.scene.own.values()}
    done_forms: set = set()
    done_links: set = set()
    for url in pages:
        walk.client.force_login(walk.user)
        page = walk.client.get(url)
        if page.status_code != 200 or not page.get("Content-Type", "").startswith("text/html"):
            continue
        walk.check(page, f"GET {url}")
        parsed = read_page(page.content.decode())
        for form in parsed.forms:
            action = form.action or url
            key = (action, form.method, tuple(sorted({n for n, _v in form.fields})))
            if action.startswith(SKIP_ACTIONS) or key in done_forms:
                continue
            done_forms.add(key)
            for data in variants(form):
                for label, changed in substitutions(data, form, own_ids, walk.side):
                    walk.id_params.add(f"{form.method.upper()} {label}")
                    walk.send(form.method, action, changed, f"{form.method} {action} {label}")
        for link in parsed.links:
            parts = urlsplit(link)
            query = parse_qsl(parts.query, keep_blank_values=True)
            for name, value in query:
                if (parts.path, name) in done_links or not id_bearing(name, [value], [], own_ids):
                    continue
                done_links.add((parts.path, name))
                walk.id_params.add(f"GET {name}")
                for fid in foreign_for(name, walk.side):
                    changed = [(n, str(fid) if n == name else v) for n, v in query]
                    walk.send("get", parts.path, changed, f"link {parts.path}?{name}")


def walk_routes(walk: Walk) -> None:
    """Every route, every id in its URL set to the other side's: 404 (or 405 for a wrong method), and
    a notification of someone else "read" changes nothing and says nothing."""
    for name, params in ROUTES.items():
        refused_anyway = {}  # method -> 403 when the user may not do this even on their own objects
        for param, kind in params.items():
            if kind in NOT_IDS or walk.side.ids[kind] is None:
                continue
            values = {**walk.scene.own, kind: walk.side.ids[kind]}
            url = route_url(name, values, walk.scene.today)
            for method in ("get", "post"):
                walk.client.force_login(walk.user)
                response = getattr(walk.client, method)(url)
                walk.check(response, f"{method} {name} {param}")
                if name == "dashboard:notification_read" and method == "post":
                    assert response.status_code == 302
                    continue
                if response.status_code == 403 and method not in refused_anyway:
                    own = route_url(name, walk.scene.own, walk.scene.today)
                    refused_anyway[method] = getattr(walk.client, method)(own).status_code == 403
                allowed = (404, 405, 403) if refused_anyway.get(method) else (404, 405)
                assert response.status_code in allowed, (method, name, param, response.status_code)


def own_pages(scene) -> list[str]:
    pages = []
    for name in ROUTES:
        try:
            pages.append(route_url(name, scene.own, scene.today))
        except KeyError:
            continue
    pages.insert(0, reverse("dashboard:round", args=[scene.rnd.pk]) + f"?unit={scene.own['org']}")
    return pages


@pytest.mark.parametrize("role,side", [("sec_a", "district"), ("district1", "district"), ("board", "province")])
def test_no_id_of_another_district_reaches_anything(world, scene, client, role, side):
    user = getattr(world.users, role)
    walk = Walk(client, scene, side, user)
    walk_routes(walk)
    walk_forms(walk, own_pages(scene))
    found = walk.id_params
    if role == "sec_a":
        # the year end's forms and the monthly record are walked, ids in names included
        for expected in ("POST member", "POST recipient", "POST members", "POST g-<id>", "POST m-<id>-present"):
            assert expected in found, (expected, sorted(found))
    if role == "district1":
        assert "POST reason_target" not in found  # a target is a code, not an id
    assert walk.requests > 50
