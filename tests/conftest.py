"""Named people in several roles over a small two-district province.

    Tỉnh ủy P
    ├── Huyện ủy D1
    │   └── Đảng ủy xã C1
    │       ├── Chi bộ A   (sec_a)
    │       └── Chi bộ B   (sec_b)
    ├── Huyện ủy D2
    │   └── Đảng ủy xã C2
    │       └── Chi bộ X
    └── Chi bộ cơ sở Y (directly under the province)
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from organizations.models import Kind, Level, Role

from .factories import MemberFactory, UserFactory, make_unit, user_with_role


@pytest.fixture
def world(db):
    p = make_unit(None, Level.PROVINCE, "Tỉnh ủy Kiên Giang")
    d1 = make_unit(p, Level.DISTRICT, "Huyện ủy Hòn Đất")
    d2 = make_unit(p, Level.DISTRICT, "Thành ủy Rạch Giá", kind=Kind.THANH_UY)
    c1 = make_unit(d1, Level.COMMUNE, "Đảng ủy xã Sóc Sơn")
    c2 = make_unit(d2, Level.COMMUNE, "Đảng ủy phường Vĩnh Thanh")
    a = make_unit(c1, Level.CELL, "Chi bộ ấp Hòn Quéo")
    b = make_unit(c1, Level.CELL, "Chi bộ ấp Xà Ngách")
    x = make_unit(c2, Level.CELL, "Chi bộ khu phố 3")
    y = make_unit(p, Level.CELL, "Chi bộ Ban Quản lý các KCN tỉnh", kind=Kind.CHI_BO_CO_SO)
    members_a = [MemberFactory(cell=a, full_name=f"Trần Thị Ánh {i}") for i in range(3)]
    members_b = [MemberFactory(cell=b, full_name=f"Lê Văn Bình {i}") for i in range(2)]
    members_x = [MemberFactory(cell=x, full_name="Phạm Quốc Xuân")]
    users = SimpleNamespace(
        sec_a=user_with_role("sec_a", a, Role.Kind.CELL_SECRETARY),
        sec_b=user_with_role("sec_b", b, Role.Kind.CELL_SECRETARY),
        commune1=user_with_role("commune1", c1, Role.Kind.REVIEWER),
        district1=user_with_role("district1", d1, Role.Kind.APPROVER),
        district2=user_with_role("district2", d2, Role.Kind.APPROVER),
        board=user_with_role("board", p, Role.Kind.BOARD),
        admin_c1=user_with_role("admin_c1", c1, Role.Kind.ADMIN),
        outsider=UserFactory(username="outsider"),
    )
    return SimpleNamespace(
        p=p, d1=d1, d2=d2, c1=c1, c2=c2, a=a, b=b, x=x, y=y,
        members_a=members_a, members_b=members_b, members_x=members_x, users=users,
    )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
