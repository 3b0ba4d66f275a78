"""The demo office: Kota Bekasi's kelurahan, one account per role and a flood, for a first look.

The demo and a real office never mix: the demo is seeded only into an empty instance (or one that
holds nothing but the demo), never with POSKO_ENV=production, and `remove_demo` takes it out again.
"""

from flask import current_app
from sqlalchemy import delete, func, select

from logistics.admin.models import User
from logistics.admin.scopes import set_scope
from logistics.admin.users import create_user
from logistics.areas.models import Area
from logistics.areas.services import invalidate_index, load_boundary_file
from logistics.core.audit import record_action
from logistics.core.config import ROOT
from logistics.core.errors import DomainError
from logistics.core.extensions import db
from logistics.core.models import AuditEntry
from logistics.demo.office import seed_office_profile
from logistics.events.models import HazardType
from logistics.office.services import current_profile, refresh_office_config
from logistics.spm.models import SpmMetRule, SpmStandard
from logistics.stock.models import Item, KitComponent
from logistics.tagana.models import Competency

BOUNDARIES = ROOT / "data" / "boundaries" / "kota_bekasi.geojson"
DEMO_AREA_CODES = ("32", "32.75")  # the provinsi and the kota; every kelurahan is 32.75.*
# Who writes demo rows: the seeding itself, the system's reference lists, and the demo accounts.
DEMO_ACTORS = ("demo", "sistem")
# Reference lists every office keeps (seeded from data/); removing the demo leaves them.
REFERENCE_MODELS = (HazardType, Competency, Item, KitComponent, SpmStandard, SpmMetRule)
DEMO_PASSWORD = "posko-demo"
DEMO_USERS = [
    ("admin", "admin", "Admin Posko"),
    ("operator", "operator", "Siti Rahmawati (Linjamsos)"),
    ("tagana", "tagana", "Budi Santoso (Koordinator Tagana)"),
    ("pimpinan", "pimpinan", "Kepala Dinas Sosial"),
    ("operator.jatiasih", "operator", "Operator Kecamatan Jatiasih"),
]
# Demo accounts limited to part of the city: what a wilayah scope shows and hides.
DEMO_SCOPES = {"operator.jatiasih": "32.75.09"}


DEMO_USERNAMES = tuple(username for username, _, _ in DEMO_USERS)


class DemoRefused(DomainError):
    """The instance is (or may become) a real office's: the demo stays out."""

    status = 409
    code = "demo_refused"


def office_data() -> list[str]:
    """What in this instance is the office's own, not the demo's (Indonesian, empty when none)."""
    found = []
    users = db.session.scalars(
        select(User.username).where(User.username.not_in(DEMO_USERNAMES)).order_by(User.id)
    ).all()
    if users:
        found.append(f"{len(users)} akun pengguna kantor ({', '.join(users[:3])})")
    areas = db.session.scalar(
        select(func.count(Area.id)).where(
            Area.code.not_in(DEMO_AREA_CODES), ~Area.code.startswith("32.75.")
        )
    )
    if areas:
        found.append(f"{areas} wilayah di luar Kota Bekasi")
    actors = DEMO_ACTORS + DEMO_USERNAMES
    written = db.session.scalar(
        select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "create", AuditEntry.actor.not_in(actors)
        )
    )
    if written:
        found.append(f"{written} data yang dicatat oleh pengguna kantor")
    return found


def demo_refusal() -> str | None:
    """Why the demo may not be seeded here (Indonesian), or None when it may."""
    if current_app.config["ENV_NAME"] == "production":
        return "Data demo tidak pernah dimuat di kantor produksi (POSKO_ENV=production)."
    found = office_data()
    if found:
        return (
            "Data demo tidak dimuat karena Posko ini sudah berisi data kantor: "
            + "; ".join(found)
            + "."
        )
    return None


def seed_demo() -> dict:
    """Fill an empty install with the demo region and accounts; touches nothing that exists.

    Raises DemoRefused in production and once the instance holds any of an office's own data.
    """
    refusal = demo_refusal()
    if refusal:
        raise DemoRefused(refusal)
    done = {"areas": 0, "users": 0}
    if not db.session.scalar(select(func.count(Area.id)).where(Area.level == "kelurahan")):
        done["areas"] = load_boundary_file(BOUNDARIES, version="Demo Kota Bekasi")["features"]
    for username, role, name in DEMO_USERS:
        if db.session.scalar(select(func.count(User.id)).where(User.username == username)):
            continue
        user = create_user(username, DEMO_PASSWORD, role, name)
        if username in DEMO_SCOPES:
            set_scope(user, record=DEMO_SCOPES[username], see=None)
        done["users"] += 1
    if current_profile() is None:
        seed_office_profile()
        done["profile"] = 1
    db.session.flush()
    # This process may have looked at the profile a moment ago and would not look again for a
    # while: the demo's letterhead and signatories take effect now.
    refresh_office_config(current_app, force=True)
    from logistics.demo.flood import seed_flood_demo

    done.update(seed_flood_demo())
    return done


def remove_demo() -> dict:
    """Take the demo out of an instance that holds nothing else: every row but the reference lists.

    Raises DemoRefused when the instance also holds an office's own data (which stays untouched);
    returns the number of rows removed per table.
    """
    found = office_data()
    if found:
        raise DemoRefused(
            "Demo tidak dapat dihapus otomatis karena Posko ini juga berisi data kantor: "
            + "; ".join(found)
            + ". Hapus data demo lewat halaman masing-masing, atau mulai dari basis data baru."
        )
    removed = {}
    # Children before parents, so foreign keys hold at every step.
    keep = {model.__table__.name for model in REFERENCE_MODELS}
    for table in reversed(db.metadata.sorted_tables):
        if table.name in keep:
            continue
        count = db.session.execute(delete(table)).rowcount
        if count:
            removed[table.name] = count
    invalidate_index()
    record_action("demo_removed", "demo", changes={"rows": sum(removed.values())})
    return removed
