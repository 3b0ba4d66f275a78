"""The role-and-scope matrix: every rule of the url map, filled with each kab/kota's ids, asked by
every kind of user; a new route is in it the day it is added (or the last test fails)."""

import inspect
import io
import os
import re
import zipfile

import pytest
from flask import g
from sqlalchemy import func, select

from tests.support.scope_world import AREAS, build_province

PASSWORD = "rahasia-123"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# Pages and API answers a visitor may open without signing in; every other rule sends them to
# the sign-in page (or answers 401 under /api/).
PUBLIC = {
    "auth.login", "main.health", "main.index", "main.public_map", "main.vendor", "static",
    "office.logo", "events.public_index", "events.public_map", "open_data.index",
    "open_data.event", "api.openapi", "api.open_data_index", "api.open_data_event_csv",
    "api.open_data_event_figures", "api.open_data_event_geojson", "api.open_data_year_csv",
    "api.open_data_year_geojson", "field_app.manifest", "field_app.offline",
    "field_app.service_worker", "field_app.session_probe", "field_app.home", "field_app.outbox",
    "field_app.count", "field_app.handout", "api.field_reference", "api.field_status",
    "api.field_sync", "api.wilayah_list", "api.wilayah_detail", "api.wilayah_lookup",
    "api.wilayah_search", "events.map_areas", "main.public_layer",
    "office.setup_office", "office.setup_boundaries", "office.setup_finish",
}  # fmt: skip

# Rules left out, with the reason: they change the session or the office, not one record.
SKIPPED = {
    "auth.logout": "ends the session the matrix signs in with",
    "office.setup_office": "first-run setup of an empty office only",
    "office.setup_boundaries": "first-run setup of an empty office only",
    "office.setup_finish": "first-run setup of an empty office only",
}

# Endpoints whose scope is knowingly unfinished: reported, not failed, and not written to. Empty:
# an entry here is a leak someone has to own.
PENDING: dict[str, str] = {}

# What belongs to the office as a whole (its budget, its boundary loads, the documents measured
# against its targets): a user who sees only part of the office area is refused it (403).
OFFICE_OWN = ("budget.", "budget_import.", "api.budget_", "wilayah.load", "wilayah.preview",
              "year_report.", "api.year_report_", "multi_year.", "spm.export_year",
              "spm.drill_year", "api.spm_achievement",
              "wilayah.choose_layer", "wilayah.confirm", "wilayah.cancel",
              "wilayah.rollback_version")  # fmt: skip

# Parameters that name no record of a kab/kota: the same value for every user.
SHARED = {
    "item_id": lambda w: 1,
    "hazard_id": lambda w: w.hazard,
    "vehicle_id": lambda w: w.vehicle.id,
    "user_id": lambda w: w.users.admin.id,
    "year": lambda w: 2026,
    "day": lambda w: "2026-11-21",
    "level": lambda w: "kelurahan",
    "layer": lambda w: "kelurahan",
    "fmt": lambda w: "csv",
    "token": lambda w: "tidak-ada",
    "device_id": lambda w: "tidak-ada",
    "filename": lambda w: "forms.js",
    "record_id": lambda w: 999_999,
    "target_id": lambda w: 999_999,
    "realisation_id": lambda w: 999_999,
    "document_id": lambda w: 999_999,
}
ENDPOINT_VALUES = {
    ("main.vendor", "filename"): "leaflet.js",
    ("multi_year.download", "fmt"): "xlsx",
    ("province_recap.download", "fmt"): "xlsx",
    ("main.public_layer", "name"): "terdampak",
    ("victims.import_template", "fmt"): "csv",
    ("budget.detail", "code"): "1.06",
}


# Rules whose <code> names reference data every user may read (a budget code, a public area).
REFERENCE_CODES = {"budget.detail", "api.wilayah_detail"}


def area_values(world, key: str) -> dict:
    """The URL parameters that name one kab/kota's records."""
    w = getattr(world, key)
    return {
        "event_id": w.event.id,
        "victim_id": w.victim.id,
        "person_id": w.victim.person_id,
        "household_id": w.victim.person.household_id,
        "shelter_id": w.shelter.id,
        "distribution_id": w.handout.id,
        "kitchen_id": w.kitchen.id,
        "warehouse_id": w.warehouse.id,
        "member_id": w.member.id,
        "training_id": w.training.id,
        "deployment_id": w.deployment.id,
        "ksb_id": w.ksb.id,
        "decree_id": w.decree.id,
        "file_id": w.file.id,
        "job_id": w.job.id,
        "code": AREAS[key].desa,
    }


