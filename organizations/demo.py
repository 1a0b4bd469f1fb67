"""Demo data: a province with Vietnamese place names, its committees, cells, members and users.

`seed_demo(size=..., seed=...)` runs the stages in `STAGES` inside one transaction. Each stage gets
its own random generator derived from the seed and the stage's name, so the same seed always gives
the same data, and a stage appended later (pledges, reports) does not change the earlier ones.

The tree and the members are written with bulk inserts: the treebeard paths, `depth` and `numchild`
are computed here, and every unit gets its open OrganizationVersion and every member its open
Membership, the invariants `services.org_create` and `services.member_transfer` keep.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.db import connection, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone

from directive03 import formats

from . import services
from .models import Kind, Level, Member, Membership, Organization, OrganizationVersion, Role

#: Units exist from this date; the data is "as of" REFERENCE_DATE (before the 1-7-2025 restructuring).
UNITS_VALID_FROM = dt.date(2020, 1, 1)
REFERENCE_DATE = dt.date(2025, 6, 30)
DEMO_PASSWORD = "chithi03-demo"
BATCH_SIZE = 5_000

# ---------------------------------------------------------------------------------------------
# Places. Districts and their communes as they were before 1-7-2025.

ADMIN_NOUN = {Kind.HUYEN_UY: "huyện", Kind.THI_UY: "thị xã", Kind.THANH_UY: "thành phố"}
COMMITTEE_NOUN = {Kind.HUYEN_UY: "Huyện ủy", Kind.THI_UY: "Thị ủy", Kind.THANH_UY: "Thành ủy"}


@dataclass(frozen=True)
class District:
    kind: str
    place: str
    communes: str  # "xã A, phường B, thị trấn C"

    @property
    def name(self) -> str:
        return f"{COMMITTEE_NOUN[self.kind]} {self.place}"

    @property
    def admin_name(self) -> str:
        """'huyện Hòn Đất', 'thành phố Rạch Giá'."""
        return f"{ADMIN_NOUN[self.kind]} {self.place}"

    def commune_list(self) -> list[tuple[str, str]]:
        """[('xã', 'Bình Giang'), ('thị trấn', 'Sóc Sơn'), ...]"""
        out = []
        for item in self.communes.split(","):
            item = item.strip()
            for noun in ("thị trấn", "phường", "xã"):
                if item.startswith(noun + " "):
                    out.append((noun, item[len(noun) + 1:]))
                    break
            else:
                raise ValueError(f"commune without xã/phường/thị trấn: {item!r}")
        return out


H, T, X = Kind.HUYEN_UY, Kind.THI_UY, Kind.THANH_UY

KIEN_GIANG = (
    District(X, "Rạch Giá", "phường Vĩnh Thanh Vân, phường Vĩnh Thanh, phường Vĩnh Quang, phường Vĩnh Hiệp, "
             "phường Vĩnh Bảo, phường Vĩnh Lạc, phường An Hòa, phường An Bình, phường Rạch Sỏi, "
             "phường Vĩnh Lợi, phường Vĩnh Thông, xã Phi Thông"),
    District(X, "Hà Tiên", "phường Đông Hồ, phường Tô Châu, phường Pháo Đài, phường Bình San, phường Mỹ Đức, "
             "xã Thuận Yên, xã Tiên Hải"),
    District(X, "Phú Quốc", "phường Dương Đông, phường An Thới, xã Cửa Cạn, xã Cửa Dương, xã Gành Dầu, "
             "xã Bãi Thơm, xã Hàm Ninh, xã Dương Tơ, xã Thổ Châu, xã Hòn Thơm"),
    District(H, "Kiên Lương", "thị trấn Kiên Lương, xã Kiên Bình, xã Hòa Điền, xã Dương Hòa, xã Bình An, "
             "xã Bình Trị, xã Sơn Hải, xã Hòn Nghệ"),
    District(H, "Giang Thành", "xã Phú Mỹ, xã Phú Lợi, xã Tân Khánh Hòa, xã Vĩnh Điều, xã Vĩnh Phú"),
    District(H, "Hòn Đất", "xã Bình Giang, thị trấn Sóc Sơn, thị trấn Hòn Đất, xã Bình Sơn, xã Mỹ Hiệp Sơn, "
             "xã Mỹ Lâm, xã Mỹ Phước, xã Mỹ Thái, xã Mỹ Thuận, xã Nam Thái Sơn, xã Sơn Bình, xã Sơn Kiên, "
             "xã Thổ Sơn, xã Lình Huỳnh"),
    District(H, "Tân Hiệp", "thị trấn Tân Hiệp, xã Tân Hiệp A, xã Tân Hiệp B, xã Tân Hòa, xã Tân Hội, xã Tân An, "
             "xã Tân Thành, xã Thạnh Đông, xã Thạnh Đông A, xã Thạnh Đông B, xã Thạnh Trị"),
    District(H, "Châu Thành", "thị trấn Minh Lương, xã Bình An, xã Giục Tượng, xã Minh Hòa, xã Mong Thọ, "
             "xã Mong Thọ A, xã Mong Thọ B, xã Thạnh Lộc, xã Vĩnh Hòa Hiệp, xã Vĩnh Hòa Phú"),
    District(H, "Giồng Riềng", "thị trấn Giồng Riềng, xã Bàn Tân Định, xã Bàn Thạch, xã Hòa An, xã Hòa Hưng, "
             "xã Hòa Lợi, xã Hòa Thuận, xã Long Thạnh, xã Ngọc Chúc, xã Ngọc Hòa, xã Ngọc Thành, "
             "xã Ngọc Thuận, xã Thạnh Bình, xã Thạnh Hòa, xã Thạnh Hưng, xã Thạnh Lộc, xã Thạnh Phước, "
             "xã Vĩnh Phú, xã Vĩnh Thạnh"),
    District(H, "Gò Quao", "thị trấn Gò Quao, xã Định An, xã Định Hòa, xã Thới Quản, xã Thủy Liễu, "
             "xã Vĩnh Hòa Hưng Bắc, xã Vĩnh Hòa Hưng Nam, xã Vĩnh Phước A, xã Vĩnh Phước B, xã Vĩnh Thắng, "
             "xã Vĩnh Tuy"),
    District(H, "An Biên", "thị trấn Thứ Ba, xã Đông Thái, xã Đông Yên, xã Hưng Yên, xã Nam Thái, xã Nam Thái A, "
             "xã Nam Yên, xã Tây Yên, xã Tây Yên A"),
    District(H, "An Minh", "thị trấn Thứ Mười Một, xã Đông Hòa, xã Đông Hưng, xã Đông Hưng A, xã Đông Hưng B, "
             "xã Đông Thạnh, xã Tân Thạnh, xã Thuận Hòa, xã Vân Khánh, xã Vân Khánh Đông, xã Vân Khánh Tây"),
    District(H, "U Minh Thượng", "xã An Minh Bắc, xã Hòa Chánh, xã Minh Thuận, xã Thạnh Yên, xã Thạnh Yên A, "
             "xã Vĩnh Hòa"),
    District(H, "Vĩnh Thuận", "thị trấn Vĩnh Thuận, xã Bình Minh, xã Phong Đông, xã Tân Thuận, "
             "xã Vĩnh Bình Bắc, xã Vĩnh Bình Nam, xã Vĩnh Phong, xã Vĩnh Thuận"),
    District(H, "Kiên Hải", "xã Hòn Tre, xã Lại Sơn, xã An Sơn, xã Nam Du"),
)

#: The districts of the former An Giang province (its Châu Thành is left out: the name is taken).
AN_GIANG = (
    District(X, "Long Xuyên", "phường Mỹ Bình, phường Mỹ Long, phường Đông Xuyên, phường Mỹ Xuyên, "
             "phường Bình Đức, phường Bình Khánh, phường Mỹ Phước, phường Mỹ Quý, phường Mỹ Thới, "
             "phường Mỹ Thạnh, phường Mỹ Hòa, xã Mỹ Khánh, xã Mỹ Hòa Hưng"),
    District(X, "Châu Đốc", "phường Châu Phú A, phường Châu Phú B, phường Núi Sam, phường Vĩnh Mỹ, "
             "phường Vĩnh Ngươn, xã Vĩnh Châu, xã Vĩnh Tế"),
    District(T, "Tân Châu", "phường Long Thạnh, phường Long Hưng, phường Long Châu, phường Long Phú, "
             "phường Long Sơn, xã Châu Phong, xã Lê Chánh, xã Phú Lộc, xã Phú Vĩnh, xã Tân An, xã Tân Thạnh, "
             "xã Vĩnh Hòa, xã Vĩnh Xương"),
    District(T, "Tịnh Biên", "phường Nhà Bàng, phường Chi Lăng, phường Tịnh Biên, phường Thới Sơn, "
             "phường Núi Voi, phường An Phú, xã An Cư, xã An Hảo, xã An Nông, xã Nhơn Hưng, xã Tân Lợi, "
             "xã Tân Lập, xã Văn Giáo, xã Vĩnh Trung"),
    District(H, "An Phú", "thị trấn An Phú, thị trấn Long Bình, xã Khánh An, xã Khánh Bình, xã Quốc Thái, "
             "xã Nhơn Hội, xã Phú Hữu, xã Phú Hội, xã Vĩnh Hội Đông, xã Vĩnh Lộc, xã Vĩnh Hậu, "
             "xã Vĩnh Trường, xã Phước Hưng, xã Đa Phước"),
    District(H, "Châu Phú", "thị trấn Cái Dầu, thị trấn Vĩnh Thạnh Trung, xã Bình Long, xã Bình Mỹ, "
             "xã Bình Thủy, xã Bình Chánh, xã Bình Phú, xã Khánh Hòa, xã Mỹ Đức, xã Mỹ Phú, xã Ô Long Vĩ, "
             "xã Thạnh Mỹ Tây, xã Đào Hữu Cảnh"),
    District(H, "Chợ Mới", "thị trấn Chợ Mới, thị trấn Mỹ Luông, thị trấn Hội An, xã Kiến An, xã Kiến Thành, "
             "xã Long Điền A, xã Long Điền B, xã Long Giang, xã Long Kiến, xã Mỹ An, xã Mỹ Hiệp, "
             "xã Mỹ Hội Đông, xã Nhơn Mỹ, xã Tấn Mỹ, xã Bình Phước Xuân, xã An Thạnh Trung, xã Hòa An, "
             "xã Hòa Bình"),
    District(H, "Phú Tân", "thị trấn Phú Mỹ, thị trấn Chợ Vàm, xã Bình Thạnh Đông, xã Hiệp Xương, xã Hòa Lạc, "
             "xã Long Hòa, xã Phú An, xã Phú Bình, xã Phú Hiệp, xã Phú Hưng, xã Phú Lâm, xã Phú Thành, "
             "xã Phú Thạnh, xã Phú Thọ, xã Phú Xuân, xã Tân Hòa, xã Tân Trung"),
    District(H, "Thoại Sơn", "thị trấn Núi Sập, thị trấn Phú Hòa, thị trấn Óc Eo, xã An Bình, xã Bình Thành, "
             "xã Định Mỹ, xã Định Thành, xã Mỹ Phú Đông, xã Phú Thuận, xã Tây Phú, xã Thoại Giang, "
             "xã Vĩnh Chánh, xã Vĩnh Khánh, xã Vĩnh Phú, xã Vĩnh Trạch, xã Vọng Đông, xã Vọng Thê"),
    District(H, "Tri Tôn", "thị trấn Tri Tôn, thị trấn Ba Chúc, thị trấn Cô Tô, xã An Tức, xã Châu Lăng, "
             "xã Lạc Quới, xã Lê Trì, xã Lương An Trà, xã Lương Phi, xã Núi Tô, xã Tà Đảnh, xã Tân Tuyến, "
             "xã Ô Lâm, xã Vĩnh Gia, xã Vĩnh Phước"),
)

HAMLETS = (
    "Hòa Thạnh", "Hòa Lợi", "Hòa Phú", "Tân Điền", "Tân Phú", "Tân Hưng", "Tân Lập", "Tân Bình", "Tân Thành",
    "Thạnh An", "Thạnh Hòa", "Thạnh Phú", "Thạnh Lợi", "Phước Lợi", "Phước Hòa", "Bình Thành", "Bình Hòa",
    "Bình Lợi", "Vàm Răng", "Xà Ngách", "Hòn Quéo", "Kinh Tư", "Kinh Năm", "Kinh Bảy", "Kinh Tám", "Kinh Xáng",
    "Ngã Ba", "Rạch Tràm", "Rạch Giồng", "Cống Tre", "Đập Đá", "Xẻo Đước", "Xẻo Rô", "Vàm Chác", "Ba Hòn",
    "Mương Đào", "Bờ Đập", "Cây Gòn", "Cây Dương", "Cái Nước", "Cái Bần", "Kênh Mới", "Kênh Giữa", "Láng Cát",
    "Láng Tròn", "Minh Tân", "Minh Phong", "Minh Hưng", "An Phước", "An Thạnh", "Long Hòa", "Long Thạnh",
    "Phú Hòa", "Phú Lợi", "Phú Hưng", "Vĩnh Thành", "Vĩnh Lợi", "Đông Hòa", "Đông Thành", "Tây Sơn", "Nam Hòa",
    "Bắc Hòa", "Hiệp Hòa", "Hiệp Thành", "Trung Hòa", "Trung Thành", "Thới Hòa", "Thới Thạnh", "Mỹ Lợi",
    "Mỹ Hòa", "Mỹ Phú", "Sư Nam", "Lung Lớn", "Giồng Kè", "Thứ Bảy", "Thứ Tám", "Số 10", "Kinh 9", "Tà Keo",
    "Sóc Xoài",
)

#: Cells of a commune other than its hamlets: (name format, member profile).
COMMUNE_INSTITUTIONS = (
    ("Chi bộ Trường THCS {c}", "school"),
    ("Chi bộ Trạm Y tế {u} {c}", "health"),
    ("Chi bộ Trường Tiểu học {c}", "school"),
    ("Chi bộ Trường Mầm non {c}", "school"),
    ("Chi bộ Công an {u} {c}", "police"),
    ("Chi bộ Quân sự {u} {c}", "military"),
    ("Chi bộ Cơ quan Chính quyền {u} {c}", "office"),
    ("Chi bộ Cơ quan Đảng – Đoàn thể {u} {c}", "office"),
)

#: Cells of a district's agencies: "{d}" = 'huyện Hòn Đất', "{p}" = 'Hòn Đất', "{cu}" = 'Huyện ủy'.
DEPARTMENTS = {
    "police": ("Chi bộ Đội Tham mưu – Tổng hợp", "Chi bộ Đội An ninh", "Chi bộ Đội Cảnh sát điều tra tội phạm "
               "về trật tự xã hội", "Chi bộ Đội Cảnh sát điều tra tội phạm về kinh tế và ma túy",
               "Chi bộ Đội Cảnh sát giao thông – trật tự", "Chi bộ Đội Cảnh sát quản lý hành chính về trật tự xã hội",
               "Chi bộ Đội Cảnh sát thi hành án hình sự và hỗ trợ tư pháp", "Chi bộ Đội Cảnh sát phòng cháy, "
               "chữa cháy và cứu nạn, cứu hộ", "Chi bộ Đội Cảnh sát khu vực", "Chi bộ Đội Hậu cần"),
    "military": ("Chi bộ Ban Tham mưu", "Chi bộ Ban Chính trị", "Chi bộ Ban Hậu cần – Kỹ thuật",
                 "Chi bộ Trung đội Dân quân cơ động", "Chi bộ Đại đội Huấn luyện"),
    "government": ("Chi bộ Văn phòng HĐND và UBND", "Chi bộ Phòng Nội vụ", "Chi bộ Phòng Tài chính – Kế hoạch",
                   "Chi bộ Phòng Tài nguyên và Môi trường", "Chi bộ Phòng Nông nghiệp và Phát triển nông thôn",
                   "Chi bộ Phòng Giáo dục và Đào tạo", "Chi bộ Phòng Văn hóa và Thông tin",
                   "Chi bộ Phòng Lao động – Thương binh và Xã hội", "Chi bộ Thanh tra {d}", "Chi bộ Phòng Tư pháp",
                   "Chi bộ Phòng Kinh tế và Hạ tầng", "Chi bộ Phòng Y tế", "Chi bộ Phòng Dân tộc"),
    "party": ("Chi bộ Văn phòng {cu}", "Chi bộ Ban Tổ chức {cu}", "Chi bộ Ban Tuyên giáo {cu}",
              "Chi bộ Ủy ban Kiểm tra {cu}", "Chi bộ Ban Dân vận {cu}", "Chi bộ Ủy ban MTTQ Việt Nam {d}",
              "Chi bộ Đoàn Thanh niên {d}", "Chi bộ Hội Liên hiệp Phụ nữ {d}", "Chi bộ Hội Nông dân {d}",
              "Chi bộ Hội Cựu chiến binh {d}", "Chi bộ Liên đoàn Lao động {d}", "Chi bộ Trung tâm Chính trị {d}"),
    "health": ("Chi bộ Khoa Khám bệnh", "Chi bộ Khoa Nội", "Chi bộ Khoa Ngoại – Sản", "Chi bộ Khoa Nhi",
               "Chi bộ Khoa Hồi sức cấp cứu", "Chi bộ Khoa Y tế công cộng", "Chi bộ Khoa Dược – Cận lâm sàng",
               "Chi bộ Phòng Tổ chức – Hành chính", "Chi bộ Phòng Kế hoạch – Nghiệp vụ", "Chi bộ Khoa Kiểm soát "
               "bệnh tật"),
    "department": ("Chi bộ Văn phòng", "Chi bộ Phòng Tổ chức cán bộ", "Chi bộ Phòng Kế hoạch – Tài chính",
                   "Chi bộ Thanh tra", "Chi bộ Phòng Pháp chế", "Chi bộ Phòng Quản lý chuyên ngành",
                   "Chi bộ Phòng Nghiệp vụ", "Chi bộ Chi cục trực thuộc", "Chi bộ Trung tâm trực thuộc",
                   "Chi bộ Ban Quản lý dự án", "Chi bộ Phòng Hợp tác quốc tế", "Chi bộ Phòng Kiểm tra",
                   "Chi bộ Phòng Tổng hợp", "Chi bộ Phòng Thông tin – Tuyên truyền"),
    "college": ("Chi bộ Phòng Đào tạo", "Chi bộ Phòng Tổ chức – Hành chính", "Chi bộ Khoa Sư phạm",
                "Chi bộ Khoa Kinh tế", "Chi bộ Khoa Nông nghiệp và Thủy sản", "Chi bộ Khoa Công nghệ thông tin",
                "Chi bộ Khoa Ngoại ngữ", "Chi bộ Khoa Lý luận chính trị", "Chi bộ Khoa Kỹ thuật – Công nghệ",
                "Chi bộ Sinh viên"),
    "enterprise": ("Chi bộ Phòng Tổ chức – Hành chính", "Chi bộ Phòng Tài chính – Kế toán",
                   "Chi bộ Phòng Kế hoạch – Kỹ thuật", "Chi bộ Phòng Kinh doanh", "Chi bộ Phân xưởng Sản xuất",
                   "Chi bộ Đội Thi công số 1", "Chi bộ Đội Thi công số 2", "Chi bộ Xí nghiệp Dịch vụ",
                   "Chi bộ Phòng Vật tư", "Chi bộ Ban Kiểm soát nội bộ"),
}
#: An agency with branches in every district gets one cell per district place, e.g. "Chi bộ Điện lực Hòn Đất".
BRANCH_FORMATS = {
    "power": "Chi bộ Điện lực {p}",
    "bank": "Chi bộ Phòng giao dịch {p}",
    "telecom": "Chi bộ Trung tâm Viễn thông {p}",
    "post": "Chi bộ Bưu điện {d}",
}

#: Grassroots committees (đảng bộ cơ sở) of a district: (name, cells from DEPARTMENTS, member profile).
DISTRICT_COMMITTEES = (
    ("Đảng bộ Công an {d}", "police", "police"),
    ("Đảng bộ Quân sự {d}", "military", "military"),
    ("Đảng bộ Cơ quan Chính quyền {d}", "government", "office"),
    ("Đảng bộ Cơ quan Đảng – Đoàn thể {d}", "party", "office"),
    ("Đảng bộ Trung tâm Y tế {d}", "health", "health"),
)
#: Grassroots cells (chi bộ cơ sở) directly under a district: (name, member profile).
DISTRICT_CELLS = (
    ("Chi bộ Trường THPT {p}", "school"), ("Chi bộ Chi cục Thuế {d}", "office"),
    ("Chi bộ Kho bạc Nhà nước {p}", "office"), ("Chi bộ Bảo hiểm xã hội {d}", "office"),
    ("Chi bộ Viện Kiểm sát nhân dân {d}", "office"), ("Chi bộ Tòa án nhân dân {d}", "office"),
    ("Chi bộ Chi cục Thi hành án dân sự {d}", "office"), ("Chi bộ Ngân hàng Chính sách xã hội {d}", "enterprise"),
    ("Chi bộ Ngân hàng Nông nghiệp và Phát triển nông thôn chi nhánh {d}", "enterprise"),
    ("Chi bộ Trung tâm Giáo dục nghề nghiệp – Giáo dục thường xuyên {d}", "school"),
    ("Chi bộ Trung tâm Văn hóa, Thông tin và Thể thao {d}", "office"), ("Chi bộ Chi cục Thống kê {d}", "office"),
    ("Chi bộ Ban Quản lý dự án đầu tư xây dựng {d}", "office"),
    ("Chi bộ Văn phòng Đăng ký đất đai chi nhánh {d}", "office"),
    ("Chi bộ Trung tâm Dịch vụ nông nghiệp {d}", "office"), ("Chi bộ Hạt Kiểm lâm {d}", "office"),
    ("Chi bộ Trường Phổ thông Dân tộc nội trú {d}", "school"), ("Chi bộ Trung tâm Phát triển quỹ đất {d}", "office"),
)

#: Đảng ủy Khối các cơ quan tỉnh: its đảng bộ cơ sở (name, cells, profile) and chi bộ cơ sở. "{P}" = province.
AGENCY_COMMITTEES = (
    ("Đảng bộ Văn phòng Ủy ban nhân dân tỉnh", "department", "office"),
    ("Đảng bộ Sở Y tế", "department", "office"), ("Đảng bộ Sở Giáo dục và Đào tạo", "department", "office"),
    ("Đảng bộ Sở Tài chính", "department", "office"), ("Đảng bộ Sở Kế hoạch và Đầu tư", "department", "office"),
    ("Đảng bộ Sở Nông nghiệp và Phát triển nông thôn", "department", "office"),
    ("Đảng bộ Sở Tài nguyên và Môi trường", "department", "office"),
    ("Đảng bộ Sở Giao thông vận tải", "department", "office"), ("Đảng bộ Sở Xây dựng", "department", "office"),
    ("Đảng bộ Sở Công Thương", "department", "office"),
    ("Đảng bộ Sở Lao động – Thương binh và Xã hội", "department", "office"),
    ("Đảng bộ Sở Văn hóa và Thể thao", "department", "office"), ("Đảng bộ Sở Du lịch", "department", "office"),
    ("Đảng bộ Sở Nội vụ", "department", "office"), ("Đảng bộ Sở Thông tin và Truyền thông", "department", "office"),
    ("Đảng bộ Cục Thuế tỉnh", "department", "office"), ("Đảng bộ Kho bạc Nhà nước {P}", "department", "office"),
    ("Đảng bộ Bảo hiểm xã hội tỉnh", "department", "office"), ("Đảng bộ Cục Thống kê tỉnh", "department", "office"),
    ("Đảng bộ Cục Hải quan {P}", "department", "office"),
    ("Đảng bộ Viện Kiểm sát nhân dân tỉnh", "department", "office"),
    ("Đảng bộ Tòa án nhân dân tỉnh", "department", "office"),
    ("Đảng bộ Cục Thi hành án dân sự tỉnh", "department", "office"),
    ("Đảng bộ Bệnh viện Đa khoa tỉnh", "health", "health"), ("Đảng bộ Bệnh viện Sản – Nhi tỉnh", "health", "health"),
    ("Đảng bộ Trường Đại học {P}", "college", "school"), ("Đảng bộ Trường Cao đẳng {P}", "college", "school"),
    ("Đảng bộ Đài Phát thanh và Truyền hình {P}", "department", "office"),
    ("Đảng bộ Báo {P}", "department", "office"),
)
AGENCY_CELLS = (
    "Chi bộ Sở Tư pháp", "Chi bộ Sở Ngoại vụ", "Chi bộ Sở Khoa học và Công nghệ", "Chi bộ Thanh tra tỉnh",
    "Chi bộ Ban Dân tộc tỉnh", "Chi bộ Liên minh Hợp tác xã tỉnh", "Chi bộ Hội Chữ thập đỏ tỉnh",
    "Chi bộ Hội Văn học Nghệ thuật tỉnh", "Chi bộ Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh",
    "Chi bộ Hội Luật gia tỉnh", "Chi bộ Thư viện tỉnh", "Chi bộ Bảo tàng tỉnh",
    "Chi bộ Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch tỉnh", "Chi bộ Quỹ Đầu tư phát triển tỉnh",
    "Chi bộ Trường Trung cấp Kinh tế – Kỹ thuật {P}", "Chi bộ Trường THPT chuyên Huỳnh Mẫn Đạt",
    "Chi bộ Trường Phổ thông Dân tộc nội trú tỉnh", "Chi bộ Trung tâm Kiểm soát bệnh tật tỉnh",
    "Chi bộ Bệnh viện Y dược cổ truyền tỉnh", "Chi bộ Bệnh viện Lao và Bệnh phổi tỉnh",
    "Chi bộ Bệnh viện Tâm thần tỉnh", "Chi bộ Trung tâm Công nghệ thông tin và Truyền thông tỉnh",
    "Chi bộ Chi cục Kiểm lâm tỉnh", "Chi bộ Chi cục Thủy sản tỉnh", "Chi bộ Chi cục Thủy lợi tỉnh",
    "Chi bộ Chi cục Chăn nuôi và Thú y tỉnh", "Chi bộ Trung tâm Khuyến nông tỉnh",
    "Chi bộ Ban Quản lý dự án đầu tư xây dựng công trình dân dụng và công nghiệp tỉnh",
    "Chi bộ Ban Quản lý dự án đầu tư xây dựng công trình giao thông tỉnh",
    "Chi bộ Trung tâm Nước sạch và Vệ sinh môi trường nông thôn tỉnh", "Chi bộ Trung tâm Dịch vụ việc làm tỉnh",
    "Chi bộ Cơ sở Cai nghiện ma túy tỉnh", "Chi bộ Trung tâm Bảo trợ xã hội tỉnh",
    "Chi bộ Đoàn Nghệ thuật Khmer tỉnh", "Chi bộ Trung tâm Văn hóa Nghệ thuật tỉnh",
)

#: Đảng ủy Khối doanh nghiệp tỉnh: named enterprises first, then generated ones "Công ty Cổ phần {sector} {place}".
ENTERPRISE_COMMITTEES = (
    ("Đảng bộ Công ty Điện lực {P}", "power"), ("Đảng bộ Viễn thông {P}", "telecom"),
    ("Đảng bộ Bưu điện tỉnh {P}", "post"),
    ("Đảng bộ Ngân hàng Nông nghiệp và Phát triển nông thôn chi nhánh {P}", "bank"),
    ("Đảng bộ Ngân hàng TMCP Công Thương chi nhánh {P}", "bank"),
    ("Đảng bộ Ngân hàng TMCP Ngoại thương chi nhánh {P}", "bank"),
    ("Đảng bộ Ngân hàng TMCP Đầu tư và Phát triển chi nhánh {P}", "bank"),
    ("Đảng bộ Công ty Xổ số kiến thiết {P}", "enterprise"), ("Đảng bộ Công ty Cấp thoát nước {P}", "enterprise"),
    ("Đảng bộ Công ty Xăng dầu {P}", "enterprise"),
)
ENTERPRISE_SECTORS = (
    "Thủy sản", "Xây dựng", "Vận tải thủy", "Môi trường đô thị", "Dược phẩm", "Du lịch", "Lương thực",
    "In", "Phát triển nhà", "Tư vấn xây dựng", "Thương mại", "Đầu tư phát triển", "Nông sản", "Chế biến thực phẩm",
    "Cảng biển", "Vật liệu xây dựng", "Sách và Thiết bị trường học", "Khai thác công trình thủy lợi",
    "Công trình đô thị", "Xuất nhập khẩu", "Cơ khí", "Dịch vụ công ích", "Bến xe", "Lâm nghiệp", "Nước mắm",
)

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


# ---------------------------------------------------------------------------------------------
# Stages.


@dataclass
class DemoContext:
    """What one run builds, handed from stage to stage."""

    size_name: str
    seed: int
    size: Size
    log: Callable[[str], None] = print
    units: list[PlannedUnit] = field(default_factory=list)
    users: dict[str, object] = field(default_factory=dict)  # username -> User
    counts: Counter = field(default_factory=Counter)
    timings: dict[str, float] = field(default_factory=dict)

    def rng(self, stage: str) -> random.Random:
        """A generator per stage: adding a stage does not change what the others produce."""
        return random.Random(f"chithi03:{self.seed}:{stage}")

    @property
    def province(self) -> PlannedUnit:
        return self.units[0]

    def cells(self) -> Iterator[PlannedUnit]:
        return (u for u in self.units if u.level == Level.CELL)


def _bulk(model, objs: list) -> list:
    return model.objects.bulk_create(objs, batch_size=BATCH_SIZE)


def build_tree(ctx: DemoContext) -> None:
    ctx.units = plan_tree(ctx.size, ctx.rng("tree"))
    for start in range(0, len(ctx.units), BATCH_SIZE):
        chunk = ctx.units[start:start + BATCH_SIZE]
        created = _bulk(Organization, [
            Organization(
                path=u.path, depth=u.depth, numchild=u.numchild, name=u.name, level=u.level, kind=u.kind,
                issuer_code=u.issuer_code, place_name=u.place_name, valid_from=UNITS_VALID_FROM,
            )
            for u in chunk
        ])
        for unit, org in zip(chunk, created, strict=True):
            unit.pk = org.pk
    _bulk(OrganizationVersion, [
        OrganizationVersion(organization_id=u.pk, parent_id=u.parent.pk if u.parent else None, name=u.name,
                            valid_from=UNITS_VALID_FROM)
        for u in ctx.units
    ])
    ctx.counts.update(f"units:{u.kind}" for u in ctx.units)
    ctx.counts["organizations"] = ctx.counts["versions"] = len(ctx.units)


def build_members(ctx: DemoContext) -> None:
    rng = ctx.rng("members")
    cards = CardNumbers(ctx.size.card_prefix, rng)
    pending: list[tuple[Member, dt.date]] = []

    def flush() -> None:
        members = _bulk(Member, [m for m, _start in pending])
        _bulk(Membership, [Membership(member_id=m.pk, cell_id=m.cell_id, start=s)
                           for m, (_m, s) in zip(members, pending, strict=True)])
        pending.clear()

    for cell in ctx.cells():
        for fields in plan_members(rng, cell, ctx.size.member_scale, cards):
            start = fields.pop("start")
            pending.append((Member(cell_id=cell.pk, **fields), start))
            ctx.counts["members"] += 1
            ctx.counts[f"members:{fields['status']}"] += 1
            ctx.counts["members:key_cadre"] += fields["is_key_cadre"]
        if len(pending) >= BATCH_SIZE:
            flush()
    if pending:
        flush()
    ctx.counts["memberships"] = ctx.counts["members"]


DEMO_USERNAMES = ("quantri", "bantuyengiao", "huyenuy", "xauy", "bithu", "phobithu", "bithu2")


def _officer(cell: PlannedUnit, position: str) -> Member:
    """The cell's member in `position`; a deputy is promoted from the members if the cell has none."""
    found = Member.objects.filter(cell_id=cell.pk, position=position).order_by("pk").first()
    if found is None:
        found = Member.objects.filter(
            cell_id=cell.pk, position=Member.Position.MEMBER, status=Member.Status.OFFICIAL,
        ).order_by("pk").first()
        found.position, found.is_key_cadre = position, True
        found.save(update_fields=["position", "is_key_cadre"])
    return found


