"""Application-level benchmarks: loading a province into the database, the home page map."""

import tempfile
import time
from pathlib import Path

from bench.timing import time_requests
from logistics import create_app
from logistics.core.extensions import db

BOUNDARIES = Path(__file__).resolve().parents[1] / "data" / "boundaries"


def fresh_app(folder: Path):
    """The app on an empty SQLite database in `folder`, with no queue (nothing listens on port 1)."""
    app = create_app(
        {
            "INSTANCE_DIR": str(folder),
            "TESTING": False,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
            "REDIS_URL": "redis://127.0.0.1:1/0",
            "RATELIMIT_STORAGE_URI": "memory://",
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        db.create_all()
    return app


def load_province() -> dict:
    """Load Jawa Barat (5,957 desa/kelurahan) into a fresh SQLite database of a provinsi office,
    reload it, then roll both versions back; the office-area check alone is timed apart."""
    from geo import read_boundaries
    from geo.coverage import check_coverage, office_outline
    from logistics.areas.services import NATIONAL_OUTLINE, load_boundary_file
    from logistics.areas.versions import rollback

    path = BOUNDARIES / "prov_jawa_barat.geojson.gz"
    with tempfile.TemporaryDirectory() as folder:
        app = fresh_app(Path(folder))
        app.config["OFFICE_AREA_CODE"] = "32"
        with app.app_context():
            started = time.perf_counter()
            result = load_boundary_file(path)
            db.session.commit()
            first = time.perf_counter() - started
            started = time.perf_counter()
            again = load_boundary_file(path)
            db.session.commit()
            reload = time.perf_counter() - started
            started = time.perf_counter()
            rollback(to=None)
            rollback(to=None)
            db.session.commit()
            undo = time.perf_counter() - started
    frame = read_boundaries(path)
    started = time.perf_counter()
    check_coverage(frame, "kelurahan", "32", office_outline(NATIONAL_OUTLINE, "32"))
    check = time.perf_counter() - started
    assert result["features"] == 5957
    assert again["stats"]["kelurahan"]["updated"] == 0
    return {
        "load_s": first,
        "reload_s": reload,
        "rollback_s": undo,
        "coverage_check_s": check,
        "features": result["features"],
    }


def home_page(requests: int = 30) -> dict:
    """Server time of the office area map (the home page before role home pages), cold and warm
    (median, p95)."""
    from logistics.admin.users import create_user
    from logistics.areas.services import load_boundary_file

    with tempfile.TemporaryDirectory() as folder:
        app = fresh_app(Path(folder))
        app.config["WTF_CSRF_ENABLED"] = False
        with app.app_context():
            load_boundary_file(BOUNDARIES / "kota_bekasi.geojson")
            create_user("bench", "bench-password", "operator")
            db.session.commit()
        client = app.test_client()
        client.post("/masuk", data={"username": "bench", "password": "bench-password"})
        timed = time_requests(client, "/peta-wilayah", requests)
    return {
        "cold_ms": timed["cold_ms"],
        "warm_median_ms": timed["warm_median_ms"],
        "warm_p95_ms": timed["warm_p95_ms"],
    }