# --- the module's one database and its users ------------------------------------------------


@pytest.fixture(scope="module")
def matrix(tmp_path_factory, redis_server_url, database_templates):
    """One app and database for the whole module: the province, its users' signed-in clients."""
    from logistics import create_app
    from logistics.admin.users import create_user
    from logistics.core.extensions import db
    from tests.support.databases import reset_process_caches

    tmp_path = tmp_path_factory.mktemp("matrix")
    uri = database_templates.fresh("base", tmp_path)
    reset_process_caches()
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_DIR": str(tmp_path / "instance"),
            "SQLALCHEMY_DATABASE_URI": uri,
            "REDIS_URL": redis_server_url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "RATELIMIT_STORAGE_URI": "memory://",
            "RQ_QUEUE": f"posko-matrix-{os.getpid()}",
            "FIRST_RUN_SETUP": False,
        }
    )

    def forget_cached_user():
        # The module's one app context shares `g` between requests: each client's own user.
        g.pop("_login_user", None)

    app.before_request_funcs.setdefault(None, []).insert(0, forget_cached_user)

    hashed = {}

    def make_user(role, username):
        # One password hash for all (hashing is slow on purpose); no one signs in with it.
        from logistics.admin.models import User

        if not hashed:
            hashed["value"] = create_user(username, PASSWORD, role, "").password_hash
            user = db.session.scalar(select(User).where(User.username == username))
        else:
            user = User(username=username, role=role, password_hash=hashed["value"])
            db.session.add(user)
        db.session.commit()
        return user

    try:
        with app.app_context():
            world = build_province(app, make_user)
            clients = {"anonymous": app.test_client()}
            for name in ("op_a", "op_b", "viewer", "prov_op", "office_op", "pimpinan", "tagana"):
                client = app.test_client()
                with client.session_transaction() as session:
                    session["_user_id"] = getattr(world.users, name).get_id()
                    session["_fresh"] = True
                clients[name] = client
            world.clients = clients
            world.app = app
            world.db = db
            world.oracle = {}
            yield world
            db.session.remove()
            db.engine.dispose()
    finally:
        database_templates.discard(uri)
        reset_process_caches()


# --- filling the rules -------------------------------------------------------------------------


def _rules(app, methods):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in SKIPPED or not (rule.methods & set(methods)):
            continue
        yield rule


def _value(world, rule, name, key):
    fixed = ENDPOINT_VALUES.get((rule.endpoint, name))
    if fixed is not None:
        return fixed
    if key and name in area_values(world, "a"):
        return area_values(world, key)[name]
    if name in SHARED:
        return SHARED[name](world)
    if name == "code":
        return AREAS["b"].desa
    raise AssertionError(f"{rule.rule}: no value for <{name}>; add it to SHARED or area_values")


def _is_area_rule(world, rule) -> bool:
    if rule.endpoint in REFERENCE_CODES:
        return False
    return bool(set(rule.arguments) & set(area_values(world, "a")))


def urls(world, rule):
    """[(variant, url)]: one per kab/kota for a rule naming a kab/kota's record, else one."""
    variants = ("a", "b") if _is_area_rule(world, rule) else (None,)
    built = []
    with world.app.test_request_context():
        adapter = world.app.url_map.bind("localhost")
        for key in variants:
            values = {name: _value(world, rule, name, key) for name in rule.arguments}
            if any(value is None for value in values.values()):
                continue
            built.append((key, adapter.build(rule.endpoint, values, method=None)))
    return built


def exports(app, rule) -> bool:
    """Whether the rule's view answers ?format= with a file (CSV/XLSX)."""
    view = inspect.unwrap(app.view_functions[rule.endpoint])
    try:
        return '"format"' in inspect.getsource(view) or "_export_format()" in inspect.getsource(
            view
        )
    except OSError:
        return False


# --- reading the answers -----------------------------------------------------------------------


def body_text(response) -> str:
    """What a person could read in the answer: HTML, JSON, CSV, or the XML inside an XLSX."""
    data = response.get_data()
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return " ".join(
                archive.read(name).decode("utf-8", "replace")
                for name in archive.namelist()
                if name.endswith(".xml")
            )
    return data.decode("utf-8", "replace")


