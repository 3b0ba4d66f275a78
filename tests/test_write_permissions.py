"""Who may write what: every route of the url map with a write method, requested as each role,
against one table that must equal the README's ("Siapa boleh mengubah apa")."""

from datetime import timedelta
from pathlib import Path

import pytest
from flask import g
from sqlalchemy import select

from tests.conftest import PASSWORD

README = Path(__file__).resolve().parent.parent / "README.md"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ROLES = ("admin", "operator", "tagana", "pimpinan", "anonim")
YES, OWN, NO, PHONE = "ya", "sendiri", "—", "ponsel"


def access(
    *allowed: str, own: tuple[str, ...] = (), phone: tuple[str, ...] = ()
) -> tuple[str, ...]:
    return tuple(
        YES if r in allowed else OWN if r in own else PHONE if r in phone else NO for r in ROLES
    )


ADMIN = access("admin")
OFFICE = access("admin", "operator")
FIELD = access("admin", "operator", "tagana")
# A tagana account acts only on deployments of the member linked to it.
OWN_DEPLOYMENT = access("admin", "operator", own=("tagana",))
# The year-end report and the daily sitrep: the Kepala Dinas generates the reports they sign or
# forward (a file, not office data).
REPORT = access("admin", "operator", "pimpinan")
# Only whoever started a job retries it, and an admin any job.
OWN_JOB = access("admin", own=("operator", "tagana", "pimpinan"))
# An operator confirms the imports they checked; an admin any.
OWN_IMPORT = access("admin", own=("operator",))
# The field app's outbox: only with the phone's own credential, never a browser session.
FIELD_ROLES = ("admin", "operator", "tagana")
DEVICE = access(phone=FIELD_ROLES)
# The first-run setup answers only while the instance has no account; afterwards nobody.
NOBODY = access()
SIGNED_IN = access("admin", "operator", "tagana", "pimpinan")
EVERYONE = access(*ROLES)

