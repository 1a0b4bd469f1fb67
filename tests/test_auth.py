"""Login in Vietnamese, logout, password change, and the lock against password guessing."""

from django.urls import reverse

PASSWORD = "mat-khau-thu-123"


def test_login_page_is_vietnamese(client, db):
    page = client.get(reverse("login")).content.decode()
    assert "Đăng nhập" in page
    assert 'lang="vi"' in page
    assert "Tên đăng nhập" in page and "Mật khẩu" in page


def test_login_and_logout(world, client):
    response = client.post(reverse("login"), {"username": "sec_a", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("organizations:tree")).status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("organizations:tree")).status_code == 302


def test_wrong_password_gives_a_vietnamese_message(world, client):
    page = client.post(reverse("login"), {"username": "sec_a", "password": "sai"}).content.decode()
    assert "Tên đăng nhập và mật khẩu chính xác" in page


def test_repeated_failures_lock_the_account(world, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "sec_a", "password": "sai"})
    response = client.post(reverse("login"), {"username": "sec_a", "password": PASSWORD})
    assert response.status_code == 429
    assert "tạm thời bị khóa" in response.content.decode()


def test_password_change(world, client):
    client.force_login(world.users.sec_a)
    page = client.get(reverse("password_change")).content.decode()
    assert "Đổi mật khẩu" in page
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "Chi-bo-moi-2026!", "new_password2": "Chi-bo-moi-2026!",
    })
    assert response.status_code == 302
    world.users.sec_a.refresh_from_db()
    assert world.users.sec_a.check_password("Chi-bo-moi-2026!")


def test_password_change_keeps_input_and_explains(world, client):
    client.force_login(world.users.sec_a)
    page = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "Chi-bo-moi-2026!", "new_password2": "khac",
    }).content.decode()
    assert "Hai trường mật khẩu không giống nhau" in page