def markers(key: str) -> tuple[str, ...]:
    area = AREAS[key]
    return area.marker, area.nik, area.kk


def personal(key: str) -> tuple[str, ...]:
    area = AREAS[key]
    return f"Warga {area.marker}", f"Relawan {area.marker}", area.nik, area.kk


def leaked(response, key: str, words=markers) -> list[str]:
    if response.mimetype == "application/pdf":
        return []
    text = body_text(response)
    return [word for word in words(key) if word in text]


def get(world, actor, url):
    return world.clients[actor].get(url)


def oracle_status(world, actor, url) -> int:
    """What the unscoped user of the same role gets: the role decides, not the scope."""
    if (actor, url) not in world.oracle:
        world.oracle[(actor, url)] = get(world, actor, url).status_code
    return world.oracle[(actor, url)]


def _finish(problems, pending_hits):
    if pending_hits:
        print("\nPENDING (fixed on another branch):")
        for line in sorted(set(pending_hits)):
            print("  " + line)
    assert not problems, "\n".join(problems)


# --- the matrix ----------------------------------------------------------------------------------


OTHER = {"a": "b", "b": "a"}
# Which kab/kota each scoped actor works in, and whose answers theirs must equal: the whole
# office's user of the same role (the role decides what a page is, the scope only what it holds).
SCOPED = {"op_a": "a", "op_b": "b", "tagana": "b"}
ORACLE = {"op_a": "office_op", "op_b": "office_op", "prov_op": "office_op", "viewer": "pimpinan"}
# The user who started a job sees it, and a generated file is served to the scope it was made
# for: another user of the same role does not get them, whatever their scope.
OWNED = ("job_id", "file_id")


def _report(lines, rule, line):
    (lines[1] if rule.endpoint in PENDING else lines[0]).append(line)


def _own_problems(world, actor, rule, url, response) -> list[str]:
    """An answer about the actor's own kab/kota (or a list): the same status as the whole
    office's user of the role, nothing of the other kab/kota, in the page or its exports."""
    status, wrong = response.status_code, []
    if actor in SCOPED and rule.endpoint.startswith(OFFICE_OWN):
        if status != 403:
            wrong.append(f"{status}, expected 403 (the whole office's own)")
    elif actor in ORACLE and not set(OWNED) & set(rule.arguments):
        expected = oracle_status(world, ORACLE[actor], url)
        if status != expected:
            wrong.append(f"{status}, the whole office's {ORACLE[actor]} gets {expected}")
    if status >= 500:
        wrong.append(str(status))
    if actor not in SCOPED or status != 200:
        return wrong
    other = OTHER[SCOPED[actor]]
    words = personal if rule.endpoint in PUBLIC else markers
    found = leaked(response, other, words)
    if found:
        wrong.append(f"shows {found}")
    if actor == "op_b" and exports(world.app, rule):
        for fmt in ("csv", "xlsx"):
            exported = get(world, actor, f"{url}{'&' if '?' in url else '?'}format={fmt}")
            if leaked(exported, other, words):
                wrong.append(f"its {fmt} shows {leaked(exported, other, words)}")
    return wrong


def _read_matrix(world, actor, *, lists: bool):
    """Every GET rule (only those naming a kab/kota's record unless `lists`), each variant."""
    lines = ([], [])
    own = SCOPED.get(actor)
    for rule in _rules(world.app, ["GET"]):
        if not lists and not _is_area_rule(world, rule):
            continue
        for key, url in urls(world, rule):
            response = get(world, actor, url)
            if own and key == OTHER[own]:
                # 404, or 403 where the role refuses the page before the record is looked up.
                bad = response.status_code not in (403, 404)
                wrong = [f"{response.status_code}, expected 404"] if bad else []
            else:
                wrong = _own_problems(world, actor, rule, url, response)
            if wrong:
                _report(lines, rule, f"{actor} GET {url} [{rule.endpoint}]: {'; '.join(wrong)}")
    _finish(*lines)


def test_a_kab_kota_operator_reads_only_their_own_kab_kota(matrix):
    """Operator B: every page, list, export and API answer of the url map."""
    _read_matrix(matrix, "op_b", lists=True)


