"""The demo tree and its members, planned in memory (paths, depth, numchild, people), then bulk-inserted
by the stages. Names are Vietnamese, family name first."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate

from ..models import Kind, Level, Member, Organization
from .places import (
    AGENCY_CELLS,
    AGENCY_COMMITTEES,
    AN_GIANG,
    BRANCH_FORMATS,
    COMMITTEE_NOUN,
    COMMUNE_INSTITUTIONS,
    DEPARTMENTS,
    DISTRICT_CELLS,
    DISTRICT_COMMITTEES,
    ENTERPRISE_COMMITTEES,
    ENTERPRISE_SECTORS,
    HAMLETS,
    KIEN_GIANG,
    District,
)

#: Units exist from this date; the data is "as of" REFERENCE_DATE (before the 1-7-2025 restructuring).
UNITS_VALID_FROM = dt.date(2020, 1, 1)
REFERENCE_DATE = dt.date(2025, 6, 30)

# ---------------------------------------------------------------------------------------------
# People.

SURNAMES = (
    ("Nguyễn", 31), ("Trần", 11), ("Lê", 10), ("Phạm", 6), ("Huỳnh", 6), ("Võ", 6), ("Phan", 5), ("Trương", 2),
    ("Hoàng", 2), ("Vũ", 1), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2), ("Ngô", 2), ("Dương", 2), ("Lý", 1.5),
    ("Lâm", 1.5), ("Đinh", 1), ("Mai", 1), ("Châu", 1), ("Cao", 1), ("Đoàn", 1), ("Tô", 0.5), ("Lưu", 0.5),
    ("Quách", 0.5), ("La", 0.5), ("Tạ", 0.3), ("Kiều", 0.3),
)
MIDDLE = {
    Member.Gender.MALE: (("Văn", 30), ("Hữu", 4), ("Minh", 5), ("Quốc", 4), ("Thanh", 5), ("Công", 3), ("Đức", 2),
                         ("Ngọc", 3), ("Hoàng", 3), ("Trung", 2), ("Thành", 2), ("Tấn", 3), ("Phước", 2), ("Chí", 2),
                         ("Duy", 2), ("Quang", 2), ("Kim", 1), ("Việt", 1), ("Hoài", 1), ("Trọng", 2), ("Xuân", 1),
                         ("Bá", 1), ("Nhựt", 1), ("Thiện", 1)),
    Member.Gender.FEMALE: (("Thị", 40), ("Ngọc", 6), ("Thu", 3), ("Thanh", 4), ("Kim", 4), ("Mỹ", 3), ("Bích", 2),
                           ("Hồng", 3), ("Phương", 2), ("Thúy", 2), ("Diễm", 1), ("Kiều", 1), ("Cẩm", 2), ("Minh", 2),
                           ("Hoài", 1), ("Tuyết", 1), ("Thùy", 2), ("Ánh", 1), ("Thị Ngọc", 2), ("Thị Kim", 2),
                           ("Thị Mỹ", 1), ("Thị Thu", 1)),
}
GIVEN = {
    Member.Gender.MALE: (
        "An", "Bình", "Cường", "Dũng", "Đức", "Hải", "Hiếu", "Hùng", "Huy", "Khang", "Khoa", "Kiên", "Lâm",
        "Long", "Lộc", "Lợi", "Minh", "Nam", "Nghĩa", "Nhân", "Phát", "Phong", "Phúc", "Quang", "Sang", "Sơn",
        "Tài", "Tâm", "Thắng", "Thành", "Thịnh", "Toàn", "Trí", "Trung", "Tuấn", "Tùng", "Vinh", "Hậu", "Tín",
        "Thiện", "Tú", "Hưng", "Khánh", "Hòa", "Duy", "Đạt", "Triều", "Vũ", "Bảo", "Thái", "Chiến", "Định",
        "Giàu", "Út", "Tuấn Anh", "Quốc Bảo",
    ),
    Member.Gender.FEMALE: (
        "Anh", "Ánh", "Châu", "Diễm", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hồng",
        "Hương", "Huyền", "Lan", "Liên", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Nhung", "Oanh", "Phượng",
        "Quyên", "Tâm", "Thảo", "Thủy", "Trang", "Trinh", "Tuyết", "Vân", "Xuân", "Yến", "Đào", "Lệ", "Ngọc",
        "Nhi", "Như", "Thư", "Uyên", "Vy", "Cúc", "Lài", "Thắm", "Diệu", "Trâm", "Tiên", "Thu", "Kiều",
    ),
}


@dataclass(frozen=True)
class Profile:
    """How the members of one kind of cell look: size, share of women, birth years (low, high, mode)."""

    members: tuple[int, int]
    female: float
    born: tuple[int, int, int]


PROFILES = {
    "hamlet": Profile((12, 40), 0.30, (1950, 1998, 1964)),
    "street": Profile((12, 45), 0.40, (1950, 2000, 1962)),
    "school": Profile((6, 20), 0.65, (1965, 2001, 1982)),
    "health": Profile((5, 15), 0.60, (1965, 2001, 1985)),
    "police": Profile((6, 18), 0.12, (1966, 2002, 1988)),
    "military": Profile((4, 12), 0.08, (1966, 2002, 1986)),
    "office": Profile((6, 20), 0.42, (1965, 2001, 1980)),
    "enterprise": Profile((6, 22), 0.30, (1965, 2001, 1982)),
}
PROBATIONARY_SHARE = 0.056  # dự bị: joined within the last 12 months
TRANSFERRED_IN_SHARE = 0.10  # joined this cell later than they joined the party
#: cán bộ chủ chốt: every secretary, and some of the others (~12 % of all members)
KEY_CADRE_CHANCE = {
    Member.Position.SECRETARY: 1.0, Member.Position.DEPUTY: 0.6, Member.Position.COMMITTEE: 0.3,
    Member.Position.MEMBER: 0.03,
}


def _weighted(pairs) -> tuple[tuple[str, ...], list[float]]:
    names = tuple(p[0] for p in pairs)
    return names, list(accumulate(p[1] for p in pairs))


_SURNAMES = _weighted(SURNAMES)
_MIDDLE = {g: _weighted(pairs) for g, pairs in MIDDLE.items()}


def person_name(rng: random.Random, gender: str) -> str:
    surname = rng.choices(_SURNAMES[0], cum_weights=_SURNAMES[1])[0]
    names, weights = _MIDDLE[gender]
    while True:
        middle = rng.choices(names, cum_weights=weights)[0]
        given = rng.choice(GIVEN[gender])
        if middle.split()[-1] != given.split()[0]:  # no "Ngọc Ngọc"
            return f"{surname} {middle} {given}"


class CardNumbers:
    """Unique 8-digit card numbers: a 2-digit province prefix and a 6-digit serial.

    The serials are x³ mod p for consecutive x (p = 999,983 is a prime with 3 ∤ p−1, so cubing is a
    permutation): unique without remembering the ones issued, and scattered like real numbers.
    """

    PRIME = 999_983

    def __init__(self, prefix: str, rng: random.Random) -> None:
        assert len(prefix) == 2 and prefix.isdigit()
        self.prefix = prefix
        self.offset = rng.randrange(self.PRIME)
        self.issued = 0

    def next(self) -> str:
        if self.issued >= self.PRIME:
            raise OverflowError("no card numbers left for this prefix")
        serial = pow((self.offset + self.issued) % self.PRIME, 3, self.PRIME) + 1
        self.issued += 1
        return f"{self.prefix}{serial:06d}"


# ---------------------------------------------------------------------------------------------
# Sizes.


@dataclass(frozen=True)
class Size:
    """The shape of one demo province. (low, high) pairs are drawn uniformly per parent."""

    province: str
    place: str
    card_prefix: str
    districts: tuple[District, ...]
    communes_per_district: int | None  # None: all the district's communes
    agency_blocs: tuple[str, ...]  # "agencies" and/or "enterprises" (the two Đảng ủy Khối)
    district_committees: tuple[int, int]  # đảng bộ cơ sở of a district's agencies
    district_cells: tuple[int, int]  # chi bộ cơ sở directly under a district
    bloc_committees: tuple[int, int]  # đảng bộ cơ sở of a Khối
    bloc_cells: tuple[int, int]  # chi bộ cơ sở of a Khối
    hamlets: tuple[int, int]  # ấp / khu phố cells of a commune
    institutions: tuple[int, int]  # schools, health station, police... of a commune
    committee_cells: tuple[int, int]  # cells of an agency's đảng bộ cơ sở
    member_scale: float  # multiplies the profiles' member counts


SIZES = {
    # Seconds: for tests and the first run. Two districts, six grassroots committees, ~30 cells.
    "small": Size(
        "Tỉnh ủy Kiên Giang", "Kiên Giang", "91",
        districts=(KIEN_GIANG[5], KIEN_GIANG[0]), communes_per_district=3, agency_blocs=("agencies",),
        district_committees=(0, 0), district_cells=(1, 1), bloc_committees=(1, 1), bloc_cells=(0, 0),
        hamlets=(3, 3), institutions=(1, 2), committee_cells=(2, 2), member_scale=0.9,
    ),
    # One real province (Kiên Giang before 2025) at the scale of the domain notes (Đồng Nai 2024).
    "medium": Size(
        "Tỉnh ủy Kiên Giang", "Kiên Giang", "91",
        districts=KIEN_GIANG, communes_per_district=None, agency_blocs=("agencies", "enterprises"),
        district_committees=(5, 5), district_cells=(32, 44), bloc_committees=(24, 29), bloc_cells=(30, 35),
        hamlets=(7, 12), institutions=(4, 8), committee_cells=(6, 12), member_scale=1.32,
    ),
    # A merged province (An Giang + Kiên Giang, 2025) kept in the three-level shape.
    "large": Size(
        "Tỉnh ủy An Giang", "An Giang", "89",
        districts=KIEN_GIANG + AN_GIANG, communes_per_district=None, agency_blocs=("agencies", "enterprises"),
        district_committees=(5, 5), district_cells=(32, 44), bloc_committees=(29, 40), bloc_cells=(35, 60),
        hamlets=(17, 27), institutions=(6, 8), committee_cells=(8, 14), member_scale=1.4,
    ),
}

# ---------------------------------------------------------------------------------------------
# The tree, planned in memory (paths, depth, numchild), then bulk-inserted.


@dataclass(slots=True, eq=False)
class PlannedUnit:
    name: str
    level: str
    kind: str
    issuer_code: str
    place_name: str
    path: str
    depth: int
    parent: PlannedUnit | None
    profile: str = ""  # cells: which Profile their members follow
    numchild: int = 0
    pk: int | None = None


class TreePlan:
    """Builds the list of units in preorder with their treebeard paths."""

    def __init__(self) -> None:
        self.units: list[PlannedUnit] = []
        self._roots = 0

    def add(self, parent: PlannedUnit | None, name: str, level: str, kind: str, code: str, place: str,
            profile: str = "") -> PlannedUnit:
        if parent is None:
            self._roots += 1
            path, depth = Organization._get_path(None, 1, self._roots), 1
        else:
            parent.numchild += 1
            depth = parent.depth + 1
            path = Organization._get_path(parent.path, depth, parent.numchild)
        unit = PlannedUnit(name, level, kind, code, place, path, depth, parent, profile)
        self.units.append(unit)
        return unit

    def cell(self, parent: PlannedUnit, name: str, profile: str) -> PlannedUnit:
        kind = Kind.CHI_BO_TRUC_THUOC if parent.level == Level.COMMUNE else Kind.CHI_BO_CO_SO
        return self.add(parent, name, Level.CELL, kind, "CB", parent.place_name, profile)


def _pick(rng: random.Random, pool, bounds: tuple[int, int]) -> list:
    """Between bounds[0] and bounds[1] items of pool, kept in pool order."""
    k = min(len(pool), rng.randint(*bounds))
    return [pool[i] for i in sorted(rng.sample(range(len(pool)), k))]


def plan_tree(size: Size, rng: random.Random) -> list[PlannedUnit]:
    plan = TreePlan()
    P = size.place
    province = plan.add(None, size.province, Level.PROVINCE, Kind.TINH_UY, "TU", P)
    for district in size.districts:
        _plan_district(plan, rng, size, province, district)
    if "agencies" in size.agency_blocs:
        _plan_agencies(plan, rng, size, province)
    if "enterprises" in size.agency_blocs:
        _plan_enterprises(plan, rng, size, province)
    plan.cell(province, f"Chi bộ Ban Quản lý Khu kinh tế tỉnh {P}", "office")
    return plan.units


def _plan_district(plan: TreePlan, rng: random.Random, size: Size, province: PlannedUnit, d: District) -> None:
    unit = plan.add(province, d.name, Level.DISTRICT, d.kind, "HU", d.place)
    fmt = {"d": d.admin_name, "p": d.place, "cu": COMMITTEE_NOUN[d.kind]}
    communes = d.commune_list()[: size.communes_per_district]
    for noun, place in communes:
        commune = plan.add(unit, f"Đảng ủy {noun} {place}", Level.COMMUNE, Kind.DANG_UY_XA, "ĐU", place)
        lo, hi = size.hamlets
        n = rng.randint(lo, hi)
        if noun == "xã":
            for hamlet in _pick(rng, HAMLETS, (n, n)):
                plan.cell(commune, f"Chi bộ ấp {hamlet}", "hamlet")
        else:
            for i in range(1, n + 1):
                plan.cell(commune, f"Chi bộ khu phố {i}", "street")
        for name, profile in _pick(rng, COMMUNE_INSTITUTIONS, size.institutions):
            plan.cell(commune, name.format(u=noun, c=place), profile)
    for name, cells, profile in _pick(rng, DISTRICT_COMMITTEES, size.district_committees):
        committee = plan.add(unit, name.format(**fmt), Level.COMMUNE, Kind.DANG_BO_CO_SO, "ĐU", d.place)
        for cell_name in _pick(rng, DEPARTMENTS[cells], size.committee_cells):
            plan.cell(committee, cell_name.format(**fmt), profile)
    # chi bộ cơ sở: the district's agencies, and high schools, credit funds and clinics named after communes
    pool = [(name.format(**fmt), profile) for name, profile in DISTRICT_CELLS]
    for _noun, place in communes:
        if place != d.place:  # the district seat's school, fund and clinic are the district's own
            pool += [(f"Chi bộ Trường THPT {place}", "school"),
                     (f"Chi bộ Quỹ Tín dụng nhân dân {place}", "enterprise"),
                     (f"Chi bộ Phòng khám Đa khoa khu vực {place}", "health")]
    for name, profile in _pick(rng, pool, size.district_cells):
        plan.cell(unit, name, profile)


def _plan_agencies(plan: TreePlan, rng: random.Random, size: Size, province: PlannedUnit) -> None:
    P = size.place
    bloc = plan.add(province, "Đảng ủy Khối các cơ quan tỉnh", Level.DISTRICT, Kind.DANG_UY_KHOI, "ĐU", P)
    for name, cells, profile in _pick(rng, AGENCY_COMMITTEES, size.bloc_committees):
        committee = plan.add(bloc, name.format(P=P), Level.COMMUNE, Kind.DANG_BO_CO_SO, "ĐU", P)
        for cell_name in _pick(rng, DEPARTMENTS[cells], size.committee_cells):
            plan.cell(committee, cell_name, profile)
    for name in _pick(rng, AGENCY_CELLS, size.bloc_cells):
        plan.cell(bloc, name.format(P=P), "office")


def _plan_enterprises(plan: TreePlan, rng: random.Random, size: Size, province: PlannedUnit) -> None:
    P = size.place
    bloc = plan.add(province, "Đảng ủy Khối doanh nghiệp tỉnh", Level.DISTRICT, Kind.DANG_UY_KHOI, "ĐU", P)
    places = [P] + [d.place for d in size.districts]
    generated = [f"Công ty Cổ phần {sector} {place}" for place in places for sector in ENTERPRISE_SECTORS]
    n_committees, n_cells = rng.randint(*size.bloc_committees), rng.randint(*size.bloc_cells)
    named = [(name.format(P=P), branches) for name, branches in ENTERPRISE_COMMITTEES][:n_committees]
    companies = rng.sample(generated, n_committees - len(named) + n_cells)
    split = n_committees - len(named)
    for name, branches in named + [(f"Đảng bộ {company}", "enterprise") for company in companies[:split]]:
        committee = plan.add(bloc, name, Level.COMMUNE, Kind.DANG_BO_CO_SO, "ĐU", P)
        if branches in BRANCH_FORMATS:  # head-office departments, then a branch in every district
            cell_names = _pick(rng, DEPARTMENTS["enterprise"], (1, 3))
            cell_names += [BRANCH_FORMATS[branches].format(p=d.place, d=d.admin_name) for d in size.districts]
        else:
            cell_names = _pick(rng, DEPARTMENTS["enterprise"], size.committee_cells)
        for cell_name in cell_names:
            plan.cell(committee, cell_name, "enterprise")
    for company in sorted(companies[split:]):
        plan.cell(bloc, f"Chi bộ {company}", "enterprise")


# ---------------------------------------------------------------------------------------------
# Members of one cell.


def _day_between(rng: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    return lo + dt.timedelta(days=rng.randint(0, max(0, (hi - lo).days)))


def plan_members(rng: random.Random, cell: PlannedUnit, scale: float, cards: CardNumbers) -> Iterator[dict]:
    """The members of one cell as field dicts: one secretary, usually a deputy, 0–3 committee members."""
    profile = PROFILES[cell.profile]
    lo, hi = profile.members
    n = max(3, round(rng.randint(lo, hi) * scale))  # a cell has at least 3 members
    deputy = n >= 5 and rng.random() < 0.85
    committee = rng.randint(1, 3) if n >= 9 else 0
    positions = [Member.Position.SECRETARY] + [Member.Position.DEPUTY] * deputy
    positions += [Member.Position.COMMITTEE] * committee
    positions += [Member.Position.MEMBER] * (n - len(positions))
    official_until = REFERENCE_DATE - dt.timedelta(days=366)
    for position in positions:
        gender = Member.Gender.FEMALE if rng.random() < profile.female else Member.Gender.MALE
        probationary = position == Member.Position.MEMBER and rng.random() < PROBATIONARY_SHARE
        b_lo, b_hi, b_mode = profile.born
        if position != Member.Position.MEMBER:
            b_hi, b_mode = min(b_hi, 1993), min(b_mode, 1978)  # officers: 32 or older
        if probationary:
            b_lo, b_mode = max(b_lo, 1980), b_hi
        birth_year = round(rng.triangular(b_lo, b_hi, b_mode))
        earliest = dt.date(birth_year + 19, 1, 1)  # after the 18th birthday, whatever the day
        if probationary:
            joined_on = REFERENCE_DATE - dt.timedelta(days=rng.randint(1, 364))
        else:
            join_year = birth_year + round(rng.triangular(19, 45, 25))
            joined_on = _day_between(rng, dt.date(join_year, 1, 1), dt.date(join_year, 12, 31))
            joined_on = min(max(joined_on, earliest), official_until)
        start = max(joined_on, UNITS_VALID_FROM)
        if rng.random() < TRANSFERRED_IN_SHARE and start < official_until:
            start = _day_between(rng, start, official_until)
        key_cadre = rng.random() < KEY_CADRE_CHANCE[position]
        yield dict(
            card_number=cards.next(), full_name=person_name(rng, gender), gender=gender,
            birth_year=birth_year, joined_on=joined_on,
            status=Member.Status.PROBATIONARY if probationary else Member.Status.OFFICIAL,
            position=position, is_key_cadre=key_cadre, start=start,
        )
