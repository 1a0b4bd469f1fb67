"""What every step of the member import shares: limits, the columns, the value labels, the unit."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.http import Http404

from ..models import ImportBatch, Level, Member, Organization

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 30
DISPLAY_CHARS = 100  # what the preview keeps of a cell's text
SHEET_TITLE = "Đảng viên"
PARTY_FOUNDED = dt.date(1930, 2, 3)
MIN_JOIN_AGE = 16


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    max_length: int
    in_every_file: bool = True  # False: a file made before the column existed may lack it


COLUMNS = (
    Column("card_number", "Số thẻ đảng viên", 20),
    Column("full_name", "Họ và tên", 120),
    Column("gender", "Giới tính", 10),
    Column("birth_year", "Năm sinh", 10),
    Column("joined_on", "Ngày vào Đảng", 20),
    Column("status", "Tình trạng", 20),
    Column("position", "Chức vụ", 20),
    Column("is_key_cadre", "Cán bộ chủ chốt", 10),
    Column("cell", "Chi bộ", 200),
    Column("since", "Sinh hoạt tại chi bộ từ ngày", 20, in_every_file=False),
)
HEADERS = [c.header for c in COLUMNS]
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}

# The file format is fixed Vietnamese, whatever the language of the interface.
GENDER_LABELS = {Member.Gender.MALE: "Nam", Member.Gender.FEMALE: "Nữ"}
STATUS_LABELS = {Member.Status.OFFICIAL: "Chính thức", Member.Status.PROBATIONARY: "Dự bị"}
POSITION_LABELS = {
    Member.Position.SECRETARY: "Bí thư", Member.Position.DEPUTY: "Phó Bí thư",
    Member.Position.COMMITTEE: "Chi ủy viên", Member.Position.MEMBER: "Đảng viên",
}
YES_NO_LABELS = {True: "Có", False: "Không"}
ENUMS = {
    "gender": GENDER_LABELS, "status": STATUS_LABELS, "position": POSITION_LABELS, "is_key_cadre": YES_NO_LABELS,
}
MEMBER_FIELDS = ("full_name", "gender", "birth_year", "joined_on", "status", "position", "is_key_cadre")

#: A party card number has 8 digits (2 for the province, 6 for the serial); a spreadsheet that took
#: "01234567" for a number shows 1234567.
CARD_DIGITS = 8
CARD_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z./-]*$")
DATE_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# -- the unit ------------------------------------------------------------------------------

def is_importable(org: Organization) -> bool:
    """Members are imported and exported for a cell or a commune-level unit only."""
    return org.level in (Level.CELL, Level.COMMUNE)


def target_cells(org: Organization) -> list[Organization]:
    """The active cells a file for `org` may name: the cell itself, or the commune's cells."""
    if not org.is_active:
        return []
    if org.level == Level.CELL:
        return [org]
    return list(
        Organization.objects.filter(
            path__startswith=org.path, depth=org.depth + 1, level=Level.CELL, valid_to__isnull=True
        ).order_by("path")
    )


def get_batch_for_user(user, *, org: Organization, batch_id: int) -> ImportBatch:
    """A batch of `org` (already checked through the access layer) that `user` uploaded, else 404."""
    batch = ImportBatch.objects.filter(pk=batch_id, organization=org, created_by=user).first()
    if batch is None:
        raise Http404
    return batch



def padded_card(card: str) -> str:
    """The card number with the leading zeros a spreadsheet dropped put back ("1234567" -> "01234567")."""
    return card.zfill(CARD_DIGITS) if card.isdigit() and len(card) < CARD_DIGITS else card


def card_candidates(card: str) -> list[str]:
    """The card numbers a typed card may be: as typed (a known short card), then with its zeros back."""
    padded = padded_card(card)
    return [card] if padded == card else [card, padded]