# The one table: "METHOD rule" -> what each role of ROLES may do. The README lists the same.
WRITES = {
    "POST /admin/pengguna/<int:user_id>": ADMIN,
    "POST /admin/pengguna/baru": ADMIN,
    "POST /admin/profil-kantor": ADMIN,
    "POST /anggaran/impor": OFFICE,
    "POST /anggaran/impor/<job_id>/konfirmasi": OWN_IMPORT,
    "POST /anggaran/kode/baru": OFFICE,
    "POST /anggaran/pagu": OFFICE,
    "POST /anggaran/realisasi": OFFICE,
    "POST /anggaran/realisasi/<int:realisation_id>/hapus": OFFICE,
    "POST /anggaran/struktur-standar": OFFICE,
    "POST /api/v1/budget/pagu": OFFICE,
    "POST /api/v1/budget/realisations": OFFICE,
    "POST /api/v1/distribution-batches": OFFICE,
    "POST /api/v1/distributions": FIELD,
    "POST /api/v1/events": OFFICE,
    "PATCH /api/v1/events/<int:event_id>": OFFICE,
    "POST /api/v1/events/<int:event_id>/chronology": FIELD,
    "POST /api/v1/events/<int:event_id>/close": OFFICE,
    "POST /api/v1/events/<int:event_id>/decrees": OFFICE,
    "PUT /api/v1/events/<int:event_id>/impacts": FIELD,
    "POST /api/v1/events/<int:event_id>/kitchens": OFFICE,
    "POST /api/v1/events/<int:event_id>/sitrep/<day>/generate": REPORT,
    "PUT /api/v1/events/<int:event_id>/sitrep/<day>/notes": OFFICE,
    "POST /api/v1/field/devices": FIELD,
    "POST /api/v1/field/status": DEVICE,
    "POST /api/v1/field/sync": DEVICE,
    "POST /api/v1/institution-victims": FIELD,
    "POST /api/v1/items": OFFICE,
    "PATCH /api/v1/items/<int:item_id>": OFFICE,
    "PUT /api/v1/items/<int:item_id>/components": OFFICE,
    "PATCH /api/v1/kitchens/<int:kitchen_id>": OFFICE,
    "POST /api/v1/kitchens/<int:kitchen_id>/meals": FIELD,
    "POST /api/v1/shelters": OFFICE,
    "PATCH /api/v1/shelters/<int:shelter_id>": OFFICE,
    "POST /api/v1/shelters/<int:shelter_id>/close": OFFICE,
    "POST /api/v1/shelters/<int:shelter_id>/counts": FIELD,
    "POST /api/v1/shelters/<int:shelter_id>/reopen": OFFICE,
    "POST /api/v1/stock-adjustments": OFFICE,
    "POST /api/v1/stock-counts": OFFICE,
    "POST /api/v1/stock-dispatches": OFFICE,
    "POST /api/v1/stock-receipts": OFFICE,
    "POST /api/v1/stock-transfers": OFFICE,
    "POST /api/v1/stock-transfers/<int:document_id>/receive": OFFICE,
    "POST /api/v1/tagana/deployments": OWN_DEPLOYMENT,
    "PATCH /api/v1/tagana/deployments/<int:deployment_id>": OWN_DEPLOYMENT,
    "POST /api/v1/tagana/deployments/<int:deployment_id>/cancel": OWN_DEPLOYMENT,
    "POST /api/v1/tagana/deployments/<int:deployment_id>/check-in": OWN_DEPLOYMENT,
    "POST /api/v1/tagana/deployments/<int:deployment_id>/check-out": OWN_DEPLOYMENT,
    "POST /api/v1/tagana/deployments/<int:deployment_id>/report": OWN_DEPLOYMENT,
    "POST /api/v1/tagana/ksb": OFFICE,
    "PATCH /api/v1/tagana/ksb/<int:ksb_id>": OFFICE,
    "POST /api/v1/tagana/members": OFFICE,
    "PATCH /api/v1/tagana/members/<int:member_id>": OFFICE,
    "POST /api/v1/tagana/members/<int:member_id>/trainings": OFFICE,
    "POST /api/v1/tagana/vehicles": OFFICE,
    "PATCH /api/v1/tagana/vehicles/<int:vehicle_id>": OFFICE,
    "POST /api/v1/victims": FIELD,
    "PATCH /api/v1/victims/<int:victim_id>": FIELD,
    "POST /api/v1/warehouses": OFFICE,
    "PATCH /api/v1/warehouses/<int:warehouse_id>": OFFICE,
    "POST /api/v1/year-report/<int:year>/generate": REPORT,
    "POST /dapur-umum/<int:kitchen_id>/makan": FIELD,
    "POST /dapur-umum/<int:kitchen_id>/ubah": OFFICE,
    "POST /dapur-umum/kejadian/<int:event_id>/baru": OFFICE,
    "POST /kejadian/<int:event_id>/dampak/<code>": FIELD,
    "POST /kejadian/<int:event_id>/gambar": OFFICE,
    "POST /kejadian/<int:event_id>/kronologi": FIELD,
    "POST /kejadian/<int:event_id>/status": OFFICE,
    "POST /kejadian/<int:event_id>/status/<int:decree_id>": OFFICE,
    "POST /kejadian/<int:event_id>/tutup": OFFICE,
    "POST /kejadian/<int:event_id>/ubah": OFFICE,
    "POST /kejadian/<int:event_id>/wilayah": OFFICE,
    "POST /kejadian/baru": OFFICE,
    "POST /kejadian/jenis": OFFICE,
    "POST /kejadian/jenis/<int:hazard_id>": OFFICE,
    "POST /keluar": SIGNED_IN,
    "POST /korban/daftar": FIELD,
    "POST /korban/daftar/anggota": FIELD,
    "POST /korban/data/<int:victim_id>/status": FIELD,
    "POST /korban/duplikat/gabung": OFFICE,
    "POST /korban/impor": OFFICE,
    "POST /korban/impor/<job_id>/konfirmasi": OWN_IMPORT,
    "POST /korban/kk/<int:household_id>/anggota": FIELD,
    "POST /korban/lembaga/baru": FIELD,
    "POST /korban/lintas-wilayah/": SIGNED_IN,
    "POST /korban/orang/<int:person_id>/nik": OFFICE,
    "POST /korban/orang/<int:person_id>/ubah": OFFICE,
    "POST /lapangan/penyaluran": FIELD,
    "POST /lapangan/perangkat/<device_id>/cabut": ADMIN,
    "POST /lapangan/perangkat/pengaturan": ADMIN,
    "POST /lapangan/tinjau/<int:record_id>/terima": OFFICE,
    "POST /lapangan/tinjau/<int:record_id>/tolak": OFFICE,
    "POST /laporan/situasi/kejadian/<int:event_id>/<day>/buat": REPORT,
    "POST /laporan/situasi/kejadian/<int:event_id>/<day>/catatan": OFFICE,
    "POST /laporan/situasi/kejadian/<int:event_id>/hari-ini": REPORT,
    "POST /laporan/tahunan/buat": REPORT,
    "POST /logistik/barang/<int:item_id>/hapus": OFFICE,
    "POST /logistik/barang/<int:item_id>/isi": OFFICE,
    "POST /logistik/barang/<int:item_id>/ubah": OFFICE,
    "POST /logistik/barang/baru": OFFICE,
    "POST /logistik/dokumen/<int:document_id>/terima": OFFICE,
    "POST /logistik/gudang/<int:warehouse_id>/opname": OFFICE,
    "POST /logistik/gudang/<int:warehouse_id>/penyesuaian": OFFICE,
    "POST /logistik/gudang/<int:warehouse_id>/ubah": OFFICE,
    "POST /logistik/gudang/baru": OFFICE,
    "POST /logistik/penerimaan/baru": OFFICE,
    "POST /logistik/pengiriman/baru": OFFICE,
    "POST /logistik/penyaluran/bast": OFFICE,
    "POST /logistik/transfer/baru": OFFICE,
    "POST /masuk": EVERYONE,
    "POST /pekerjaan/<job_id>/ulangi": OWN_JOB,
    "POST /pengungsian/<int:shelter_id>/buka-kembali": OFFICE,
    "POST /pengungsian/<int:shelter_id>/hitung": FIELD,
    "POST /pengungsian/<int:shelter_id>/tutup": OFFICE,
    "POST /pengungsian/<int:shelter_id>/ubah": OFFICE,
    "POST /pengungsian/baru": OFFICE,
    "POST /siapkan": NOBODY,
    "POST /siapkan/batas": NOBODY,
    "POST /siapkan/selesai": NOBODY,
    "POST /spm/bangun-ulang": OFFICE,
    "POST /spm/standar": OFFICE,
    "POST /spm/target": OFFICE,
    "POST /spm/target/<int:target_id>/hapus": OFFICE,
    "POST /spm/target/impor": OFFICE,
    "POST /spm/terpenuhi": OFFICE,
    "POST /tagana/anggota/<int:member_id>/pelatihan": OFFICE,
    "POST /tagana/anggota/<int:member_id>/ubah": OFFICE,
    "POST /tagana/anggota/baru": OFFICE,
    "POST /tagana/anggota/impor": OFFICE,
    "POST /tagana/anggota/impor/<job_id>/konfirmasi": OWN_IMPORT,
    "POST /tagana/kejadian/<int:event_id>/tugaskan": OWN_DEPLOYMENT,
    "POST /tagana/kendaraan/<int:vehicle_id>/ubah": OFFICE,
    "POST /tagana/kendaraan/baru": OFFICE,
    "POST /tagana/ksb/<int:ksb_id>/ubah": OFFICE,
    "POST /tagana/ksb/baru": OFFICE,
    "POST /tagana/pelatihan/<int:training_id>/hapus": OFFICE,
    "POST /tagana/pengerahan/<int:deployment_id>/batal": OWN_DEPLOYMENT,
    "POST /tagana/pengerahan/<int:deployment_id>/check-in": OWN_DEPLOYMENT,
    "POST /tagana/pengerahan/<int:deployment_id>/check-out": OWN_DEPLOYMENT,
    "POST /tagana/pengerahan/<int:deployment_id>/laporan": OWN_DEPLOYMENT,
    "POST /tagana/pengerahan/<int:deployment_id>/ubah": OWN_DEPLOYMENT,
    "POST /wilayah/muat": OFFICE,
    "POST /wilayah/muat/<token>/batal": OFFICE,
    "POST /wilayah/muat/<token>/lapisan": OFFICE,
    "POST /wilayah/muat/<token>/simpan": OFFICE,
    "POST /wilayah/versi/batalkan": ADMIN,
}
DEVICE_ROUTES = {r.split(" ", 1)[1] for r, cells in WRITES.items() if PHONE in cells}
# Requested last: signing out ends the session the other requests need.
LAST = ("POST /keluar",)


