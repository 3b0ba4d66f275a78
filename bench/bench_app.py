"""Application-level benchmarks: loading a province into the database, the home page map."""

import statistics
import tempfile
import time
from pathlib import Path

from logistics import create_app
from logistics.extensions import db

BOUNDARIES = Path(__file__).resolve().parents[2] / "shared" / "data" / "boundaries"


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
    from logistics.services.areas import load_boundary_file

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
    from logistics.services.areas import load_boundary_file
    from logistics.services.users import create_user

    with tempfile.TemporaryDirectory() as folder:
        app = _app(Path(folder))
        app.config["WTF_CSRF_ENABLED"] = False
        with app.app_context():
            load_boundary_file(BOUNDARIES / "kota_bekasi.geojson")
            create_user("bench", "bench-password", "operator")
            db.session.commit()
        client = app.test_client()
        client.post("/masuk", data={"username": "bench", "password": "bench-password"})
        started = time.perf_counter()
        assert client.get("/").status_code == 200
        cold = time.perf_counter() - started
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get("/")
            times.append(time.perf_counter() - started)
            assert response.status_code == 200 and b"leaflet" in response.data
    times.sort()
    return {
        "cold_ms": cold * 1000,
        "warm_median_ms": statistics.median(times) * 1000,
        "warm_p95_ms": times[int(len(times) * 0.95) - 1] * 1000,
    }
