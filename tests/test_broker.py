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


def wait_for(predicate, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


@pytest.mark.django_db(transaction=True)
def test_task_round_trip_through_redis_to_a_real_worker():
    from celery.contrib.testing.worker import start_worker

    from directive03.celery import app
    from directive03.tasks import heartbeat

    assert not app.conf.task_always_eager, "the broker test must not run in eager mode"
    queue = f"test-{uuid.uuid4().hex[:8]}"
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
