"""The document jobs and their leases: the one home of who builds which document when.

`leases`: the claim of a document's job (a lease renewed by a heartbeat, taken over when it lapses
or its process is gone). `jobs`: runs of a round, single documents, the Celery tasks, the sweep.
`reports.documents` renders one document and knows nothing of this package.
"""

from .jobs import (  # noqa: F401 - the public API; importing it registers the Celery tasks
    build_document,
    build_document_part,
    follow,
    resume_run,
    run_check,
    run_retry,
    run_start,
    single_start,
    stalled,
    sweep,
    sweep_documents,
    time_left,
)
