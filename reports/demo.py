"""Demo data for reports: one half-year round with reports in every state.

`build_round(...)` opens the round through `services.round_open` (so the reports and the cells'
figures are exactly what the application makes), then writes the rest in bulk: states, narrative
texts, typed figures, the approved reports' snapshots (`services.snapshot_of`, the function approval
uses), the audit events and the return reasons. Committees are done bottom-up in Python, so an
approved committee's frozen figures are the sums over its approved children, as the roll-up says;
`rollup.refresh_round` runs once at the end.

Timestamps are placed around each level's deadline and never after the day before `today`: a unit
that submitted after its deadline is late; a unit that has not submitted after its deadline is late.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict

from django.utils import timezone

from directive03 import formats
from organizations.models import Level, Organization, Role
from pledges.models import Directive
from pledges.selectors import directive_for_year

from . import counts as report_counts
from . import figures as F_
from . import rollup, services
from .models import (
    Document,
    DocumentCounter,
    DocumentRun,
    Notification,
    Reminder,
    Report,
    ReportEvent,
    ReportingRound,
    ReturnReason,
)

#: What a reset deletes of this app, in this order (rows that point at others first).
RESET_MODELS = [
    Notification, Reminder, Document, DocumentRun, DocumentCounter, ReturnReason, ReportEvent, Report,
    ReportingRound,
]

State = Report.State
Action = ReportEvent.Action
MISSING = "missing"  # a draft never started

#: How likely each state is, for cells and for committees (missing = never started).
CELL_STATES = ((State.APPROVED, 55), (State.SUBMITTED, 12), (State.RETURNED, 8), (State.DRAFT, 10), (MISSING, 15))
COMMITTEE_STATES = ((State.APPROVED, 50), (State.SUBMITTED, 20), (State.RETURNED, 10), (State.DRAFT, 12),
                    (MISSING, 8))
#: Share of submissions made after the level's deadline.
LATE_SHARE = 0.2
#: Share of approved reports that were returned once before.
RETURNED_BEFORE_SHARE = 0.12
#: Share of approved cells whose records changed after approval (a meeting recorded late).
CHANGED_AFTER_SHARE = 0.03

# -- texts ----------------------------------------------------------------------------------------

CELL_TEXT = {
    "results": [
        "Chi bộ đã quán triệt chuyên đề năm {year} đến {members} đảng viên; đưa nội dung học tập và làm theo "
        "tư tưởng, đạo đức, phong cách Hồ Chí Minh vào sinh hoạt định kỳ hằng tháng.",
        "{pledged}/{members} đảng viên đã đăng ký “nêu gương”, “gương mẫu thực hiện” ({pledged_pct}); nội dung "
        "bản đăng ký rõ ràng, cụ thể, dễ thực hiện và dễ kiểm tra.",
        "Chi bộ tổ chức {meetings_held}/{meetings_expected} kỳ sinh hoạt có nội dung Chỉ thị; cán bộ chủ chốt báo "
        "cáo kết quả nêu gương, đảng viên báo cáo việc thực hiện bản đăng ký gắn với khắc phục hạn chế sau kiểm điểm.",
        "Có {exemplary} lượt đảng viên được ghi vào sổ người tốt, việc tốt, tiêu biểu là giúp đỡ hộ nghèo, vận "
        "động nhân dân hiến đất làm đường giao thông nông thôn.",
        "Thực hành tiết kiệm, chống lãng phí, chống tham nhũng được duy trì là nội dung thường xuyên trong sinh "
        "hoạt chi bộ.",
        "Đảng viên gương mẫu đi đầu trong phong trào xây dựng nông thôn mới, giữ gìn an ninh trật tự ở khu dân cư.",
        "Tinh thần, thái độ phục vụ nhân dân của cán bộ, đảng viên có chuyển biến rõ; không có đơn thư phản ánh "
        "về đạo đức, lối sống của đảng viên.",
    ],
    "limitations": [
        "Việc liên hệ chuyên đề với nhiệm vụ của chi bộ ở một số kỳ sinh hoạt còn chung chung, thời lượng học "
        "tập chưa bảo đảm.",
        "Một số đảng viên chưa báo cáo đầy đủ kết quả thực hiện bản đăng ký; tự phê bình và phê bình chưa thẳng thắn.",
        "Nguyên nhân chủ yếu là một số đảng viên tuổi cao, ở xa; chi ủy chưa theo dõi, đôn đốc thường xuyên.",
        "Sổ ghi người tốt, việc tốt chưa được cập nhật kịp thời sau mỗi kỳ sinh hoạt.",
    ],
    "lessons": [
        "Sự gương mẫu của bí thư chi bộ và cán bộ chủ chốt là yếu tố quyết định.",
        "Chọn nội dung làm theo cụ thể, gắn với nhiệm vụ của chi bộ thì đảng viên dễ thực hiện, dễ kiểm tra.",
        "Kiểm điểm việc thực hiện bản đăng ký hằng tháng giúp đảng viên tự giác hơn.",
    ],
    "directions": [
        "Tiếp tục học tập chuyên đề năm {year}; rà soát, bổ sung bản đăng ký của đảng viên cho 6 tháng cuối năm.",
        "Duy trì nội dung Chỉ thị trong sinh hoạt chi bộ hằng tháng; định kỳ kiểm điểm, đánh giá việc thực hiện "
        "bản đăng ký.",
        "Phát hiện, biểu dương kịp thời những đảng viên có việc làm tốt.",
    ],
    "recommendations": [
        "Đề nghị Đảng ủy cung cấp thêm tài liệu học tập chuyên đề cho chi bộ.",
        "Đề nghị cấp trên tổ chức tập huấn cho bí thư chi bộ về cách ghi biên bản sinh hoạt.",
        "",
        "",
    ],
}

COMMITTEE_TEXT = {
    "results": [
        "Ban Thường vụ {name} đã ban hành kế hoạch thực hiện chuyên đề năm {year}; chỉ đạo {children} tổ chức đảng "
        "trực thuộc quán triệt đến cán bộ, đảng viên bằng nhiều hình thức phù hợp.",
        "Toàn Đảng bộ có {pledged}/{members} đảng viên đăng ký làm theo ({pledged_pct}); {cells_reporting}/"
        "{cells_expected} chi bộ có báo cáo được duyệt.",
        "Các chi bộ tổ chức {meetings_held} kỳ sinh hoạt có nội dung Chỉ thị ({meetings_pct}); {exemplary} lượt "
        "đảng viên được ghi vào sổ người tốt, việc tốt.",
        "Nhiều mô hình, cách làm hay được nhân rộng như “Dân vận khéo”, “Ngày thứ bảy vì dân”, “Mỗi đảng viên giúp "
        "đỡ một hộ nghèo”.",
        "Công tác kiểm tra, giám sát việc thực hiện Chỉ thị được lồng ghép trong chương trình kiểm tra, giám sát "
        "của cấp ủy; các cấp ủy trực thuộc đã xây dựng kế hoạch phát huy ưu điểm, khắc phục khuyết điểm.",
        "Cấp ủy chỉ đạo lựa chọn một số vấn đề bức xúc, nổi cộm liên quan đến đạo đức, trách nhiệm của cán bộ, "
        "công chức để tập trung giải quyết dứt điểm trong năm, bước đầu mang lại hiệu quả thiết thực.",
    ],
    "limitations": [
        "Một số chi bộ chọn nội dung sinh hoạt chuyên đề còn lúng túng; một số mô hình “làm theo” còn mang tính "
        "hình thức.",
        "Công tác kiểm tra, giám sát của cấp ủy đối với chi bộ trực thuộc chưa được chú trọng thường xuyên.",
        "Việc báo cáo kết quả thực hiện Chỉ thị ở một số đơn vị còn chậm so với thời gian quy định.",
        "Cấp ủy, người đứng đầu và Bộ phận giúp việc 03 ở một số nơi chưa nắm chắc văn bản chỉ đạo của cấp trên.",
    ],
    "lessons": [
        "Sự lãnh đạo, chỉ đạo thường xuyên và kịp thời của cấp ủy, nhất là của đồng chí bí thư cấp ủy; vai trò "
        "nêu gương của cán bộ, đảng viên, nhất là cán bộ chủ chốt, là yếu tố quan trọng.",
        "Hằng năm chọn một số vấn đề bức xúc, nổi cộm hoặc còn yếu kém để tập trung giải quyết dứt điểm.",
        "Cụ thể hóa việc học tập và làm theo thành những nội dung thiết thực để cán bộ, đảng viên thực hiện.",
    ],
    "directions": [
        "Tiếp tục triển khai, thực hiện các văn bản chỉ đạo, hướng dẫn của cấp trên liên quan đến việc thực hiện "
        "Chỉ thị.",
        "Rà soát, bổ sung bản đăng ký “nêu gương” và “gương mẫu thực hiện” của tập thể, cá nhân; định kỳ hằng "
        "tháng kiểm điểm, đánh giá kết quả thực hiện.",
        "Củng cố, kiện toàn, nâng cao chất lượng hoạt động của Bộ phận giúp việc 03.",
        "Nêu cao tinh thần trách nhiệm của cấp ủy, nhất là người đứng đầu, trong chỉ đạo thực hiện Chỉ thị.",
    ],
    "recommendations": [
        "Đề nghị Ban Tuyên giáo Tỉnh ủy sớm ban hành hướng dẫn sơ kết, tổng kết để cơ sở chủ động.",
        "Đề nghị có hình thức khen thưởng kịp thời cho các tập thể, cá nhân điển hình.",
        "Đề nghị tăng cường tập huấn nghiệp vụ cho cán bộ làm công tác tuyên giáo ở cơ sở.",
    ],
}

RETURN_REASONS = [
    ("section:limitations", "Phần hạn chế còn chung chung, cần nêu rõ nguyên nhân chủ quan."),
    ("figure:meetings_held", "Số kỳ sinh hoạt chưa khớp với biên bản các tháng, đề nghị rà soát lại."),
    ("section:directions", "Bổ sung phương hướng 6 tháng cuối năm gắn với chuyên đề năm."),
    ("", "Đề nghị bổ sung số liệu đăng ký “nêu gương” của cán bộ chủ chốt."),
    ("section:results", "Cần nêu cụ thể mô hình, cách làm hay và gương điển hình tiêu biểu."),
    ("figure:pledged", "Số đảng viên đăng ký chưa khớp với danh sách đảng viên tại ngày chốt."),
]

PENDING_NOTE = ("Còn {n} đơn vị trực thuộc chưa được duyệt do nộp chậm; cấp ủy sẽ tổng hợp bổ sung khi có báo cáo.")


def _numbers(figs: dict[str, int], report: Report, children: int, year: int) -> dict[str, str]:
    n = formats.number
    return {
        "name": report.name, "year": str(year), "children": n(children), "members": n(figs.get("members", 0)),
        "pledged": n(figs.get("pledged", 0)), "pledged_pct": F_.BY_CODE["pledged_pct"].display_value(figs),
        "meetings_held": n(figs.get("meetings_held", 0)), "meetings_expected": n(figs.get("meetings_expected", 0)),
        "meetings_pct": F_.BY_CODE["meetings_pct"].display_value(figs),
        "exemplary": n(figs.get("exemplary_records", 0)), "cells_reporting": n(figs.get("cells_reporting", 0)),
        "cells_expected": n(figs.get("cells_expected", 0)),
    }


def _texts(rng: random.Random, pools: dict[str, list[str]], values: dict[str, str], *, partial: bool) -> dict:
    """A few sentences per section; a draft in progress has only the first sections."""
    out = {}
    for i, code in enumerate(Report.SECTIONS):
        if partial and i >= rng.choice((1, 2)):
            out[code] = ""
            continue
        pool = pools[code]
        k = min(len(pool), rng.choice((2, 3, 3, 4)) if code == "results" else rng.choice((1, 2)))
        chosen = [s for s in rng.sample(pool, k) if s]
        out[code] = " ".join(s.format(**values) for s in chosen)
    return out


# -- time -----------------------------------------------------------------------------------------

class Clock:
    """Days around the deadlines, never after the day before `today`."""

    def __init__(self, rnd: ReportingRound, today: dt.date, rng: random.Random) -> None:
        self.rng = rng
        self.last = today - dt.timedelta(days=1)
        self.first = min(rnd.cutoff + dt.timedelta(days=1), self.last)

    def clamp(self, day: dt.date) -> dt.date:
        return max(self.first, min(day, self.last))

    def at(self, day: dt.date) -> dt.datetime:
        moment = dt.datetime.combine(self.clamp(day), dt.time(self.rng.randint(7, 16), self.rng.randint(0, 59)))
        return timezone.make_aware(moment)

    def submission(self, deadline: dt.date) -> dt.date:
        if self.rng.random() < LATE_SHARE:
            return self.clamp(deadline + dt.timedelta(days=self.rng.randint(1, 12)))
        return self.clamp(deadline - dt.timedelta(days=self.rng.randint(0, 5)))

    def after(self, day: dt.date, lo: int, hi: int) -> dt.date:
        return self.clamp(day + dt.timedelta(days=self.rng.randint(lo, hi)))

    def timeline(self) -> Timeline:
        return Timeline(self)


class Timeline:
    """One report's moments, strictly increasing even when clamping puts them on the same day."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.last: dt.datetime | None = None

    def at(self, day: dt.date) -> dt.datetime:
        moment = self.clock.at(day)
        if self.last is not None and moment <= self.last:
            moment = self.last + dt.timedelta(minutes=self.clock.rng.randint(5, 45))
        self.last = moment
        return moment


