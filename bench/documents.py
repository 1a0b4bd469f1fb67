"""Benchmark the documents: one cell's PDF, one district's, the consolidated province PDF, and a
whole round built by real Celery worker processes.

    .venv/bin/python bench/documents.py                       # SQLite bench file, medium province
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chithi03_bench .venv/bin/python bench/documents.py
    ... bench/documents.py --round-workers 1 2                # also a whole round with 1, then 2 workers
                                                             # (needs CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/0)

Builds the demo dataset first if the bench database is empty (seed_demo --size medium, with its round).
For each single document: pages, seconds (median of 3), peak memory of the process, and the ratio to
rendering the very same HTML straight with WeasyPrint (the floor: our overhead on top of it).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, database_size, setup_django  # noqa: E402


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn, repeat=3):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="medium", choices=["small", "medium", "large"])
    parser.add_argument("--round-workers", type=int, nargs="*", default=[],
                        help="build the whole round with these numbers of worker processes")
    args = parser.parse_args()
    described = setup_django(fresh=False)

    from django.conf import settings
    from django.core.management import call_command

    from organizations.models import Level, Organization
    from reports import document_tasks
    from reports.documents import annexes, content, render
    from reports.models import Document, DocumentRun, Report, ReportingRound

    if not Organization.objects.exists():
        print(f"building the {args.size} demo dataset…", flush=True)
        call_command("seed_demo", size=args.size, seed=3)
    rnd = ReportingRound.objects.order_by("-id").first()
    if rnd is None:
        sys.exit("the bench database has no reporting round: run seed_demo with the reports stage")
    print(f"{described} · DB {database_size()} · round “{rnd.title}” · {Report.objects.filter(round=rnd).count():,} reports")

    def one(report: Report, kind: str = Document.Kind.REPORT):
        body = content.build_content(report, number_text="Số 01-BC/XX", issued_on=rnd.cutoff)
        if kind == Document.Kind.CONSOLIDATED:
            body.annexes += annexes.consolidated_annexes(report)
        html = render.render_html(body)
        pdf, pages = render.html_to_pdf(html)
        render.render_docx(body)
        return html, pages

    approved = Report.objects.filter(round=rnd, state=Report.State.APPROVED).select_related(
        "round__directive", "organization")
    cell = approved.filter(level=Level.CELL).first()
    district = approved.filter(level=Level.DISTRICT).first() or approved.exclude(level=Level.CELL).first()
    province = Report.objects.select_related("round__directive", "organization").get(round=rnd, parent__isnull=True)
    print(f"\n{'document':<34} {'pages':>5} {'seconds':>8} {'HTML→PDF only':>14} {'ratio':>6} {'peak RSS MB':>12}")
    for label, report, kind in (("one cell (PDF + .docx)", cell, "report"),
                                ("one district-level (PDF + .docx)", district, "report"),
                                ("consolidated province (PDF + .docx)", province, "consolidated")):
        if report is None:
            print(f"{label:<34} (no approved report of that level)")
            continue
        seconds, (html, pages) = timed(lambda r=report, k=kind: one(r, k))
        floor, _ = timed(lambda h=html: render.html_to_pdf(h))
        print(f"{label:<34} {pages:>5} {seconds:>8.2f} {floor:>14.2f} {seconds / floor:>6.2f} {rss_mb():>12.0f}")

    if args.round_workers:
        broker = os.environ.get("CELERY_BROKER_URL")
        if not broker:
            sys.exit("--round-workers needs CELERY_BROKER_URL (a real Redis) so real worker processes build")
        from django.contrib.auth import get_user_model

        board = get_user_model().objects.filter(is_superuser=True).first()
        total = Report.objects.filter(round=rnd).count() + 1
        for workers in args.round_workers:
            env = {**os.environ, "DJANGO_SETTINGS_MODULE": "directive03.settings",
                   "DATA_DIR": os.environ.get("DATA_DIR", "")}
            proc = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "directive03", "worker", "--loglevel=WARNING",
                 f"--concurrency={workers}", "--pool=prefork", "-n", f"bench{workers}@%h"],
                cwd=REPO, env={k: v for k, v in env.items() if v})
            try:
                time.sleep(4)
                start = time.perf_counter()
                run = document_tasks.run_start(rnd=rnd, by=board)
                while DocumentRun.objects.get(pk=run.pk).status == DocumentRun.Status.RUNNING:
                    time.sleep(1)
                elapsed = time.perf_counter() - start
                run.refresh_from_db()
                ready = Document.objects.filter(run=run, status=Document.Status.READY).count()
                print(f"\nwhole round, {workers} worker process(es): {ready:,}/{total:,} documents ready, "
                      f"run {run.status}, {elapsed:.0f} s ({ready / elapsed:.1f} documents/s)")
            finally:
                proc.terminate()
                proc.wait(30)
    print(f"\nDOCUMENTS_ROOT: {settings.DOCUMENTS_ROOT}")


if __name__ == "__main__":
    main()
