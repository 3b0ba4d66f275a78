"""Application-level benchmarks: loading a province into the database, the home page map."""

import tempfile
import time
from pathlib import Path

from bench.timing import time_requests
from logistics import create_app
from logistics.core.extensions import db

BOUNDARIES = Path(__file__).resolve().parents[1] / "data" / "boundaries"


def _app(folder: Path):
    app = create_app(
        {
            "INSTANCE_DIR": str(folder),
            "TESTING": False,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
            "REDIS_URL": "redis://127.0.0.1:1/0",
        }
    )
    with app.app_context():
        db.create_all()
    return app


def load_province() -> dict:
    """Load Jawa Barat (5,957 desa/kelurahan) into a fresh SQLite database, then reload it."""
    from logistics.areas.services import load_boundary_file

    with tempfile.TemporaryDirectory() as folder:
        app = _app(Path(folder))
        with app.app_context():
            started = time.perf_counter()
            result = load_boundary_file(BOUNDARIES / "prov_jawa_barat.geojson.gz")
            db.session.commit()
            first = time.perf_counter() - started
            started = time.perf_counter()
            again = load_boundary_file(BOUNDARIES / "prov_jawa_barat.geojson.gz")
            db.session.commit()
            reload = time.perf_counter() - started
    assert result["features"] == 5957
    assert again["stats"]["kelurahan"]["updated"] == 0
    return {"load_s": first, "reload_s": reload, "features": result["features"]}


def home_page(requests: int = 30) -> dict:
    """Server time of the home page with the Kota Bekasi map, cold and warm (median, p95)."""
    from logistics.admin.users import create_user
    from logistics.areas.services import load_boundary_file

    with tempfile.TemporaryDirectory() as folder:
        app = _app(Path(folder))
        app.config["WTF_CSRF_ENABLED"] = False
        with app.app_context():
            load_boundary_file(BOUNDARIES / "kota_bekasi.geojson")
            create_user("bench", "bench-password", "operator")
            db.session.commit()
        client = app.test_client()
        client.post("/masuk", data={"username": "bench", "password": "bench-password"})
        timed = time_requests(client, "/", requests)
    return {
        "cold_ms": timed["cold_ms"],
        "warm_median_ms": timed["warm_median_ms"],
        "warm_p95_ms": timed["warm_p95_ms"],
    }