def _children(ctx: DemoContext, parent: PlannedUnit) -> list[PlannedUnit]:
    return [u for u in ctx.units if u.parent is parent]


def _first_commune(ctx: DemoContext, district: PlannedUnit) -> PlannedUnit:
    """The district's first "Đảng ủy xã …" (its cells are hamlets), else its first commune."""
    communes = [u for u in _children(ctx, district) if u.kind == Kind.DANG_UY_XA]
    return next((u for u in communes if u.name.startswith("Đảng ủy xã ")), communes[0])


def build_users(ctx: DemoContext) -> None:
    """One user per role, all with DEMO_PASSWORD; the cell secretaries carry their member's name."""
    rng = ctx.rng("users")
    province = ctx.province
    districts = [u for u in _children(ctx, province) if u.kind == Kind.HUYEN_UY]
    district = districts[0]
    commune = _first_commune(ctx, district)
    cell = _children(ctx, commune)[0]
    other_district = next(u for u in _children(ctx, province) if u.level == Level.DISTRICT
                          and u.kind != Kind.DANG_UY_KHOI and u is not district)
    other_cell = _children(ctx, _first_commune(ctx, other_district))[0]
    R = Role.Kind
    plan = [
        ("quantri", province, [R.ADMIN], None),
        ("bantuyengiao", province, [R.BOARD], None),
        ("huyenuy", district, [R.APPROVER, R.REVIEWER], None),
        ("xauy", commune, [R.APPROVER, R.REVIEWER], None),
        ("bithu", cell, [R.CELL_SECRETARY], _officer(cell, Member.Position.SECRETARY)),
        ("phobithu", cell, [R.CELL_SECRETARY], _officer(cell, Member.Position.DEPUTY)),
        ("bithu2", other_cell, [R.CELL_SECRETARY], _officer(other_cell, Member.Position.SECRETARY)),
    ]
    password = make_password(DEMO_PASSWORD)  # hashing is slow: once for all
    User = get_user_model()
    for username, unit, kinds, member in plan:
        if member is not None:
            full_name = member.full_name
        else:
            full_name = person_name(rng, rng.choice(list(Member.Gender)))
        family_and_middle, given = full_name.rsplit(" ", 1)
        is_admin = username == "quantri"
        user, _created = User.objects.update_or_create(username=username, defaults=dict(
            last_name=family_and_middle, first_name=given,  # họ "Nguyễn Văn", tên "An": formats.person_name
            password=password, is_active=True, is_staff=is_admin, is_superuser=is_admin,
        ))
        org = Organization.objects.get(pk=unit.pk)
        for kind in kinds:
            services.role_grant(user=user, organization=org, kind=kind)
        ctx.users[username] = user
    ctx.counts["users"] = len(plan)
    ctx.counts["roles"] = sum(len(p[2]) for p in plan)


