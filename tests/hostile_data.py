"""A demo office whose names carry script payloads, for the tests that no data runs as script."""

import json
from pathlib import Path

from sqlalchemy import select

# Each payload sets window.__xss when it runs; the suffix tells the names apart on the maps.
IMG = '<img src=x onerror="window.__xss=1">'
SCRIPT = "<script>window.__xss=1</script>"
# Breaks out of a JavaScript template literal (folium puts tooltip text in one).
TEMPLATE = "${window.__xss=1}`;window.__xss=1;`"
PAYLOADS = (IMG, SCRIPT, TEMPLATE)


def poisoned(payload: str, label: str) -> str:
    return f"{label} {payload}"


def write_poisoned_boundaries(source: Path, target: Path) -> None:
    """A copy of a boundary file in which every kelurahan and kecamatan name carries a payload."""
    data = json.loads(source.read_text(encoding="utf-8"))
    for i, feature in enumerate(data["features"]):
        props = feature["properties"]
        payload = PAYLOADS[i % len(PAYLOADS)]
        props["nama"] = poisoned(payload, f"Kel{i}")
        # One name per kecamatan (a file must agree with itself), each with a payload.
        code = props["kode_kec"]
        props["kecamatan"] = poisoned(PAYLOADS[int(code[-2:]) % len(PAYLOADS)], f"Kec{code}")
    target.write_text(json.dumps(data), encoding="utf-8")


def seed_poisoned_office(db, boundaries_dir: Path, tmp_path: Path) -> dict:
    """The demo office on a poisoned boundary file, its shelters, event, warehouses, items,
    kitchens and Tagana members renamed to payloads. Returns the event id."""
    from logistics.areas.services import load_boundary_file
    from logistics.demo.seed import seed_demo
    from logistics.events.models import Event
    from logistics.kitchens.models import FieldKitchen
    from logistics.shelters.models import Shelter
    from logistics.stock.models import Item, Warehouse
    from logistics.tagana.models import TaganaMember

    path = tmp_path / "kota_bekasi_poisoned.geojson"
    write_poisoned_boundaries(boundaries_dir / "kota_bekasi.geojson", path)
    load_boundary_file(path)
    db.session.commit()
    seed_demo()
    db.session.commit()
    for model, field in (
        (Shelter, "name"),
        (Event, "title"),
        (Warehouse, "name"),
        (Item, "name"),
        (FieldKitchen, "name"),
        (TaganaMember, "name"),
    ):
        for i, row in enumerate(db.session.scalars(select(model).order_by(model.id))):
            payload = PAYLOADS[i % len(PAYLOADS)]
            setattr(row, field, poisoned(payload, f"{model.__name__}{i}"))
    db.session.commit()
    event_id = db.session.scalar(select(Event.id))
    db.session.remove()
    return {"event_id": event_id}
