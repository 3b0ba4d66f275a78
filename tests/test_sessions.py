"""Sessions end at logout, password change, deactivation and role change; remember-me cookies."""

import time
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest

from logistics.admin.users import get_user, update_user
from tests.conftest import PASSWORD

PAGE = "/korban/"
API = "/api/v1/tagana/members"


def sign_in(app, user, *, remember: bool = True):
    client = app.test_client()
    response = client.post(
        "/masuk",
        data={"username": user.username, "password": PASSWORD, "remember": "y" if remember else ""},
    )
    assert response.status_code == 302, response.data
    return client, response


def copy_of(app, client, names=("session", "remember_token")):
    """A second browser holding the same cookies (what a thief or a forgotten tab would keep)."""
    other = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        if cookie is not None:
            other.set_cookie(name, cookie.value)
    return other


def assert_signed_out(client):
    page = client.get(PAGE)
    assert page.status_code == 302 and page.headers["Location"].startswith("/masuk")
    api = client.get(API)
    assert api.status_code == 401 and api.get_json()["error"] == "unauthorized"


def assert_signed_in(client):
    assert client.get(PAGE).status_code == 200
    assert client.get(API).status_code == 200


def remember_only(app, client):
    """A browser that was closed: only the remember-me cookie is left."""
    return copy_of(app, client, names=("remember_token",))


def test_logout_ends_the_session_and_remember_me_cookie(app, make_user):
    user = make_user("operator", "siti")
    client, _ = sign_in(app, user)
    kept, remembered = copy_of(app, client), remember_only(app, client)
    assert_signed_in(kept)
    assert_signed_in(remembered)
    assert client.post("/keluar").status_code == 302
    assert_signed_out(client)
    assert_signed_out(kept)
    assert_signed_out(remembered)
    # Signing in again works, and only the new cookies do.
    fresh, _ = sign_in(app, user)
    assert_signed_in(fresh)
    assert_signed_out(kept)


@pytest.mark.parametrize(
    ("change", "ends"),
    [
        ({"password": "kata-sandi-baru"}, True),
        ({"active": False}, True),
        ({"role": "pimpinan"}, True),
        ({"role": "operator"}, False),  # the same role: nothing changed
        ({"full_name": "Siti Rahmawati"}, False),
    ],
)
def test_account_changes_end_sessions(app, db, make_user, change, ends):
    user = make_user("operator", "siti")
    client, _ = sign_in(app, user)
    kept, remembered = copy_of(app, client), remember_only(app, client)
    update_user(get_user(user.id), **change)
    db.session.commit()
    for browser in (client, kept, remembered):
        if ends:
            assert_signed_out(browser)
        else:
            assert_signed_in(browser)


def test_admin_page_changes_end_the_users_sessions(app, make_user, client_for):
    admin = client_for(make_user("admin", "adm"))
    user = make_user("tagana", "budi")
    phone, _ = sign_in(app, user)
    assert phone.get("/tagana/tugas-saya").status_code == 200
    response = admin.post(
        f"/admin/pengguna/{user.id}",
        data={"username": "budi", "role": "tagana", "active": "y", "password": "ganti-sandi-1"},
    )
    assert response.status_code == 302
    assert_signed_out(phone)
    # The admin's own session is untouched.
    assert admin.get("/admin/pengguna").status_code == 200


def remember_cookie_header(response) -> str:
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token=")]
    assert len(headers) == 1, response.headers.getlist("Set-Cookie")
    return headers[0]


def expiry_days(header: str) -> float:
    expires = next(p.split("=", 1)[1] for p in header.split("; ") if p.startswith("Expires="))
    return (
        parsedate_to_datetime(expires) - datetime.now(parsedate_to_datetime(expires).tzinfo)
    ) / (timedelta(days=1))


def test_remember_me_cookie_attributes(app, make_user):
    _, response = sign_in(app, make_user("operator", "siti"))
    header = remember_cookie_header(response)
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header
    assert 29.9 < expiry_days(header) <= 30
    session = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in session and "SameSite=Lax" in session


def test_no_remember_cookie_without_ingat_saya(app, make_user):
    _, response = sign_in(app, make_user("operator", "siti"), remember=False)
    cookies = response.headers.getlist("Set-Cookie")
    assert not any(h.startswith("remember_token=") for h in cookies)


def test_office_shortens_remember_me_and_serves_secure_cookies(app, make_user):
    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(days=7)
    app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = True
    user = make_user("operator", "siti")
    client = app.test_client()
    response = client.post(
        "/masuk",
        data={"username": user.username, "password": PASSWORD, "remember": "y"},
        base_url="https://localhost",
    )
    assert response.status_code == 302
    header = remember_cookie_header(response)
    assert "Secure" in header and "SameSite=Lax" in header and "HttpOnly" in header
    assert 6.9 < expiry_days(header) <= 7


def test_remember_me_is_refused_after_its_days_whatever_the_browser_keeps(
    app, make_user, monkeypatch
):
    import logistics.admin.models as models

    user = make_user("operator", "siti")
    signed_in_at = models.time.time() - timedelta(days=8).total_seconds()
    monkeypatch.setattr(models.time, "time", lambda: signed_in_at)
    client, _ = sign_in(app, user)
    monkeypatch.undo()
    remembered = remember_only(app, client)
    assert_signed_in(remembered)  # within the default 30 days
    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(days=7)
    assert_signed_out(remember_only(app, client))


@pytest.mark.parametrize("value", ["0", "31", "365"])
def test_remember_days_setting_is_bounded(monkeypatch, tmp_path, value):
    from logistics import create_app

    monkeypatch.setenv("POSKO_REMEMBER_DAYS", value)
    with pytest.raises(RuntimeError, match="POSKO_REMEMBER_DAYS"):
        create_app({"INSTANCE_DIR": str(tmp_path)})


def test_remember_days_setting_is_read(monkeypatch, tmp_path):
    from logistics import create_app

    monkeypatch.setenv("POSKO_REMEMBER_DAYS", "14")
    app = create_app({"INSTANCE_DIR": str(tmp_path)})
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=14)
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(days=14)


def test_a_forged_or_old_style_identifier_loads_nobody(app, make_user):
    from logistics.admin.users import session_user

    user = make_user("operator", "siti")
    month = timedelta(days=30)
    assert session_user(str(user.id), month) is None  # cookies from before session versions
    assert session_user(f"{user.id}:0:x", month) is None
    assert session_user(f"{user.id}:1:{int(time.time())}", month) is None
    assert session_user(f"{user.id}:0:{int(time.time())}", month) == user