def demo_logins() -> list[dict]:
    """The demo users as they are now: roles, unit, and whether the password is still the demo one."""
    users = list(get_user_model().objects.filter(username__in=DEMO_USERNAMES))
    users.sort(key=lambda u: DEMO_USERNAMES.index(u.username))
    roles = Role.objects.filter(user__in=users).select_related("organization").order_by("kind")
    by_user: dict[int, list[Role]] = {}
    for role in roles:
        by_user.setdefault(role.user_id, []).append(role)
    # the demo users share one hash until someone changes a password: check it once
    demo_hash = next((u.password for u in users if check_password(DEMO_PASSWORD, u.password)), None)
    rows = []
    for user in users:
        user_roles = by_user.get(user.pk, [])
        units = []
        for role in user_roles:
            org = role.organization
            if org.is_cell:
                parent = Organization.objects.get_parent(org)
                label = f"{org.name} ({parent.name})" if parent else org.name
            else:
                label = org.name
            if label not in units:
                units.append(label)
        rows.append(dict(
            username=user.username,
            password=DEMO_PASSWORD if demo_hash and user.password == demo_hash else "(changed)",
            roles=", ".join(str(Role.Kind(r.kind).label) for r in user_roles) or "–",
            unit="; ".join(units) or "–", name=formats.person_name(user),
        ))
    return rows