def test_the_other_kab_kota_operator_is_refused_the_first_ones_records(matrix):
    """Operator A, the mirror image, on every rule that names a record."""
    _read_matrix(matrix, "op_a", lists=False)


def test_a_kab_kota_tagana_coordinator_reads_only_their_own_kab_kota(matrix):
    _read_matrix(matrix, "tagana", lists=True)


@pytest.mark.parametrize("actor", ["viewer", "prov_op"])
def test_a_provincial_user_opens_every_kab_kotas_records(matrix, actor):
    """Seeing the whole province, they get what the office's unscoped user of their role gets."""
    _read_matrix(matrix, actor, lists=False)


def test_an_anonymous_visitor_is_sent_to_sign_in_and_public_pages_name_nobody(matrix):
    problems = []
    for rule in _rules(matrix.app, ["GET"]):
        for _key, url in urls(matrix, rule)[:1]:
            response = get(matrix, "anonymous", url)
            status = response.status_code
            if rule.endpoint in PUBLIC:
                found = [w for key in AREAS for w in leaked(response, key, personal)]
                if status >= 500 or found:
                    problems.append(f"GET {url}: {status} {found}")
            elif url.startswith("/api/"):
                if status != 401:
                    problems.append(f"GET {url}: {status}, expected 401")
            elif status != 302 or "/masuk" not in response.headers.get("Location", ""):
                problems.append(f"GET {url}: {status}, expected the sign-in page")
    assert not problems, "\n".join(problems)


def _row_counts(world) -> dict[str, int]:
    session = world.db.session
    return {
        table.name: session.scalar(select(func.count()).select_from(table))
        for table in world.db.metadata.sorted_tables
        if table.name not in ("jobs", "audit_log")
    }


@pytest.mark.parametrize("actor", ["op_a", "op_b"])
def test_a_write_to_the_other_kab_kotas_record_is_refused_and_writes_nothing(matrix, actor):
    other = OTHER[SCOPED[actor]]
    before = _row_counts(matrix)
    problems, pending = [], []
    for rule in _rules(matrix.app, WRITE_METHODS):
        if not _is_area_rule(matrix, rule):
            continue
        if rule.endpoint in PENDING:
            pending.append(f"{actor} {sorted(rule.methods)} {rule.rule}: not sent")
            continue
        for key, url in urls(matrix, rule):
            if key != other:
                continue
            for method in sorted(rule.methods & set(WRITE_METHODS)):
                client = matrix.clients[actor]
                send = getattr(client, method.lower())
                body = {"json": {}} if url.startswith("/api/") else {"data": {}}
                status = send(url, **body).status_code
                if status not in (403, 404):
                    line = f"{actor} {method} {url} [{rule.endpoint}]: {status}"
                    (pending if rule.endpoint in PENDING else problems).append(line)
    matrix.db.session.expire_all()
    after = _row_counts(matrix)
    changed = {name: (before[name], after[name]) for name in before if before[name] != after[name]}
    assert not changed, f"rows written: {changed}"
    _finish(problems, pending)


def test_every_rule_of_the_url_map_is_in_the_matrix(matrix):
    """A rule the matrix cannot fill (a new parameter name) fails here, not silently."""
    missing = []
    for rule in matrix.app.url_map.iter_rules():
        if rule.endpoint in SKIPPED:
            continue
        try:
            built = urls(matrix, rule)
        except AssertionError as error:
            missing.append(str(error))
            continue
        if not built:
            missing.append(f"{rule.rule}: no URL built")
    assert not missing, "\n".join(missing)
    assert set(PENDING) <= {rule.endpoint for rule in matrix.app.url_map.iter_rules()}
    assert not re.search(r"\s", "".join(PENDING))


# --- what the url map cannot show: ids in bodies, jobs, whole-office files -----------------------


