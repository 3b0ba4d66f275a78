"""Login, roles, CSRF, session cookies and the audit log."""

import pytest
from sqlalchemy import select

from logistics.admin.models import User
from logistics.core.models import AuditEntry
from logistics.victims.models import Person
from tests.conftest import PASSWORD


def test_login_and_logout(client, make_user):
    user = make_user("operator", "siti")
    response = client.post("/masuk", data={"username": "SITI ", "password": PASSWORD})
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    assert "Peta wilayah kerja" in page.get_data(as_text=True)
    assert client.post("/keluar").status_code == 302
    assert client.get("/").status_code == 302
    assert user.last_login_at is not None


def test_wrong_password_is_refused_and_audited(client, make_user, db):
    make_user("operator", "siti")
    response = client.post("/masuk", data={"username": "siti", "password": "salah-sekali"})
    assert response.status_code == 401
    assert "Nama pengguna atau kata sandi salah" in response.get_data(as_text=True)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "login_failed"))
    assert entry is not None and entry.changes["username"] == "siti"


def test_inactive_user_cannot_log_in(client, make_user):
    make_user("operator", "lama", active=False)
    assert client.post("/masuk", data={"username": "lama", "password": PASSWORD}).status_code == 401


def test_login_is_throttled(app, client, make_user):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    make_user("operator", "siti")
    codes = [
        client.post("/masuk", data={"username": "siti", "password": "tebak-tebak"}).status_code
        for _ in range(4)
    ]
    assert codes == [401, 401, 401, 429]
    # Even the right password waits once the limit is reached.
    assert client.post("/masuk", data={"username": "siti", "password": PASSWORD}).status_code == 429