def build_secretaries(ctx: DemoContext) -> None:
    """Committees sign their documents with their secretary's name (cells use their Bí thư member)."""
    rng = ctx.rng("secretaries")
    committees = list(Organization.objects.exclude(level=Level.CELL).order_by("path"))
    for org in committees:
        org.secretary_name = person_name(rng, rng.choice(list(Member.Gender)))
    Organization.objects.bulk_update(committees, ["secretary_name"], batch_size=2000)
    ctx.counts["secretaries"] = len(committees)


def _demo_today() -> dt.date:
    """Records of the demo year run up to today: the demo always shows a year in progress."""
    return timezone.localdate()


def build_pledges(ctx: DemoContext) -> None:
    """This year's themes, pledges, monthly records and (in December) year end, for every cell."""
    from pledges.demo import build_year

    today = _demo_today()
    province = Organization.objects.get(pk=ctx.province.pk)
    counts = build_year(province=province, year=today.year, today=today, rng=ctx.rng("pledges"),
                        user=ctx.users["quantri"])
    ctx.counts.update({f"pledges.{k}": v for k, v in counts.items() if isinstance(v, int)})


def build_reports(ctx: DemoContext) -> None:
    """A reporting round of this year with reports in every state."""
    from reports.demo import build_round

    today = _demo_today()
    province = Organization.objects.get(pk=ctx.province.pk)
    made = build_round(province=province, year=today.year, today=today, rng=ctx.rng("reports"),
                       board_user=ctx.users["bantuyengiao"])
    ctx.counts.update({f"reports.{k}": v for k, v in made.items() if isinstance(v, int)})


