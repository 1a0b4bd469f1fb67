"""Writes for the pledges app: keyword-only, typed; each checks state and the user's right.

Errors: PermissionDenied (no right), ValidationError (a dict of field -> Vietnamese messages;
row errors of a monthly record are keyed by member id), ConcurrencyError (stale version).
"""

from ..exceptions import ConcurrencyError
from .catalog import pressing_issue_add, pressing_issue_remove
from .pledges import pledge_register, pledge_revise, propose_kind
from .reviews import (
    SaveResult,
    review_accept,
    review_check_open,
    review_open,
    review_reopen,
    review_return,
    review_save,
    review_submit,
)
from .yearend import classify_members, classify_organization, record_commendation, record_model_example

__all__ = [
    "ConcurrencyError", "SaveResult", "classify_members", "classify_organization", "pledge_register",
    "pledge_revise", "pressing_issue_add", "pressing_issue_remove", "propose_kind", "record_commendation",
    "record_model_example", "review_accept", "review_check_open", "review_open", "review_reopen", "review_return", "review_save",
    "review_submit",
]
