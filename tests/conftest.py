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

from .factories import MemberFactory, UserFactory, ensure_reference_data, make_unit, user_with_role


@pytest.fixture
def world(db):
    ensure_reference_data()
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


# -- Browser tests: Playwright driving Debian's headless Chromium (never a downloaded browser) --------
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


@pytest.fixture(scope="session")
def chromium():
    import os
    import shutil

    if not shutil.which(CHROMIUM):
        if os.environ.get("CHITHI03_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing but CHITHI03_REQUIRE_BROWSER is set (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing: browser tests need Debian's chromium (apt-get install chromium)")
    # Playwright's sync API keeps an event loop in this thread; the ORM calls made by the test itself
    # are synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(chromium):
    """A fresh browser context with a phone's viewport (390×844)."""
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN",
                                   is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def shot(page, name: str, *, full_page: bool = False, element=None) -> None:
    """A screenshot of a step, for a person to look at: written only when CHITHI03_SHOTS names a
    folder (e.g. CHITHI03_SHOTS=/tmp/shots ./dev.sh test -m browser)."""
    import os
    from pathlib import Path

    folder = os.environ.get("CHITHI03_SHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    path = str(Path(folder) / f"{name}.png")
    if element is not None:
        element.screenshot(path=path)
    else:
        page.screenshot(path=path, full_page=full_page)


def browser_login(page, live_server, username: str, password: str = "mat-khau-thu-123"):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.fixture(autouse=True)
def _tasks_inline_and_private_documents(settings, tmp_path):
    """Tasks without a broker run synchronously in tests; documents go to a private folder."""
    settings.RUN_TASKS_INLINE = True
    # a PDF per submit and approval would slow every test that sends reports: the tests of
    # following the data turn it on (tests/test_document_speed.py)
    settings.DOCUMENTS_FOLLOW_DATA = False
    settings.DOCUMENTS_ROOT = tmp_path / "documents"
    settings.IMPORTS_ROOT = tmp_path / "imports"
