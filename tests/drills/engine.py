"""Fault drills on real, private services: run as a program (`python -m tests.drills`), by the
test suite on a tiny province (tests/test_drills.py) and by bench/drills.py on a bigger one.

It starts its own PostgreSQL cluster (initdb + pg_ctl in a temporary folder, spare port) and its own
redis-server (spare port, nothing saved to disk), never the shared ones; migrates and seeds a
province; starts real `celery worker` (prefork) and `celery beat` processes pointed at them; then,
as the board through Django's test client, starts the round's document run and injects one fault
per drill:

- kill9:    `kill -9` of the worker child that holds a document's lease, mid-render;
- redis:    redis-server stopped for 10 s (it comes back empty: queued messages are lost) during a
            run, and a monthly review saved through its page meanwhile;
- postgres: the PostgreSQL cluster restarted (fast shutdown) during a run;
- inprocess: no broker (the embedded default): the web process died during a run (a document left
            "building", the queue gone); `manage.py runserver` started again resumes it.

Per drill it reports documents lost (a report with no ready document), duplicated (files beyond one
PDF and one .docx per document, or document numbers used twice or skipped), stuck (documents not
ready, or a run still going at the deadline), records lost (typed review fields not stored), seconds
from the end of the fault to the next document finished (recover_s) and to the run done (finish_s).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .services import REPO, Services, Workers, missing_binaries, spare_port

REDIS_OUTAGE_SECONDS = 10


# -- inside Django (after the services are up) -----------------------------------------------------

def _db_retry(fn, seconds: float = 60.0):
    """Call fn, reconnecting while the database is away (the PostgreSQL drill restarts it)."""
    from django.db import DatabaseError, connection

    deadline = time.monotonic() + seconds
    while True:
        try:
            return fn()
        except DatabaseError:
            connection.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def tiny_province():
    """The test suite's province: 9 units, one round, every report approved (10 documents)."""
    from django.conf import settings

    from organizations.models import Kind, Level, Role
    from pledges.models import Directive
    from reports import services
    from reports.models import Report
    from tests.factories import MemberFactory, UserFactory, ensure_reference_data, make_unit, user_with_role

    ensure_reference_data()
    p = make_unit(None, Level.PROVINCE, "Tỉnh ủy Kiên Giang")
    d1 = make_unit(p, Level.DISTRICT, "Huyện ủy Hòn Đất")
    d2 = make_unit(p, Level.DISTRICT, "Thành ủy Rạch Giá", kind=Kind.THANH_UY)
    c1 = make_unit(d1, Level.COMMUNE, "Đảng ủy xã Sóc Sơn")
    c2 = make_unit(d2, Level.COMMUNE, "Đảng ủy phường Vĩnh Thanh")
    a = make_unit(c1, Level.CELL, "Chi bộ ấp Hòn Quéo")
    make_unit(c1, Level.CELL, "Chi bộ ấp Xà Ngách")
    make_unit(c2, Level.CELL, "Chi bộ khu phố 3")
    make_unit(p, Level.CELL, "Chi bộ Ban Quản lý các KCN tỉnh", kind=Kind.CHI_BO_CO_SO)
    for i in range(3):
        MemberFactory(cell=a, full_name=f"Trần Thị Ánh {i}")
    user_with_role("sec_a", a, Role.Kind.CELL_SECRETARY)
    board = user_with_role("board", p, Role.Kind.BOARD)
    root = UserFactory(username="root", is_superuser=True)
    rnd = services.round_open(
        by=board, province=p, directive=Directive.objects.get(code="05-CT/TW"),
        title="Sơ kết 6 tháng đầu năm 2026", kind="half_year", period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 6, 30), cutoff=dt.date(2026, 6, 30),
        deadlines={"cell": dt.date(2026, 7, 5), "commune": dt.date(2026, 7, 10),
                   "district": dt.date(2026, 7, 15), "province": dt.date(2026, 7, 20)})
    # the drills build the documents in runs: none follows its report's approval here
    settings.DOCUMENTS_FOLLOW_DATA = False
    for report in sorted(Report.objects.filter(round=rnd), key=lambda r: -r.tree_path.count("/")):
        report = services.report_save(report=report, sections={"results": f"Kết quả của {report.name}."},
                                      typed={}, expected_version=report.version, by=root)
        report = services.report_submit(report=report, by=root, note="Ghi chú.")
        if report.parent_id:
            services.report_approve(report=report, by=root)
    return rnd


