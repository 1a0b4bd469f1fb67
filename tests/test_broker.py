"""A task goes through the real Redis broker to a real Celery worker started here (not eager mode)."""

import os
import time
import uuid

import pytest

from directive03.models import Heartbeat

pytestmark = [
    pytest.mark.broker,
    pytest.mark.skipif(
        not os.environ.get("CELERY_BROKER_URL") and not os.environ.get("CHITHI03_REQUIRE_BROKER"),
        reason="CELERY_BROKER_URL is not set: the broker round trip needs a real Redis and a real worker "
               "(CI sets it; locally: CELERY_BROKER_URL=redis://127.0.0.1:6379/0)",
    ),
]


@pytest.fixture
def private_queue():
    """A queue of the test's own, deleted afterwards with the broker's bookkeeping about it: the test
    leaves no `_kombu.*` key in Redis that was not there before (queue bindings, binding deadlines)."""
    import redis
    from django.conf import settings
    from kombu import Exchange, Queue

    from directive03.celery import app

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    before = set(client.keys("_kombu*"))
    name = f"test-{uuid.uuid4().hex[:8]}"
    yield name
    with app.connection_for_write() as conn:
        # Celery declares a queue it does not know as a direct exchange of the same name
        queue = Queue(name, Exchange(name, type="direct"), routing_key=name)(conn.default_channel)
        queue.declare()  # the channel learns the binding, so that delete removes it
        queue.delete()
    for key in set(client.keys("_kombu*")) - before:
        client.delete(key)  # what the worker's remote control left (binding deadlines)
    assert set(client.keys("_kombu*")) == before


def wait_for(predicate, seconds: float = 30.0) -> bool:
    from django.db import OperationalError

    def check() -> bool:
        try:
            return predicate()
        except OperationalError:  # SQLite's shared in-memory test database: "table is locked" while the
            return False          # worker thread writes; asked again a moment later

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


@pytest.mark.django_db(transaction=True)
def test_task_round_trip_through_redis_to_a_real_worker(private_queue):
    from celery.contrib.testing.worker import start_worker

    from directive03.celery import app
    from directive03.tasks import heartbeat

    assert not app.conf.task_always_eager, "the broker test must not run in eager mode"
    queue = private_queue
    name = f"roundtrip-{queue}"

    heartbeat.apply_async(args=[name], queue=queue)
    # Nothing ran in-process: the message is waiting in Redis.
    time.sleep(0.5)
    assert not Heartbeat.objects.filter(name=name).exists()

    with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, queues=[queue],
                      shutdown_timeout=10):
        assert wait_for(lambda: Heartbeat.objects.filter(name=name).exists())
    beat = Heartbeat.objects.get(name=name)
    assert beat.detail  # the worker's host name


@pytest.mark.django_db(transaction=True)
def test_a_document_run_through_a_real_worker_is_bottom_up_and_idempotent(world, settings, private_queue):
    """Run a round's documents twice through Redis and a real worker: one document per report,
    and a committee's document is never older than its children's."""
    import datetime as dt

    from celery.contrib.testing.worker import start_worker

    from directive03.celery import app
    from organizations.models import Role
    from pledges.models import Directive
    from reports import document_tasks, services
    from reports.models import Document, DocumentRun, Report

    from .factories import UserFactory, user_with_role

    settings.RUN_TASKS_INLINE = False
    user_with_role("approver_c1", world.c1, Role.Kind.APPROVER)
    root = UserFactory(username="root", is_superuser=True)
    rnd = services.round_open(
        by=world.users.board, province=world.p, directive=Directive.objects.get(code="05-CT/TW"),
        title="Sơ kết 6 tháng đầu năm 2026", kind="half_year", period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 6, 30), cutoff=dt.date(2026, 6, 30),
        deadlines={"cell": dt.date(2026, 7, 5), "commune": dt.date(2026, 7, 10),
                   "district": dt.date(2026, 7, 15), "province": dt.date(2026, 7, 20)},
    )
    for report in sorted(Report.objects.filter(round=rnd), key=lambda r: -r.tree_path.count("/")):
        report = services.report_save(report=report, sections={"results": "Kết quả."}, typed={},
                                      expected_version=report.version, by=root)
        report = services.report_submit(report=report, by=root, note="Ghi chú.")
        if report.parent_id:
            services.report_approve(report=report, by=root)

    queue = private_queue
    old_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, queues=[queue],
                          shutdown_timeout=30):
            runs = []
            for _ in range(2):
                run = document_tasks.run_start(rnd=rnd, by=world.users.board)
                assert wait_for(lambda r=run: DocumentRun.objects.get(pk=r.pk).status != "running", 180)
                runs.append(DocumentRun.objects.get(pk=run.pk))
    finally:
        app.conf.task_default_queue = old_queue
    assert [r.status for r in runs] == ["done", "done"]
    reports = list(Report.objects.filter(round=rnd))
    docs = {d.report.organization_id: d for d in
            Document.objects.filter(report__round=rnd, kind="report").select_related("report")}
    assert len(docs) == len(reports) == Document.objects.filter(report__round=rnd, kind="report").count()
    for r in reports:
        doc = docs[r.organization_id]
        assert doc.status == "ready" and doc.run_id == runs[1].pk
        if r.parent_id:
            assert docs[r.parent_id].built_at >= doc.built_at
    assert Document.objects.get(report__round=rnd, kind="consolidated").status == "ready"
