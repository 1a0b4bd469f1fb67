"""Optimistic locks for editors that write several rows (year end, pledges, roles…): one rule.

The page carries a token of the rows it showed (`edit_token`); the save, inside its transaction and
after locking the rows' owner, computes the token again and refuses with `EditConflict` when it
differs: somebody saved in between, and writing now would silently undo their work. The view then
shows the page again with what the user typed and `conflict_message`, and writes nothing.

(The monthly record and a report's sections keep their integer `version` column, the same rule.)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from django.utils.translation import gettext as _


class EditConflict(Exception):
    """The rows changed since the page was opened; nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def edit_token(rows: Iterable[Iterable[object]]) -> str:
    """A short fingerprint of rows (each an iterable of values; order does not matter)."""
    payload = json.dumps(sorted([str(v) for v in row] for row in rows), ensure_ascii=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


def check_token(expected: str | None, current: str) -> None:
    """EditConflict unless `expected` is the current token. None: the caller is not an editor page
    (a script, an import) and asks for no check."""
    if expected is not None and expected != current:
        raise EditConflict(conflict_message())


def conflict_message() -> str:
    return _(
        "Người khác vừa lưu nội dung này sau khi bạn mở trang. Những gì bạn vừa nhập vẫn ở bên dưới "
        "nhưng CHƯA được lưu, và không có gì bị ghi đè. Hãy chép lại phần cần giữ, rồi tải lại trang "
        "để xem bản mới nhất và nhập bổ sung."
    )