def keep_subtree(rnd, name: str) -> dict:
    """Drill on one unit's subtree of a big province: the round keeps the reports of the units under
    `name` (and the province's own report, hence the consolidated document); the others are deleted
    from this private copy. Returns what was kept."""
    from organizations.models import Member, Organization
    from reports.models import Report

    unit = Organization.objects.get(name=name, valid_to__isnull=True)
    reports = Report.objects.filter(round=rnd)
    others = reports.exclude(organization__path__startswith=unit.path).exclude(organization_id=rnd.province_id)
    dropped = others.count()
    others.delete()
    return {"subtree": unit.name, "units_under_it": Organization.objects.filter(path__startswith=unit.path).count(),
            "members_under_it": Member.objects.filter(cell__path__startswith=unit.path).count(),
            "reports_dropped": dropped}


class Drills:
    def __init__(self, rnd, workers: Workers, services: Services, deadline: float):
        from django.contrib.auth import get_user_model
        from django.test import Client

        from organizations.models import Role

        self.rnd, self.workers, self.services, self.deadline = rnd, workers, services, deadline
        self.sweep_seconds = int(workers.env.get("DOCUMENT_SWEEP_SECONDS", "30"))
        user_model = get_user_model()
        self.board = Role.objects.filter(organization_id=rnd.province_id, kind=Role.Kind.BOARD).first()
        self.board = self.board.user if self.board else user_model.objects.filter(is_superuser=True).first()
        self.client = Client()

    # -- the run, through the round's page as the board --
    def start_run(self):
        from django.urls import reverse

        from reports.models import Document, DocumentRun

        # every document out of date (as after the reports changed): a run builds only those
        _db_retry(lambda: Document.objects.filter(report__round=self.rnd).update(source_key=""))
        self.client.force_login(self.board)
        response = self.client.post(reverse("documents:start", args=[self.rnd.pk]))
        assert response.status_code == 302, response.status_code
        return DocumentRun.objects.filter(round=self.rnd).order_by("-id").first()

    def _ready(self, run) -> int:
        from reports.models import Document

        return _db_retry(lambda: Document.objects.filter(run=run, status="ready").count())

    def wait_for(self, predicate, seconds: float) -> bool:
        end = min(time.monotonic() + seconds, self.deadline)
        while time.monotonic() < end:
            self.workers.supervise()
            if _db_retry(predicate):
                return True
            time.sleep(0.05)
        return bool(_db_retry(predicate))

    def finish(self, run, fault_end: float, ready_at_fault: int, timeout: float = 240.0) -> dict:
        """Wait for the run to end; measure the recovery and count lost, duplicated, stuck. A run is
        waited for as long as documents keep coming (a big round on a busy machine is slow, not stuck);
        it is stuck when no document was finished for `timeout` seconds (at least 4 sweeps)."""
        from reports.models import DocumentRun

        recovered = None
        idle_limit = max(timeout, 4 * self.sweep_seconds)
        last_ready, last_change = self._ready(run), time.monotonic()
        restarts = self.workers.restarts
        while time.monotonic() < self.deadline and time.monotonic() - last_change < idle_limit:
            self.workers.supervise()
            ready = self._ready(run)
            if recovered is None and ready > ready_at_fault:
                recovered = time.monotonic() - fault_end
            if ready != last_ready:
                last_ready, last_change = ready, time.monotonic()
            if _db_retry(lambda: DocumentRun.objects.get(pk=run.pk).status) != "running":
                break
            time.sleep(0.1)
        end = min(time.monotonic() + 60, self.deadline)
        finished = time.monotonic() - fault_end
        from reports.models import Document

        self.wait_for(lambda: not Document.objects.filter(report__round=self.rnd, status__in=["queued", "building"])
                      .exists(), max(0.0, end - time.monotonic()))  # a single rebuild asked for meanwhile
        return {**self.count(run), "recover_s": round(recovered if recovered is not None else finished, 1),
                "finish_s": round(finished, 1), "process_restarts": self.workers.restarts - restarts}

    def count(self, run) -> dict:
        from django.db.models import Count

        from directive03 import files
        from reports.models import Document, DocumentCounter, Report

        run.refresh_from_db()
        reports = Report.objects.filter(round=self.rnd)
        docs = list(Document.objects.filter(report__round=self.rnd))
        ready = [d for d in docs if d.status == "ready"]
        lost = reports.count() + 1 - len({(d.report_id, d.kind) for d in ready})
        stored = [name for name in files.listdir(files.DOCUMENTS, f"round-{self.rnd.pk}")
                  if name.endswith((".pdf", ".docx"))]
        numbered = Document.objects.filter(report__round=self.rnd, number__isnull=False)
        # the province's report and its consolidated annexes share one number (one document issued):
        # a number is used twice when two documents of the same kind carry it
        used = {(row["report__organization_id"], row["kind"], row["number"]): row["n"] for row in numbered.values(
            "report__organization_id", "kind", "number").annotate(n=Count("id"))}
        twice = sum(n - 1 for n in used.values())
        skipped = sum(c.last_number - len({n for (org, _kind, n) in used if org == c.organization_id})
                      for c in DocumentCounter.objects.filter(organization_id__in=reports.values("organization_id")))
        waiting: dict[str, int] = {}
        for d in docs:
            if d.status != "ready":
                key = f"depth {d.depth} {d.status}"
                waiting[key] = waiting.get(key, 0) + 1
        return {"not_ready": waiting, "run_depth": run.current_depth, "documents": len(docs), "lost": lost, "duplicated": max(0, len(stored) - 2 * len(docs)) + twice
                + skipped, "stuck": sum(1 for d in docs if d.status != "ready") + (run.status == "running"),
                "run": run.status}

    def settle(self, run) -> None:
        """Between drills: the previous run is finished."""
        from reports.models import DocumentRun

        self.wait_for(lambda: DocumentRun.objects.get(pk=run.pk).status != "running", 120)

    # -- the drills --
    def kill9(self) -> dict:
        from reports.models import Document

        run = self.start_run()
        victim = None

        def building_child():
            nonlocal victim
            children = self.workers.children()
            for doc in Document.objects.filter(run=run, status="building").exclude(lease_owner=""):
                pid = int(doc.lease_owner.rsplit("/", 2)[1])
                if pid in children:
                    victim = (doc.pk, pid)
                    return True
            return False

        if not self.wait_for(building_child, 120):
            return {"error": "no document was building"}
        ready = self._ready(run)
        os.kill(victim[1], signal.SIGKILL)
        killed_at = time.monotonic()
        result = self.finish(run, killed_at, ready)
        doc = Document.objects.get(pk=victim[0])
        result["killed_document_attempts"] = doc.attempts
        result["records_lost"] = 0
        return result

    def redis(self) -> dict:
        run = self.start_run()
        self.wait_for(lambda: self._ready(run) >= 1, 120)
        self.services.stop_redis()
        stopped = time.monotonic()
        records_lost = self.review_save()
        web_errors = self.rebuild_one(run)
        time.sleep(max(0.0, REDIS_OUTAGE_SECONDS - (time.monotonic() - stopped)))
        ready = self._ready(run)
        self.services.start_redis()
        result = self.finish(run, time.monotonic(), ready)
        result["records_lost"] = records_lost
        result["web_errors"] = web_errors
        return result

    def rebuild_one(self, run) -> int:
        """While the broker is away, a unit asks to rebuild its ready document from its report page:
        returns how many such requests failed with a server error (the job must wait, not the user)."""
        from django.urls import reverse

        from reports.models import Document

        doc = Document.objects.filter(run=run, status="ready", kind="report").first()
        if doc is None:
            return 0
        self.client.force_login(self.board)
        response = self.client.post(reverse("documents:build", args=[doc.report_id]))
        return int(response.status_code >= 500)

    def postgres(self) -> dict:
        from django.db import connection

        run = self.start_run()
        self.wait_for(lambda: self._ready(run) >= 1, 120)
        ready = self._ready(run)
        connection.close()
        self.services.pg_ctl("restart")
        result = self.finish(run, time.monotonic(), ready)
        result["records_lost"] = 0
        return result

    def inprocess(self) -> dict:
        """No broker (./dev.sh run): the web process died during a run; started again, it resumes."""
        from django.utils import timezone

        from reports.document_tasks import leases
        from reports.models import Document

        self.workers.stop()  # no worker, no beat: the web process does the work, as without a broker
        run = self.start_run()  # its messages go nowhere, as when the process that held them died
        doc = Document.objects.filter(run=run, status="queued").first()
        gone = subprocess.Popen([sys.executable, "-c", "pass"])
        gone.wait()
        Document.objects.filter(pk=doc.pk).update(status="building", lease_until=timezone.now() + leases.LEASE,
                                                  lease_owner=f"{leases.HOST}/{gone.pid}/0")
        env = {k: v for k, v in self.workers.env.items() if k != "CELERY_BROKER_URL"}
        with open(self.workers.root / "web.log", "ab") as log:
            web = subprocess.Popen([sys.executable, "manage.py", "runserver", "--noreload",
                                    f"127.0.0.1:{spare_port()}"], cwd=REPO, env=env, stdout=log, stderr=log,
                                   start_new_session=True)
        try:
            result = self.finish(run, time.monotonic(), self._ready(run))
        finally:
            os.killpg(web.pid, signal.SIGTERM)
            web.wait(20)
        result["records_lost"] = 0
        return result

    def review_save(self) -> int:
        """A cell secretary saves this month's record through its page (the broker is away):
        returns how many typed values were not stored."""
        from django.urls import reverse
        from django.utils import timezone

        from organizations.models import Member, Role
        from pledges import services
        from pledges.models import MonthlyReview

        role = Role.objects.filter(kind=Role.Kind.CELL_SECRETARY, organization__members__isnull=False) \
            .select_related("user", "organization").first()
        cell, user = role.organization, role.user
        today = timezone.localdate()
        year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
        MonthlyReview.objects.filter(cell=cell, year=year, month=month).delete()
        review = services.review_open(cell=cell, year=year, month=month, by=user)
        members = list(Member.objects.filter(cell=cell).order_by("pk")[:60])
        typed = {"meeting_date": f"{year}-{month:02d}-05", "directive_minutes": "47",
                 "theme_content": "Học chuyên đề về trách nhiệm nêu gương (lưu khi Redis dừng).",
                 "thrift_item": "Tiết kiệm điện, nước.", "next_month_measures": "Làm đường giao thông.",
                 "self_criticism_fixes": "", "notes": ""}
        data = {"action": "save", "version": str(review.version), **typed, "members": [str(m.pk) for m in members]}
        for m in members:
            data.update({f"m-{m.pk}-present": "1", f"m-{m.pk}-rating": "good", f"m-{m.pk}-note": "Tốt."})
        self.client.force_login(user)
        response = self.client.post(reverse("pledges:review", args=[cell.pk, year, month]), data)
        self.client.force_login(self.board)
        stored = MonthlyReview.objects.get(cell=cell, year=year, month=month)
        lost = 0 if response.status_code == 302 else 1
        lost += sum(1 for field in ("theme_content", "thrift_item", "next_month_measures")
                    if getattr(stored, field) != typed[field])
        lost += str(stored.directive_minutes) != typed["directive_minutes"]
        lost += len(members) - stored.entries.filter(note="Tốt.").count() if hasattr(stored, "entries") else 0
        return lost


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--world", choices=["tiny", "small", "medium"], default="tiny")
    parser.add_argument("--drills", nargs="+", default=["kill9", "redis", "postgres", "inprocess"])
    parser.add_argument("--workers", type=int, default=2, help="worker processes (prefork children)")
    parser.add_argument("--sweep-seconds", type=int, default=5, help="DOCUMENT_SWEEP_SECONDS of beat")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--budget", type=float, default=900, help="seconds for everything")
    parser.add_argument("--from-database", metavar="URL",
                        help="copy this database (a copy of the seeded province) instead of seeding --world")
    parser.add_argument("--subtree", metavar="NAME", help="keep only the round's reports under this unit")
    args = parser.parse_args(argv)
    missing = missing_binaries()
    if missing:
        print(f"missing: {', '.join(missing)}", file=sys.stderr)
        return 2
    started = time.monotonic()
    root = Path(tempfile.mkdtemp(prefix="chithi03-drills-"))
    services = Services(root)
    workers = None
    results: dict = {}
    try:
        services.start_postgres()
        if args.from_database:
            services.load(args.from_database)
        services.start_redis()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "directive03.settings", "DATABASE_URL": services.database_url,
               "CELERY_BROKER_URL": services.broker_url, "DATA_DIR": str(root / "data"),
               "DOCUMENT_SWEEP_SECONDS": str(args.sweep_seconds), "DJANGO_LOG_LEVEL": "WARNING"}
        os.environ.update(env)
        sys.path.insert(0, str(REPO))
        import django

        django.setup()
        from django.core.management import call_command
        from django.test.utils import setup_test_environment

        setup_test_environment()
        call_command("migrate", verbosity=0)
        seeded = time.monotonic()
        kept = {}
        if args.world == "tiny" and not args.from_database:
            rnd = tiny_province()
        else:
            from reports.models import ReportingRound

            if not args.from_database:
                call_command("seed_demo", size=args.world, seed=3, verbosity=0)
            rnd = ReportingRound.objects.order_by("-id").first()
            if args.subtree:
                kept = keep_subtree(rnd, args.subtree)
        results["_setup"] = {**kept, "from_database": bool(args.from_database), "world": args.world,
                             "seconds": round(time.monotonic() - started, 1), "seed_seconds": round(time.monotonic() - seeded, 1),
                             "reports": rnd.reports.count(), "workers": args.workers,
                             "sweep_seconds": args.sweep_seconds}
        workers = Workers(env, root, args.workers)
        workers.start()
        drills = Drills(rnd, workers, services, deadline=started + args.budget)
        for name in args.drills:
            t = time.monotonic()
            results[name] = getattr(drills, name)()
            results[name]["drill_s"] = round(time.monotonic() - t, 1)
            print(json.dumps({name: results[name]}), flush=True)
    finally:
        if workers is not None:
            workers.stop()
        services.stop()
        log = root / "celery.log"
        if log.exists():
            results["_log_tail"] = log.read_text(errors="replace")[-4000:]
        if args.json:
            args.json.write_text(json.dumps(results, indent=1))
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