def _pick(rng: random.Random, table) -> str:
    states, weights = zip(*table, strict=True)
    return rng.choices(states, weights=weights)[0]


def _plan_states(rng: random.Random, reports: list[Report], children: dict[int, list[Report]]) -> dict[int, str]:
    """The state of every report, bottom-up; every state appears among the cells and (when there are
    enough) among the committees. A committee with few approved children rarely sends its report."""
    plan: dict[int, str] = {}
    cells = [r for r in reports if r.level == Level.CELL]
    committees = [r for r in reports if r.level != Level.CELL and r.parent_id is not None]
    for r in cells:
        plan[r.pk] = _pick(rng, CELL_STATES)
    all_states = [s for s, _w in CELL_STATES]
    for group in (cells, committees):
        if len(group) < 2 * len(all_states):
            continue
        present = Counter(plan.get(r.pk) for r in group)
        forced = rng.sample(group, len(all_states))
        for r, state in zip(forced, all_states, strict=True):
            if not present[state]:
                plan[r.pk] = state
    for r in sorted(committees, key=lambda r: -r.tree_path.count("/")):
        if r.pk in plan:
            continue
        kids = children.get(r.organization_id, [])
        approved = sum(plan.get(k.pk) == State.APPROVED for k in kids)
        if kids and approved / len(kids) < 0.3:
            plan[r.pk] = rng.choice((State.DRAFT, MISSING, State.SUBMITTED))
        else:
            plan[r.pk] = _pick(rng, COMMITTEE_STATES)
    for r in reports:
        if r.parent_id is None:
            plan[r.pk] = State.DRAFT  # the province's own report: the board is writing it
    return plan


