"""The province's active units by their full path: labels for the picker, search, and reading a unit
typed in a form or a spreadsheet ("#123", a full path "Huyện ủy A › Đảng ủy xã Bình An", or a name
that is unique in the province). Two "Đảng ủy xã Bình An" are told apart by their paths."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from ..models import Level, Organization
from ..text import fold

SEP = " › "
_SPLIT = re.compile(r"\s*(?:›|>|/|\\)\s*")
STEPLEN = Organization.steplen


class UnitIndex:
    def __init__(self, province: Organization) -> None:
        rows = list(
            Organization.objects.filter(path__startswith=province.path, valid_to__isnull=True)
            .order_by("path").values_list("id", "path", "name", "level")
        )
        names = {path: name for _pk, path, name, _level in rows}
        self.label: dict[int, str] = {}
        self.level: dict[int, str] = {}
        self._parts: dict[int, list[str]] = {}
        self._by_name: dict[str, list[int]] = {}
        for pk, path, name, level in rows:
            chain = [names[path[:i]] for i in range(STEPLEN, len(path) + 1, STEPLEN) if path[:i] in names]
            self.label[pk] = SEP.join(chain)
            self.level[pk] = level
            self._parts[pk] = [fold(n) for n in chain]
            self._by_name.setdefault(fold(name), []).append(pk)

    def search(self, query: str, limit: int = 30, *, committees_only: bool = False) -> list[tuple[int, str]]:
        words = fold(query).split()
        if not words:
            return []
        out = []
        for pk, label in self.label.items():
            if committees_only and self.level[pk] == Level.CELL:
                continue
            key = " ".join(self._parts[pk])
            if all(w in key for w in words):
                out.append((pk, label))
        out.sort(key=lambda row: (len(self._parts[row[0]]), fold(row[1])))
        return out[:limit]

    def resolve(self, text: object) -> tuple[int | None, str | None]:
        """(id, None) or (None, the reason in Vietnamese)."""
        raw = str(text if text is not None else "").strip()
        if isinstance(text, float) and text.is_integer():
            raw = str(int(text))
        if not raw:
            return None, _("chưa ghi đơn vị.")
        match = re.fullmatch(r"#?\s*(\d+)", raw)
        if match:
            pk = int(match.group(1))
            if pk in self.label:
                return pk, None
            return None, _("không có đơn vị mã #%(id)s đang hoạt động trong tỉnh.") % {"id": pk}
        parts = [fold(p) for p in _SPLIT.split(raw) if p.strip()]
        if len(parts) > 1:
            found = [pk for pk, chain in self._parts.items() if chain[-len(parts):] == parts]
        else:
            found = list(self._by_name.get(parts[0] if parts else "", []))
        if len(found) == 1:
            return found[0], None
        if not found:
            return None, _("không tìm thấy đơn vị “%(text)s” đang hoạt động trong tỉnh.") % {"text": raw}
        return None, _(
            "có %(n)s đơn vị “%(text)s”: hãy ghi đường dẫn đầy đủ (ví dụ “%(example)s”) hoặc mã (#%(id)s)."
        ) % {"n": len(found), "text": raw, "example": self.label[found[0]], "id": found[0]}
