"""App factory and configuration."""

import pytest

from logistics import create_app
from logistics.core.config import DEFAULT_SECRET_KEY


def test_environment_overrides_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("POSKO_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example:5432/posko")
    monkeypatch.setenv("REDIS_URL", "redis://cache.example:6379/2")
    monkeypatch.setenv("POSKO_TIMEZONE", "Asia/Makassar")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.example:5432/posko"
    assert app.config["REDIS_URL"] == "redis://cache.example:6379/2"
    assert app.config["OFFICE_TIMEZONE"] == "Asia/Makassar"


def test_default_database_is_sqlite_in_instance_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("POSKO_INSTANCE_DIR", str(tmp_path / "inst"))
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'inst' / 'posko.db'}"
    assert (tmp_path / "inst").is_dir()


def test_test_config_wins_over_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("POSKO_OFFICE_NAME", "Dinas Sosial Kota Binjai")
    app = create_app({"OFFICE_NAME": "Uji", "INSTANCE_DIR": str(tmp_path)})
    assert app.config["OFFICE_NAME"] == "Uji"


def test_production_refuses_default_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("POSKO_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("POSKO_INSTANCE_DIR", str(tmp_path))
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-from-the-vault")
    assert create_app().config["SECRET_KEY"] != DEFAULT_SECRET_KEY


def test_factory_does_not_connect(monkeypatch, tmp_path):
    # Unreachable servers must not matter until a request needs them.
    monkeypatch.setenv("POSKO_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    app = create_app()
    assert "api" in app.blueprints


def test_health(client):
    assert client.get("/sehat").get_json() == {"status": "ok"}