def test_ids_and_codes_in_a_body_are_held_to_the_scope_too(matrix):
    """Tagana writes name a member, an event or a kelurahan in the body: another kab/kota's
    answer 404 (member) or 403 (area), and nothing is written."""
    from logistics.tagana.models import KampungSiagaBencana
    from logistics.victims.models import Person

    client, a = matrix.clients["op_b"], matrix.a
    before = _row_counts(matrix)
    member = {"nia": "NIA-LUAR", "name": "Relawan Luar", "sex": "L",
              "home_kelurahan_code": AREAS["a"].desa}  # fmt: skip
    assert client.post("/api/v1/tagana/members", json=member).status_code == 403
    ksb = {"name": "KSB Luar", "kelurahan_code": AREAS["a"].desa, "formed_year": 2024}
    assert client.post("/api/v1/tagana/ksb", json=ksb).status_code == 403
    moved = client.patch(f"/api/v1/tagana/ksb/{matrix.b.ksb.id}", json=ksb)
    assert moved.status_code == 403
    deployment = {"member_id": a.member.id, "event_id": matrix.b.event.id,
                  "place_kind": "posko", "place_name": "Posko Curup", "role": "Petugas",
                  "letter_number": "800/1", "starts_at": "2026-11-22T08:00"}  # fmt: skip
    assert client.post("/api/v1/tagana/deployments", json=deployment).status_code == 404
    # A family card of the other kab/kota is neither shown nor filled in by a new registration.
    household = {"event_id": matrix.b.event.id, "kelurahan_code": AREAS["b"].desa,
                 "no_kk": AREAS["a"].kk, "address": "Jalan Baru", "status": "mengungsi"}  # fmt: skip
    refused = client.post("/korban/daftar", data=household)
    assert refused.status_code == 409 and "di luar wilayah kerja" in refused.get_data(as_text=True)
    # The API refuses it the same way: no member added to that family, nothing of it shown.
    joined = client.post(
        "/api/v1/victims",
        json={"event_id": matrix.b.event.id, "kelurahan_code": AREAS["b"].desa,
              "status": "mengungsi", "household": {"no_kk": AREAS["a"].kk},
              "person": {"name": "Anggota Baru", "no_nik_reason": "dokumen_hilang", "sex": "P"}},
    )  # fmt: skip
    assert joined.status_code == 409 and joined.get_json()["field"] == "no_kk"
    assert "Alfazet" not in joined.get_data(as_text=True)
    # The other kab/kota's likely duplicates are neither listed nor merged.
    assert "Alfazet" in matrix.clients["office_op"].get("/korban/duplikat").get_data(as_text=True)
    assert "Alfazet" not in client.get("/korban/duplikat").get_data(as_text=True)
    merge = {"keep_id": a.victim.person_id, "duplicate_id": a.twin.id}
    assert client.post("/korban/duplikat/gabung", data=merge).status_code == 302
    matrix.db.session.expire_all()
    assert _row_counts(matrix) == before
    assert matrix.db.session.get(KampungSiagaBencana, matrix.b.ksb.id).name == "KSB Betazet"
    assert matrix.db.session.get(Person, a.twin.id).merged_into_id is None
    assert not a.victim.person.household.address


def test_a_scoped_pimpinan_sees_only_their_own_jobs(matrix):
    """The jobs of the office's operators may name any area's records: a pimpinan who sees the
    whole office sees them all, one scoped to part of it only their own."""
    job_a = matrix.a.job.id
    assert matrix.clients["pimpinan"].get(f"/pekerjaan/{job_a}").status_code == 200
    assert matrix.clients["viewer"].get(f"/pekerjaan/{job_a}").status_code == 200
    from logistics.admin.scopes import set_scope

    narrow = matrix.users.pimpinan
    set_scope(narrow, record="", see="17.02")
    matrix.db.session.commit()
    try:
        client = matrix.clients["pimpinan"]
        assert client.get(f"/pekerjaan/{job_a}").status_code == 404
        assert "Alfazet" not in client.get("/pekerjaan/").get_data(as_text=True)
    finally:
        set_scope(narrow, record="", see="")
        matrix.db.session.commit()
    assert "Alfazet" in matrix.clients["pimpinan"].get("/pekerjaan/").get_data(as_text=True)


def test_a_year_end_file_is_only_for_those_who_see_the_whole_office(matrix):
    from logistics.reports.models import ReportFile

    record = ReportFile(kind="year_end", key="year:2026", format="html", filename="akhir.html",
                        size=9, content=b"<p>semua</p>")  # fmt: skip
    matrix.db.session.add(record)
    matrix.db.session.commit()
    url = f"/laporan/berkas/{record.id}"
    try:
        assert matrix.clients["viewer"].get(url).status_code == 200
        assert matrix.clients["op_b"].get(url).status_code == 404
    finally:
        matrix.db.session.delete(record)
        matrix.db.session.commit()