#: The stages, in order. Later features append theirs here and put their models at the front of
#: RESET_MODELS.
STAGES: list[Callable[[DemoContext], None]] = [
    build_tree, build_members, build_users, build_secretaries, build_pledges, build_reports,
]


def _reset_querysets() -> list:
    """What the later stages made, deleted first (rows that point at others before those)."""
    from pledges import models as p
    from reports import models as r

    models = [
        r.Notification, r.Reminder, r.Document, r.DocumentRun, r.DocumentCounter, r.ReturnReason,
        r.ReportEvent, r.Report, r.ReportingRound,
        p.ReviewEvent, p.ReviewEntry, p.MonthlyReview, p.PledgeCommitment, p.PledgeRevision, p.Pledge,
        p.MemberClassification, p.OrganizationClassification, p.Commendation, p.ModelExample, p.PressingIssue,
    ]
    # national themes come from a data migration: only the provinces' own go
    return [m.objects.all() for m in models] + [p.AnnualTheme.objects.filter(province__isnull=False)]


#: Deleted by --reset, in this order (rows that point at others first).
RESET_MODELS = [Membership, Member, Role, OrganizationVersion, Organization]


class DemoRefused(Exception):
    """The database already holds units and no reset was asked for."""


def reset_demo() -> dict[str, int]:
    """Delete the hierarchy, its members and roles, and the demo users that are not superusers.

    Through the ORM, so rows of other apps that cascade go too; rows that protect a unit, a member or
    a user (e.g. reports) stop the reset with DemoRefused: their stage must add them to RESET_MODELS.
    """
    deleted: dict[str, int] = {}
    try:
        for queryset in [*_reset_querysets(), *[m.objects.all() for m in RESET_MODELS]]:
            model = queryset.model
            total = 0
            while True:  # in batches: Django collects the rows it deletes, keep that bounded
                pks = list(queryset.order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE])
                if not pks:
                    break
                total += model.objects.filter(pk__in=pks).delete()[1].get(model._meta.label, 0)
            deleted[model._meta.label] = deleted.get(model._meta.label, 0) + total
        users = get_user_model().objects.filter(username__in=DEMO_USERNAMES, is_superuser=False)
        deleted["users"] = users.delete()[0]
    except (ProtectedError, RestrictedError) as exc:
        objs = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        blocking = sorted({obj._meta.label for obj in objs})
        raise DemoRefused(
            f"--reset cannot delete the demo data: {', '.join(blocking)} rows still point at it. "
            "Add those models to organizations.demo.RESET_MODELS (before the ones they point at)."
        ) from exc
    return deleted


