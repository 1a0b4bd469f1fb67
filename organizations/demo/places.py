"""The demo province's places: districts and their communes as they were before 1-7-2025, and the
names of the cells, committees and agencies found in them."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Kind

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