#: Who writes a committee's report when several hold a role there: its approver, the board, an admin.
WRITER_RANK = {Role.Kind.APPROVER: 0, Role.Kind.BOARD: 1, Role.Kind.ADMIN: 2}


def _people(province: Organization, board_user) -> tuple[dict, dict]:
    """Who writes each unit's report and who approves it (a user holding the role), by unit id."""
    writers: dict[int, tuple[int, int]] = {}
    approvers: dict[int, int] = {}
    roles = Role.objects.filter(organization__path__startswith=province.path).values_list(
        "organization_id", "organization__level", "kind", "user_id").order_by("user_id")
    for org_id, level, kind, user_id in roles:
        if level == Level.CELL and kind == Role.Kind.CELL_SECRETARY:
            rank = 0
        elif level != Level.CELL and kind in WRITER_RANK:
            rank = WRITER_RANK[kind]
        else:
            rank = None
        if rank is not None and (org_id not in writers or rank < writers[org_id][0]):
            writers[org_id] = (rank, user_id)
        if kind in (Role.Kind.APPROVER, Role.Kind.BOARD):
            approvers.setdefault(org_id, user_id)
    approvers.setdefault(province.pk, board_user.pk)
    return {org_id: user_id for org_id, (_rank, user_id) in writers.items()}, approvers