def write_routes(app) -> dict:
    """'METHOD rule' -> werkzeug Rule, for every rule of the url map with a write method."""
    routes = {}
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) & WRITE_METHODS):
            routes[f"{method} {rule.rule}"] = rule
    return routes


def readme_table() -> dict[str, tuple[str, ...]]:
    """The README's table between its markers: route -> one cell per role of ROLES."""
    text = README.read_text(encoding="utf-8")
    section = text.split("<!-- write-routes -->", 1)[1].split("<!-- /write-routes -->", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == len(ROLES) + 1 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = tuple(cells[1:])
    return rows


def test_readme_lists_the_same_permissions_as_this_table():
    header = "| write route | " + " | ".join(ROLES) + " |"
    text = README.read_text(encoding="utf-8")
    assert header in text, f"the README's table must start with: {header}"
    readme = readme_table()
    missing = sorted(set(WRITES) - set(readme))
    extra = sorted(set(readme) - set(WRITES))
    different = sorted(r for r in set(WRITES) & set(readme) if WRITES[r] != readme[r])
    expected = "\n".join(
        f"| `{route}` | " + " | ".join(WRITES[route]) + " |"
        for route in sorted(WRITES, key=lambda r: r.split(" ")[::-1])
    )
    assert not (missing or extra or different), (
        f"README differs: missing {missing}, not routes {extra}, other cells {different}.\n"
        f"The rows as they should read:\n{expected}"
    )


def test_every_write_route_is_in_the_table(app):
    routes = set(write_routes(app))
    unlisted = sorted(routes - set(WRITES))
    gone = sorted(set(WRITES) - routes)
    assert not unlisted, f"write routes missing from WRITES and the README: {unlisted}"
    assert not gone, f"WRITES lists routes that no longer exist: {gone}"


# --- requesting every route as every role ---------------------------------------------------


def _first(db, model, *where):
    row = db.session.scalar(select(model).where(*where).order_by(model.id).limit(1))
    assert row is not None, f"the demo office has no {model.__name__}"
    return row


@pytest.fixture
def office(app, db, make_user):
    """The demo office, a user of every role, and the ids each route's URL needs."""
    from logistics.budget.models import BudgetRealisation
    from logistics.core import jobs
    from logistics.core.queue import (
        BUDGET_IMPORT_DRY_RUN,
        TAGANA_IMPORT_DRY_RUN,
        VICTIM_IMPORT_DRY_RUN,
        YEAR_REPORT_GENERATE,
    )
    from logistics.demo.seed import seed_demo
    from logistics.events.models import Event, EventDecree, HazardType
    from logistics.field.devices import issue_device
    from logistics.kitchens.models import FieldKitchen
    from logistics.shelters.models import Shelter
    from logistics.spm.models import SpmTarget
    from logistics.stock.catalogue import create_item
    from logistics.stock.models import StockDocument, Warehouse
    from logistics.stock.models.catalogue import ITEM_CATEGORIES
    from logistics.tagana.deployments import deploy_member
    from logistics.tagana.models import (
        Deployment,
        KampungSiagaBencana,
        TaganaMember,
        Training,
        Vehicle,
    )
    from logistics.victims.models import Household, Person, Victim

    seed_demo()
    db.session.commit()
    users = {role: make_user(role, f"matriks-{role}") for role in ROLES if role != "anonim"}
    event = _first(db, Event)
    deployment = _first(db, Deployment, Deployment.status == "direncanakan")
    ids = {
        "user_id": _first(
            db,
            type(users["operator"]),
            ~type(users["operator"]).id.in_([u.id for u in users.values()]),
        ).id,
        "realisation_id": _first(db, BudgetRealisation).id,
        "event_id": event.id,
        "day": (event.started_at + timedelta(days=1)).date().isoformat(),
        "code": event.areas[0].kelurahan_code,
        "decree_id": _first(db, EventDecree, EventDecree.event_id == event.id).id,
        "hazard_id": _first(db, HazardType).id,
        # A new item: deleting one with stock history is another matter than who may delete.
        "item_id": create_item(
            code="UJI-MATRIKS", name="Barang uji", category=next(iter(ITEM_CATEGORIES)), unit="unit"
        ).id,
        "kitchen_id": _first(db, FieldKitchen).id,
        "shelter_id": _first(db, Shelter).id,
        "document_id": _first(db, StockDocument, StockDocument.kind == "transfer").id,
        "warehouse_id": _first(db, Warehouse).id,
        "victim_id": _first(db, Victim).id,
        "person_id": _first(db, Person).id,
        "household_id": _first(db, Household).id,
        "target_id": _first(db, SpmTarget).id,
        "member_id": _first(db, TaganaMember).id,
        "training_id": _first(db, Training).id,
        "vehicle_id": _first(db, Vehicle).id,
        "ksb_id": _first(db, KampungSiagaBencana).id,
        "deployment_id": deployment.id,
        "year": event.started_at.year,
        "job_id": "tidak-ada",
        "record_id": 999_999,
        "device_id": "tidak-ada",
        "token": "tidak-ada",
    }
    # The tagana user is a member with a planned deployment of their own.
    own_member = _first(
        db, TaganaMember, TaganaMember.id != deployment.member_id, TaganaMember.user_id.is_(None)
    )
    own_member.user_id = users["tagana"].id
    own = deploy_member(
        member_id=own_member.id,
        event_id=event.id,
        place_kind="kelurahan",
        kelurahan_code=ids["code"],
        role="Petugas kaji cepat",
        letter_number="800/uji/Linjamsos",
        starts_at=event.started_at + timedelta(days=400),
        actor=users["operator"],
    )
    # Every user has a failed job of their own; an admin's is "someone else's" for the others.
    # An import's confirmation is asked of a check of that import.
    job_of = {}
    import_jobs = {"/tagana/": TAGANA_IMPORT_DRY_RUN, "/anggaran/": BUDGET_IMPORT_DRY_RUN}
    jobs_by_route = {prefix: {} for prefix in import_jobs}
    for role, user in users.items():
        func = YEAR_REPORT_GENERATE if role == "pimpinan" else VICTIM_IMPORT_DRY_RUN
        record = jobs.create_job(func, "Pekerjaan uji", {}, user.id)
        record.status = "failed"
        job_of[role] = record.id
        for prefix, check in import_jobs.items():
            record = jobs.create_job(check, "Pemeriksaan uji", {}, user.id)
            record.status = "failed"
            jobs_by_route[prefix][role] = record.id
    # Phones of the roles that record field work, each with its own credential.
    tokens = {role: issue_device(users[role], f"Ponsel {role}")[1] for role in FIELD_ROLES}
    db.session.commit()
    return {
        "users": users,
        "tokens": tokens,
        "ids": ids,
        "own": {"deployment_id": own.id, "member_id": own_member.id},
        "other_member_id": deployment.member_id,
        "jobs": job_of,
        "jobs_by_route": jobs_by_route,
    }


def _client(app, user):
    g.pop("_login_user", None)
    client = app.test_client()
    if user is not None:
        response = client.post("/masuk", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302
    return client


def _send(client, route: str, rule, ids: dict, body: dict, token: str | None = None):
    method, _ = route.split(" ", 1)
    url = rule.build({name: ids[name] for name in rule.arguments}, append_unknown=False)[1]
    if rule.rule.startswith("/api/"):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.open(url, method=method, json=body, headers=headers)
    return client.open(url, method=method, data=body)


def _signed_out(response, api: bool) -> bool:
    if api:
        return response.status_code == 401
    location = response.headers.get("Location", "")
    return response.status_code == 302 and location.startswith("/masuk")


def _let_through(response, api: bool, route: str, rule) -> bool:
    """Past the permission check: done, redirected onward, or refused for its content (4xx
    validation, conflict, a record the empty body names not found), never refused for who
    asked, nor an error."""
    status = response.status_code
    if route in LAST:  # signing out sends to the login page, without a `next`
        return status == 302 and response.headers["Location"] == "/masuk"
    if status in (401, 403, 405) or status >= 500:
        return False
    if status == 404 and "job_id" in rule.arguments:  # how another's job is refused
        return False
    return not _signed_out(response, api)


def _refused(response, api: bool, role: str, rule) -> bool:
    if rule.rule.startswith("/siapkan"):  # an office set up has no setup to answer
        return response.status_code == 404
    if role == "anonim":
        return _signed_out(response, api)
    if rule.rule in DEVICE_ROUTES:  # a session without the phone's credential
        return response.status_code == 401
    # Another's job stays unknown (404) to those who cannot see it.
    allowed = (403, 404) if "job_id" in rule.arguments else (403,)
    return response.status_code in allowed


API_BODIES = {
    "/api/v1/tagana/deployments": {
        "place_kind": "kelurahan",
        "role": "Petugas kaji cepat",
        "letter_number": "800/uji/Linjamsos",
        "starts_at": "2030-01-01T08:00:00+07:00",
    },
    "/api/v1/tagana/deployments/<int:deployment_id>/cancel": {"reason": "Uji matriks"},
    "/api/v1/tagana/deployments/<int:deployment_id>/report": {
        "activities": "Uji matriks",
        "people_served": 0,
    },
}


def _cases(role: str, cell: str, rule, office: dict):
    """(ids, body, should pass, phone credential) for one role on one route: one request; for
    "sendiri" one on someone else's record (refused) and one on the role's own (let through);
    for "ponsel" one with the session alone (refused) and one with the phone's credential."""
    # An import's confirmation is asked of a check of that import.
    jobs = next(
        (of for prefix, of in office["jobs_by_route"].items() if rule.rule.startswith(prefix)),
        office["jobs"],
    )
    ids = dict(office["ids"], job_id=jobs["admin"])
    if cell in (YES, NO):
        return [(ids, {}, cell == YES, None)]
    if cell == PHONE:  # the session alone is refused; the phone's credential goes through
        return [(ids, {}, False, None), (ids, {}, True, office["tokens"][role])]
    if "job_id" in rule.arguments:
        return [(ids, {}, False, None), (dict(ids, job_id=jobs[role]), {}, True, None)]
    # The API checks a body's form before whose record it names: a well-formed one asks.
    body = dict(API_BODIES.get(rule.rule, {})) if rule.rule.startswith("/api/") else {}
    if "deployment_id" in rule.arguments:
        own = dict(ids, deployment_id=office["own"]["deployment_id"])
        return [(ids, body, False, None), (own, body, True, None)]
    # Deploying: someone else is refused, themself goes on to the form's checks.
    if body:
        body["event_id"] = ids["event_id"]
    return [
        (ids, dict(body, member_id=office["other_member_id"]), False, None),
        (ids, dict(body, member_id=office["own"]["member_id"]), True, None),
    ]


def test_every_role_on_every_write_route(app, office):
    routes = write_routes(app)
    order = sorted(routes, key=lambda r: (r in LAST, r))
    failures = []
    for role_index, role in enumerate(ROLES):
        client = _client(app, office["users"].get(role))
        for route in order:
            rule, cell = routes[route], WRITES[route][role_index]
            api = rule.rule.startswith("/api/")
            for ids, body, should_pass, token in _cases(role, cell, rule, office):
                response = _send(client, route, rule, ids, body, token)
                ok = (
                    _let_through(response, api, route, rule)
                    if should_pass
                    else _refused(response, api, role, rule)
                )
                if not ok:
                    expected = "let through" if should_pass else "refused"
                    failures.append(
                        f"{role:9} {route} {body or ''}: {response.status_code} "
                        f"{response.headers.get('Location', '')} (expected {expected})"
                    )
    assert not failures, "\n".join(failures)