def test_open_redirect_is_blocked(client, make_user):
    make_user("operator", "siti")
    response = client.post(
        "/masuk?next=https://evil.example/", data={"username": "siti", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"
    client.post("/keluar")
    # A backslash after the slash also leaves the site in a browser.
    response = client.post(
        "/masuk?next=/\\evil.example/", data={"username": "siti", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"
    client.post("/keluar")
    response = client.post("/masuk?next=/wilayah/", data={"username": "siti", "password": PASSWORD})
    assert response.headers["Location"] == "/wilayah/"


def test_anonymous_is_sent_to_login_and_api_gets_401(client):
    assert client.get("/").headers["Location"].startswith("/masuk")
    assert client.get("/wilayah/").status_code == 302
    response = client.get("/api/v1/jobs/abc")
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"


@pytest.mark.parametrize("role", ["pimpinan", "tagana"])
def test_only_office_roles_load_boundaries(client, make_user, login, role):
    login(make_user(role))
    assert client.get("/wilayah/muat").status_code == 403
    assert client.post("/wilayah/muat", data={}).status_code == 403


def test_pimpinan_cannot_retry_jobs(client, make_user, login, db):
    from logistics.core.job_models import JobRecord

    boss = make_user("pimpinan")
    db.session.add(
        JobRecord(
            id="j-1",
            func="workers.jobs.load_boundaries",
            title="x",
            kwargs={},
            user_id=boss.id,
            status="failed",
        )
    )
    db.session.commit()
    login(boss)
    assert client.post("/pekerjaan/j-1/ulangi").status_code == 403


@pytest.mark.parametrize("role", ["tagana", "operator", "pimpinan"])
def test_only_admin_manages_users(client, make_user, login, role):
    login(make_user(role))
    assert client.get("/admin/pengguna").status_code == 403
    response = client.post(
        "/admin/pengguna/baru", data={"username": "baru", "role": "admin", "password": "12345678"}
    )
    assert response.status_code == 403
    assert client.get("/admin/audit").status_code == 403


def test_admin_creates_and_edits_user_with_audit(client, make_user, login, db):
    admin = make_user("admin", "kepala-it")
    login(admin)
    response = client.post(
        "/admin/pengguna/baru",
        data={"username": "budi", "full_name": "Budi", "role": "tagana", "password": "kuatsekali"},
    )
    assert response.status_code == 302
    budi = db.session.scalar(select(User).where(User.username == "budi"))
    assert budi.role == "tagana" and budi.check_password("kuatsekali")
    response = client.post(
        f"/admin/pengguna/{budi.id}",
        data={"username": "budi", "full_name": "Budi S", "role": "operator", "active": "y"},
    )
    assert response.status_code == 302
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "users", AuditEntry.entity_id == str(budi.id))
    ).all()
    created = next(e for e in entries if e.action == "create")
    updated = next(e for e in entries if e.action == "update")
    assert created.actor == "kepala-it" and "password_hash" not in created.changes
    assert updated.changes["role"] == ["tagana", "operator"]
    page = client.get("/admin/audit?entitas=users").get_data(as_text=True)
    assert "budi" in page or "Budi" in page


def test_bad_user_input_gets_indonesian_message(client, make_user, login):
    login(make_user("admin"))
    response = client.post(
        "/admin/pengguna/baru", data={"username": "x", "role": "operator", "password": "pendek"}
    )
    assert response.status_code == 422
    assert "Nama pengguna 3-64 karakter" in response.get_data(as_text=True)


def test_csrf_token_is_required(app, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    make_user("operator", "siti")
    response = client.post("/masuk", data={"username": "siti", "password": PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    # With the token from the form, the same login goes through.
    page = client.get("/masuk").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/masuk", data={"username": "siti", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_session_cookie_is_http_only(client, make_user):
    make_user("operator", "siti")
    response = client.post("/masuk", data={"username": "siti", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookies_when_configured(monkeypatch, tmp_path):
    from logistics import create_app

    monkeypatch.setenv("POSKO_SECURE_COOKIES", "1")
    app = create_app({"INSTANCE_DIR": str(tmp_path)})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


def test_public_map_shows_no_personal_data(client, make_user, db):
    from logistics.demo.seed import seed_demo

    seed_demo()
    db.session.commit()
    make_user("operator", "sitirahma.op", full_name="Siti Rahmawati")
    page = client.get("/peta")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Peta publik" in text and "Bekasijaya" in text
    for personal in ("sitirahma.op", "Siti Rahmawati", "Kepala Dinas Sosial", "Keluar"):
        assert personal not in text


def test_public_map_lists_active_events_without_personal_data(client, db):
    from logistics.demo.seed import seed_demo
    from logistics.events.models import Event

    seed_demo()
    db.session.commit()
    event = db.session.scalar(select(Event))
    text = client.get("/peta").get_data(as_text=True)
    assert event.title in text and f"/kejadian/{event.id}/peta-publik" in text
    public = client.get(f"/kejadian/{event.id}/peta-publik")
    assert public.status_code == 200
    public_text = public.get_data(as_text=True)
    people = db.session.scalars(select(Person).limit(40)).all()
    # Full names only: a one-word name such as "Sari" could occur in unrelated text.
    assert all(p.name not in public_text for p in people if " " in p.name)
    assert all(p.nik not in public_text for p in people)


def test_api_writes_need_the_csrf_header(app, make_user, bekasi):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    make_user("operator", "siti")
    page = client.get("/masuk").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/masuk", data={"username": "siti", "password": PASSWORD, "csrf_token": token})
    body = {"name": "Posko uji", "kind": "tenda", "capacity": 10, "kelurahan_code": "32.75.01.1001"}
    refused = client.post("/api/v1/shelters", json=body)
    assert refused.status_code == 400 and "CSRF" in refused.get_json()["message"]
    accepted = client.post("/api/v1/shelters", json=body, headers={"X-CSRFToken": token})
    assert accepted.status_code == 201, accepted.get_json()


def test_a_second_client_is_not_logged_in_by_the_first(app, client, make_user, login):
    login(make_user("operator"))
    assert client.get("/").status_code == 200
    stranger = app.test_client()
    assert stranger.get("/").status_code == 302
    assert stranger.get("/api/v1/events").status_code == 401