def build_round(*, province: Organization, year: int, today: dt.date, rng: random.Random, board_user) -> dict:
    """Open "Sơ kết 6 tháng đầu năm <year>" for `province` and fill it with reports in every state.
    Returns what was made: the round, and counts by state, late reports, events and reasons."""
    directive = directive_for_year(year) or Directive.objects.order_by("-issued_on").first()
    end = dt.date(year, 6, 30)
    rnd = services.round_open(
        by=board_user, province=province, directive=directive, title=f"Sơ kết 6 tháng đầu năm {year}",
        kind=ReportingRound.Kind.HALF_YEAR, period_start=dt.date(year, 1, 1), period_end=end, cutoff=end,
        deadlines={"cell": dt.date(year, 7, 5), "commune": dt.date(year, 7, 10), "district": dt.date(year, 7, 15),
                   "province": dt.date(year, 7, 20)},
    )
    reports = list(Report.objects.filter(round=rnd).order_by("tree_path"))
    for r in reports:
        r.round = rnd
    children: dict[int, list[Report]] = defaultdict(list)
    for r in reports:
        if r.parent_id is not None:
            children[r.parent_id].append(r)
    cell_count: Counter = Counter()
    for r in reports:
        if r.level == Level.CELL:
            parts = r.tree_path.strip("/").split("/")
            for i in range(1, len(parts) + 1):
                cell_count["/" + "/".join(parts[:i]) + "/"] += 1

    plan = _plan_states(rng, reports, children)
    writers, approvers = _people(province, board_user)
    clock = Clock(rnd, today, rng)
    now = timezone.now()
    events: list[ReportEvent] = []
    reasons: list[tuple[ReportEvent, Report, str, str]] = []

    def event(report: Report, action: str, by: int, at: dt.datetime, note: str = "") -> ReportEvent:
        e = ReportEvent(report=report, action=action, by_id=by, at=at, note=note)
        events.append(e)
        return e

    def give_reasons(report: Report, ev: ReportEvent) -> None:
        picked = rng.sample(RETURN_REASONS, rng.randint(1, 3))
        ev.note = "\n".join(text for _t, text in picked)
        reasons.extend((ev, report, target, text) for target, text in picked)

    # deepest first: a committee's children are final before its own figures are summed
    for r in sorted(reports, key=lambda r: (-r.tree_path.count("/"), r.tree_path)):
        state = plan[r.pk]
        kids = children.get(r.organization_id, [])
        if r.level != Level.CELL:
            r.figures = rollup.sum_children(kids)
            r.figures["cells_expected"] = cell_count.get(r.tree_path, 0)
            r.figures_at = now
        writer = writers.get(r.organization_id, board_user.pk)
        approver = approvers.get(r.parent_id, board_user.pk) if r.parent_id else board_user.pk
        if state == MISSING:
            continue
        pools = CELL_TEXT if r.level == Level.CELL else COMMITTEE_TEXT
        values = _numbers(r.figures, r, len(kids), year)
        for code, text in _texts(rng, pools, values, partial=state == State.DRAFT).items():
            setattr(r, code, text)
        if r.level == Level.CELL:
            if rng.random() < 0.3:
                r.typed_figures = {"inspections": rng.randint(0, 2)}
        elif rng.random() < 0.6:
            own = rng.randint(1, 4)
            r.typed_figures = {"inspections": r.figures.get("inspections", 0) + own,
                               "disciplinary_cases": r.figures.get("disciplinary_cases", 0) + rng.choice((0, 0, 1))}
        deadline = rnd.deadline_for(r.level)
        when = clock.timeline()
        if state == State.DRAFT:
            r.started_at = when.at(clock.after(deadline, -12, 10))
            event(r, Action.SAVE, writer, r.started_at)
            r.version = 2
            continue
        submitted_day = clock.submission(deadline)
        r.started_at = when.at(submitted_day - dt.timedelta(days=rng.randint(3, 12)))
        event(r, Action.SAVE, writer, r.started_at)
        pending = [k for k in kids if plan[k.pk] != State.APPROVED]
        r.submit_note = PENDING_NOTE.format(n=len(pending)) if pending else ""
        version = 3
        if state == State.APPROVED and rng.random() < RETURNED_BEFORE_SHARE:
            event(r, Action.SUBMIT, writer, when.at(submitted_day - dt.timedelta(days=3)), r.submit_note)
            give_reasons(r, event(r, Action.RETURN, approver, when.at(submitted_day - dt.timedelta(days=2))))
            event(r, Action.SAVE, writer, when.at(submitted_day - dt.timedelta(days=1)))
            version += 3
        r.submitted_at, r.submitted_by_id = when.at(submitted_day), writer
        event(r, Action.SUBMIT, writer, r.submitted_at, r.submit_note)
        if state == State.SUBMITTED:
            r.state, r.version = State.SUBMITTED, version
            continue
        r.decided_at, r.decided_by_id = when.at(clock.after(submitted_day, 1, 4)), approver
        if state == State.RETURNED:
            r.state, r.version = State.RETURNED, version + 1
            give_reasons(r, event(r, Action.RETURN, approver, r.decided_at))
            continue
        r.version = version + 1
        r.snapshot = services.snapshot_of(r, at=r.decided_at)  # still a draft in memory: its live figures
        if r.level == Level.CELL and r.figures.get("meetings_held") and rng.random() < CHANGED_AFTER_SHARE:
            # a meeting recorded after approval: the live figures now differ from the frozen ones
            frozen = r.snapshot["figures"]
            frozen["meetings_held"] -= 1
            frozen["directive_minutes"] = max(0, frozen.get("directive_minutes", 0) - rng.randint(30, 60))
        r.state = State.APPROVED
        event(r, Action.APPROVE, approver, r.decided_at)
    for r in reports:
        r.updated_at = max([now if r.started_at is None else r.started_at,
                            *(t for t in (r.submitted_at, r.decided_at) if t is not None)])
    rollup.update_rows(reports, [  # bulk_update is too slow here: see update_rows
        "state", *Report.SECTIONS, "figures", "figures_at", "typed_figures", "snapshot", "submit_note", "version",
        "started_at", "updated_at", "submitted_at", "submitted_by", "decided_at", "decided_by",
    ])
    ReportEvent.objects.bulk_create(events, batch_size=2000)
    ReturnReason.objects.bulk_create(
        [ReturnReason(event_id=ev.pk, report=report, target=target, text=text) for ev, report, target, text in reasons],
        batch_size=2000,
    )
    report_counts.rebuild(rnd)  # the states were written in bulk: the kept counts follow
    rollup.refresh_round(rnd, today=today, full=True)  # and every report's figures (states and snapshots)
    counts = Counter(plan.values())
    return {
        "round": rnd,
        "reports": len(reports),
        **{state: counts.get(state, 0) for state in (*State.values, MISSING)},
        "late": sum(1 for r in reports if r.is_late(today)),
        "events": len(events),
        "reasons": len(reasons),
    }