def seed_demo(*, size: str, seed: int, reset: bool = False, log: Callable[[str], None] = print) -> DemoContext:
    ctx = DemoContext(size_name=size, seed=seed, size=SIZES[size], log=log)
    with transaction.atomic():
        existing = Organization.objects.count()
        if existing and not reset:
            raise DemoRefused(
                f"The database already has {existing} party organizations. seed_demo only fills an empty "
                "database; run it with --reset to delete the existing units, members, memberships, roles "
                "and demo users first."
            )
        if reset:
            started = time.perf_counter()
            deleted = reset_demo()
            ctx.timings["reset"] = time.perf_counter() - started
            log("Deleted: " + ", ".join(f"{n} {label}" for label, n in deleted.items()))
        for stage in STAGES:
            started = time.perf_counter()
            stage(ctx)
            ctx.timings[stage.__name__] = time.perf_counter() - started
            log(f"  {stage.__name__}: {ctx.timings[stage.__name__]:.1f} s")
    started = time.perf_counter()
    analyze(ANALYZE_MODELS + [qs.model for qs in _reset_querysets()])
    ctx.timings["analyze"] = time.perf_counter() - started
    return ctx


#: Tables whose planner statistics are refreshed after the load (stages may add theirs).
ANALYZE_MODELS = [Organization, OrganizationVersion, Member, Membership, Role]


def analyze(models) -> None:
    """Fresh planner statistics after a bulk load: without them PostgreSQL plans the first queries
    for empty tables (nested loops, on-disk sorts) until autovacuum gets round to it."""
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
