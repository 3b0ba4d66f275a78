"""The demo office: Kota Bekasi's kelurahan, one account per role and a flood, for a first look."""

from sqlalchemy import func, select

from logistics.admin.models import User
from logistics.admin.users import create_user
from logistics.areas.models import Area
from logistics.areas.services import load_demo_areas
from logistics.core.config import ROOT
from logistics.core.extensions import db

GAZETTEER = ROOT / "data" / "bekasi_gazetteer.csv"
DEMO_PASSWORD = "posko-demo"
DEMO_USERS = [
    ("admin", "admin", "Admin Posko"),
    ("operator", "operator", "Siti Rahmawati (Linjamsos)"),
    ("tagana", "tagana", "Budi Santoso (Koordinator Tagana)"),
    ("pimpinan", "pimpinan", "Kepala Dinas Sosial"),
]


def seed_demo() -> dict:
    """Fill an empty install with the demo region and accounts; touches nothing that exists."""
    done = {"areas": 0, "users": 0}
    if not db.session.scalar(select(func.count(Area.id)).where(Area.level == "kelurahan")):
        done["areas"] = load_demo_areas(GAZETTEER)["features"]
    for username, role, name in DEMO_USERS:
        if db.session.scalar(select(func.count(User.id)).where(User.username == username)):
            continue
        create_user(username, DEMO_PASSWORD, role, name)
        done["users"] += 1
    db.session.flush()
    from logistics.demo.flood import seed_flood_demo

    done.update(seed_flood_demo())
    return done
