"""Event page benchmark: an event spanning 500 Jawa Barat desa, its page and map, cold and warm."""

import tempfile
import time
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import insert, select

from bench.timing import time_requests
from logistics import create_app
from logistics.core.extensions import db

BOUNDARIES = Path(__file__).resolve().parents[1] / "data" / "boundaries"
DESA = 500
# Registry persons in the first desa (10 each), shelters (one in each of the first desa).
VICTIM_DESA = 100
SHELTERS = 40


def _app(folder: Path):
    app = create_app(
        {
            "INSTANCE_DIR": str(folder),
            "TESTING": False,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
            "REDIS_URL": "redis://127.0.0.1:1/0",
            "RATELIMIT_STORAGE_URI": "memory://",
            "WTF_CSRF_ENABLED": False,
            "OFFICE_AREA_CODE": "32",
            "OFFICE_NAME": "Dinas Sosial Provinsi Jawa Barat",
        }
    )
    with app.app_context():
        db.create_all()
        from logistics.reference import seed_reference_data

        seed_reference_data()
        db.session.commit()
    return app


def _build_event() -> int:
    """Jawa Barat loaded, one flood over 500 desa with kaji cepat figures everywhere, a victim
    registry in 100 desa and 40 shelters with head counts; returns the event id."""
    from logistics.areas.models import Area
    from logistics.areas.services import load_boundary_file
    from logistics.events.impact import set_impact
    from logistics.events.models import HazardType
    from logistics.events.services import create_event
    from logistics.shelters.models import Shelter, ShelterCount
    from logistics.victims.models import Person, Victim

    load_boundary_file(BOUNDARIES / "prov_jawa_barat.geojson.gz")
    db.session.commit()
    desa = db.session.execute(
        select(Area.code, Area.label_lat, Area.label_lng)
        .where(Area.level == "kelurahan")
        .order_by(Area.code)
        .limit(DESA)
    ).all()
    hazard = db.session.scalar(select(HazardType.id).where(HazardType.code == "BJR"))
    event = create_event(
        hazard_type_id=hazard,
        title="Banjir besar DAS Citarum (uji beban)",
        started_at=datetime(2026, 11, 20, 0, 0),
        kelurahan_codes=[d.code for d in desa],
    )
    for i, (code, _lat, _lng) in enumerate(desa):
        n = i % 37 + 1
        set_impact(
            event,
            code,
            {
                "meninggal.dewasa.L": i % 3,
                "terluka.anak.P": n % 5,
                "menderita.anak.L": n * 4,
                "menderita.anak.P": n * 4,
                "menderita.dewasa.L": n * 9,
                "menderita.dewasa.P": n * 9,
                "menderita.lansia.L": n,
                "menderita.lansia.P": n * 2,
                "mengungsi.anak.L": n * 2,
                "mengungsi.anak.P": n * 2,
                "mengungsi.dewasa.L": n * 3,
                "mengungsi.dewasa.P": n * 3,
                "kk.menderita": n * 8,
                "kk.mengungsi": n * 3,
                "rumah.terendam": n * 10,
                "rumah.rusak_ringan": n,
            },
        )
    persons = []
    for i in range(min(VICTIM_DESA, len(desa))):
        for j in range(10):
            persons.append(
                {
                    "name": f"Warga {i}-{j}",
                    "sex": "LP"[j % 2],
                    "birth_date": date(1950 + (i * 7 + j * 5) % 70, 1 + j % 12, 1 + j),
                    "no_nik_reason": "lainnya",
                }
            )
    db.session.execute(insert(Person), persons)
    ids = db.session.scalars(select(Person.id).order_by(Person.id)).all()
    victims = [
        {
            "event_id": event.id,
            "person_id": person_id,
            "status": ("mengungsi", "menderita", "terluka")[k % 3],
            "kelurahan_code": desa[k // 10].code,
        }
        for k, person_id in enumerate(ids)
    ]
    db.session.execute(insert(Victim), victims)
    for i, (code, lat, lng) in enumerate(desa[:SHELTERS]):
        shelter = Shelter(
            event_id=event.id,
            name=f"Posko pengungsian {i + 1}",
            kind="gedung_sekolah",
            kelurahan_code=code,
            lat=lat,
            lng=lng,
            capacity=100 + i * 5,
        )
        db.session.add(shelter)
        db.session.flush()
        db.session.add(
            ShelterCount(shelter_id=shelter.id, counted_on=date(2026, 11, 21), persons=40 + i * 4)
        )
    db.session.commit()
    return event.id


def run(requests: int = 10) -> dict:
    """Server time (Flask test client) of the event page and the public map for an event of 500
    Jawa Barat desa, cold (first request renders the map) and warm (cached map)."""
    from logistics.admin.users import create_user

    with tempfile.TemporaryDirectory() as folder:
        app = _app(Path(folder))
        with app.app_context():
            started = time.perf_counter()
            event_id = _build_event()
            create_user("bench", "bench-password", "operator")
            db.session.commit()
            setup_s = time.perf_counter() - started
        client = app.test_client()
        response = client.post("/masuk", data={"username": "bench", "password": "bench-password"})
        assert response.status_code == 302
        page = time_requests(client, f"/kejadian/{event_id}", requests)
        public = time_requests(client, f"/kejadian/{event_id}/peta-publik", requests)
        export = time_requests(client, f"/kejadian/{event_id}/tabel-dampak?format=csv", 3)
    result = {"desa": DESA, "setup_s": setup_s}
    result.update({f"page_{k}": v for k, v in page.items()})
    result.update({f"public_{k}": v for k, v in public.items()})
    result.update({f"export_{k}": v for k, v in export.items()})
    return result


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:<24} {value:.1f}" if isinstance(value, float) else f"{key:<24} {value}")
