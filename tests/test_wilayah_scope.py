"""Wilayah scope: two kab/kota operators cannot reach each other's data by page, API, export or id;
a provincial viewer sees both; the CLI and the user page set scopes; break the glass."""

import csv
import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from logistics.core.models import AuditEntry
from logistics.core.time import utcnow
from logistics.distributions.models import Distribution
from logistics.events.models import Event
from logistics.shelters.models import Shelter
from logistics.victims.models import AccessGrant, Person, Victim
from logistics.victims.persons import PersonInput
from tests.support.db import count
from tests.support.province import DESA_A, DESA_B, KK_A, NIK_A


def _ids(world, key):
    w = world[key]
    return {
        "event": w["event"].id,
        "victim": w["victim"].id,
        "person": w["victim"].person_id,
        "shelter": w["shelter"].id,
        "handout": w["handout"].id,
    }


def _pages(ids):
    return [
        f"/kejadian/{ids['event']}",
        f"/kejadian/{ids['event']}/ubah",
        f"/korban/orang/{ids['person']}",
        f"/pengungsian/{ids['shelter']}",
        f"/penyaluran/{ids['handout']}",
        f"/api/v1/events/{ids['event']}",
        f"/api/v1/victims/{ids['victim']}",
        f"/api/v1/shelters/{ids['shelter']}",
        f"/api/v1/distributions/{ids['handout']}",
    ]


def test_operators_cannot_open_each_others_records_by_id(province, client_for):
    client = client_for(province["op_b"])
    for url in _pages(_ids(province, "a")):
        assert client.get(url).status_code == 404, url
    for url in _pages(_ids(province, "b")):
        assert client.get(url).status_code == 200, url


def test_lists_exports_and_api_lists_hold_only_the_users_wilayah(province, client_for):
    client = client_for(province["op_b"])
    victims = client.get("/korban/").get_data(as_text=True)
    assert "Warga B" in victims and "Warga A" not in victims
    export = client.get("/korban/?format=csv").get_data(as_text=True)
    names = [row[1] for row in csv.reader(io.StringIO(export))][1:]
    assert names == ["Warga B"]
    api = client.get("/api/v1/victims").get_json()
    assert [item["person"]["name"] for item in api["items"]] == ["Warga B"]
    events = client.get("/api/v1/events").get_json()
    assert [e["title"] for e in events["items"]] == ["Banjir 17.02"]
    events_csv = client.get("/kejadian/?format=csv").get_data(as_text=True)
    assert "Banjir 17.02" in events_csv and "Banjir 17.01" not in events_csv
    shelters = client.get("/api/v1/shelters").get_json()
    assert [s["name"] for s in shelters["items"]] == ["Posko B"]
    assert "Posko A" not in client.get("/pengungsian/?format=csv").get_data(as_text=True)
    handouts = client.get("/api/v1/distributions").get_json()
    assert [d["id"] for d in handouts["items"]] == [province["b"]["handout"].id]


def test_a_provincial_viewer_sees_both_and_changes_neither(province, client_for, db):
    client = client_for(province["viewer"])
    victims = client.get("/korban/").get_data(as_text=True)
    assert "Warga A" in victims and "Warga B" in victims
    assert client.get("/api/v1/victims").get_json()["count"] == 2
    assert client.get("/api/v1/events").get_json()["count"] == 2
    for key in ("a", "b"):
        for url in _pages(_ids(province, key)):
            if "/ubah" not in url:  # a pimpinan edits nothing, whatever the scope
                assert client.get(url).status_code == 200, url


def test_writes_to_the_other_wilayah_are_refused_and_write_nothing(province, client_for, db):
    client = client_for(province["op_b"])
    ids = _ids(province, "a")
    before = db.session.get(Event, ids["event"]).title
    edit = client.post(f"/kejadian/{ids['event']}/ubah", data={"title": "Diubah"})
    assert edit.status_code == 404
    patch = client.patch(f"/api/v1/events/{ids['event']}", json={"title": "Diubah"})
    assert patch.status_code == 404
    moved = client.patch(f"/api/v1/victims/{ids['victim']}", json={"status": "menderita"})
    assert moved.status_code == 404
    shelter = client.patch(f"/api/v1/shelters/{ids['shelter']}", json={"capacity": 5})
    assert shelter.status_code == 404
    db.session.expire_all()
    assert db.session.get(Event, ids["event"]).title == before
    assert db.session.get(Victim, ids["victim"]).status == "mengungsi"
    # Their own victim may not be moved into the other kab/kota either.
    own = province["b"]["victim"].id
    refused = client.patch(f"/api/v1/victims/{own}", json={"kelurahan_code": DESA_A})
    assert refused.status_code == 403 and "17.02" in refused.get_json()["message"]
    created = client.post(
        "/api/v1/victims",
        json={
            "event_id": province["b"]["event"].id,
            "status": "mengungsi",
            "kelurahan_code": DESA_A,
            "person": {"name": "Orang Luar", "no_nik_reason": "dokumen_hilang", "sex": "L"},
        },
    )
    assert created.status_code == 403, created.get_json()
    db.session.expire_all()
    assert db.session.get(Victim, own).kelurahan_code == DESA_B
    assert count(db, Victim) == 2
    assert (
        client.post(
            "/api/v1/shelters",
            json={"name": "Posko Liar", "kind": "barak", "capacity": 10, "kelurahan_code": DESA_A},
        ).status_code
        == 403
    )
    assert count(db, Shelter) == 2


def test_a_kab_kota_operator_opens_events_in_their_own_kab_kota(province, client_for, db):
    client = client_for(province["op_b"])
    response = client.post(
        "/api/v1/events",
        json={
            "hazard_type_id": province["hazard"],
            "title": "Longsor Curup",
            "started_at": "2026-11-22T08:00",
        },
    )
    assert response.status_code == 201, response.get_json()
    event = db.session.get(Event, response.get_json()["id"])
    assert event.area_code == "17.02"
    outside = client.post(
        "/api/v1/events",
        json={
            "hazard_type_id": province["hazard"],
            "title": "Banjir Manna",
            "started_at": "2026-11-22T08:00",
            "kelurahan_codes": [DESA_A],
        },
    )
    assert outside.status_code == 403
    assert db.session.scalar(select(Event).where(Event.title == "Banjir Manna")) is None


def test_a_province_wide_event_is_seen_below_but_changed_only_by_the_province(
    province, client_for, make_user, db
):
    from logistics.admin.scopes import set_scope

    staff = make_user("operator", "prov-staff")
    set_scope(staff, record="17", see="17")
    db.session.commit()
    provincial = client_for(staff)
    made = provincial.post(
        "/api/v1/events",
        json={
            "hazard_type_id": province["hazard"],
            "title": "Banjir se-Provinsi",
            "started_at": "2026-11-22",
        },
    )
    assert made.status_code == 201
    event_id = made.get_json()["id"]
    assert db.session.get(Event, event_id).area_code == "17"
    kab = client_for(province["op_b"])
    assert kab.get(f"/api/v1/events/{event_id}").status_code == 200
    assert kab.patch(f"/api/v1/events/{event_id}", json={"title": "X"}).status_code == 403
    assert db.session.get(Event, event_id).title == "Banjir se-Provinsi"
    # Its victims list shows a kab/kota user only the victims of their kab/kota.
    from logistics.victims.services import register_victim

    event = db.session.get(Event, event_id)
    for name, desa in (("Korban Manna", DESA_A), ("Korban Curup", DESA_B)):
        register_victim(
            event,
            PersonInput(name=name, no_nik_reason="dokumen_hilang", sex="L"),
            status="menderita",
            kelurahan_code=desa,
        )
    db.session.commit()
    listed = kab.get(f"/kejadian/{event_id}/korban?format=csv").get_data(as_text=True)
    assert "Korban Curup" in listed and "Korban Manna" not in listed
    page = kab.get(f"/kejadian/{event_id}").get_data(as_text=True)
    assert "Korban Curup" in page and "Korban Manna" not in page
    whole = provincial.get(f"/kejadian/{event_id}/korban?format=csv").get_data(as_text=True)
    assert "Korban Curup" in whole and "Korban Manna" in whole

    # The province changes its own event, and only reads a kab/kota's: page, form and API.
    renamed = provincial.patch(f"/api/v1/events/{event_id}", json={"title": "Banjir Bengkulu"})
    assert renamed.status_code == 200, renamed.get_json()
    kab_event = province["b"]["event"]
    before = kab_event.title
    refused = provincial.patch(f"/api/v1/events/{kab_event.id}", json={"title": "Diambil alih"})
    assert refused.status_code == 403
    assert "tingkat provinsi" in refused.get_json()["message"]
    form = provincial.post(f"/kejadian/{kab_event.id}/ubah", data={"title": "Diambil alih"})
    assert form.status_code == 403
    closed = provincial.post(f"/kejadian/{kab_event.id}/tutup")
    assert closed.status_code == 403
    db.session.expire_all()
    assert db.session.get(Event, kab_event.id).title == before
    assert db.session.get(Event, kab_event.id).closed_at is None
    assert db.session.get(Event, event_id).title == "Banjir Bengkulu"
    page = provincial.get(f"/kejadian/{kab_event.id}").get_data(as_text=True)
    assert "akun Anda membacanya saja" in page and f"/kejadian/{kab_event.id}/ubah" not in page
    own_page = provincial.get(f"/kejadian/{event_id}").get_data(as_text=True)
    assert f"/kejadian/{event_id}/ubah" in own_page and "membacanya saja" not in own_page


def test_the_audit_log_records_the_scope_of_a_change(province, client_for, db):
    client = client_for(province["op_b"])
    own = province["b"]["victim"].id
    assert client.patch(f"/api/v1/victims/{own}", json={"status": "menderita"}).status_code == 200
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.entity == "victims", AuditEntry.action == "update")
    )
    assert entry.actor == "op-b" and entry.scope == "lihat 17.02; catat 17.02"


def test_the_cli_sets_the_scope_and_refuses_codes_outside_the_office(province, app, db):
    from logistics.admin.models import User

    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "kab-op",
            "--role",
            "operator",
            "--password",
            "rahasia-123",
            "--area",
            "17.02",
            "--see-area",
            "17",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "kab-op"))
    assert (user.record_areas, user.see_areas) == ("17.02", "17")
    result = runner.invoke(
        args=[
            "users",
            "create",
            "luar-op",
            "--role",
            "operator",
            "--password",
            "rahasia-123",
            "--area",
            "32.75",
        ]
    )
    assert result.exit_code != 0 and "di luar wilayah kantor" in result.output
    unknown = runner.invoke(
        args=[
            "users",
            "create",
            "salah-op",
            "--role",
            "operator",
            "--password",
            "rahasia-123",
            "--area",
            "17.09",
        ]
    )
    assert unknown.exit_code != 0 and "tidak ada di data wilayah" in unknown.output
    assert db.session.scalar(select(User).where(User.username.in_(["luar-op", "salah-op"]))) is None
    whole = runner.invoke(
        args=["users", "create", "semua-op", "--role", "operator", "--password", "rahasia-123"]
    )
    assert whole.exit_code == 0 and "the whole office area" in whole.output


def test_the_user_page_sets_and_refuses_scopes(province, client_for, make_user, db):
    admin = client_for(make_user("admin"))
    op = province["op_a"]
    refused = admin.post(
        f"/admin/pengguna/{op.id}",
        data={"username": op.username, "role": "operator", "active": "y", "record_areas": "31.71"},
    )
    assert refused.status_code == 422
    assert "di luar wilayah kantor" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(op), op.id).record_areas == "17.01"
    saved = admin.post(
        f"/admin/pengguna/{op.id}",
        data={
            "username": op.username,
            "role": "operator",
            "active": "y",
            "record_areas": "17.01.01",
            "see_areas": "17.01",
        },
    )
    assert saved.status_code == 302
    db.session.expire_all()
    user = db.session.get(type(op), op.id)
    assert (user.record_areas, user.see_areas) == ("17.01.01", "17.01")


def test_break_the_glass_needs_a_reason_is_audited_and_expires(province, client_for, db, app):
    client = client_for(province["op_b"])
    person_a = province["a"]["victim"].person_id
    assert client.get(f"/korban/orang/{person_a}").status_code == 404
    refused = client.post("/korban/lintas-wilayah/", data={"number": NIK_A, "reason": ""})
    assert refused.status_code == 422
    assert "alasan" in refused.get_data(as_text=True)
    assert count(db, AccessGrant) == 0
    assert client.get(f"/korban/orang/{person_a}").status_code == 404

    found = client.post(
        "/korban/lintas-wilayah/",
        data={"number": KK_A, "reason": "Keluarga mengungsi ke Curup, cek bantuan sebelumnya"},
    )
    page = found.get_data(as_text=True)
    assert found.status_code == 200 and "Warga A" in page and NIK_A not in page
    assert found.headers["Cache-Control"] == "no-store"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "break_glass"))
    assert entry.actor == "op-b" and entry.changes["reason"].startswith("Keluarga mengungsi")
    assert entry.changes["found"] == [person_a] and KK_A not in str(entry.changes)
    assert client.get(f"/korban/orang/{person_a}").status_code == 200
    # Read-only: the grant opens the page, not a change to the other kab/kota's record.
    victim_a = province["a"]["victim"].id
    status = client.patch(f"/api/v1/victims/{victim_a}", json={"status": "menderita"})
    assert status.status_code == 404

    grant = db.session.scalar(select(AccessGrant).where(AccessGrant.person_id == person_a))
    minutes = (grant.expires_at - grant.granted_at).total_seconds() / 60
    assert minutes == pytest.approx(app.config["BREAK_GLASS_MINUTES"], abs=0.1)
    for row in db.session.scalars(select(AccessGrant)):
        row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(f"/korban/orang/{person_a}").status_code == 404


def test_the_double_aid_guard_looks_across_the_whole_office(province, client_for, db):
    """A family handed food in 17.01 who moved to 17.02: operator B's second ration the same
    day is refused, though B cannot see the first hand-out."""
    from logistics.admin.scopes import set_scope
    from logistics.distributions.models import DistributionRecipient

    person = db.session.get(Person, province["a"]["victim"].person_id)
    event = province["a"]["event"]
    first = Distribution(
        event_id=event.id,
        component="permakanan",
        phase="saat",
        recipient_kind="household",
        household_id=person.household_id,
        kelurahan_code=DESA_A,
        distributed_on=date(2026, 11, 22),
        created_by_id=province["op_a"].id,
    )
    db.session.add(first)
    db.session.flush()
    db.session.add(DistributionRecipient(distribution_id=first.id, person_id=person.id))
    # The family is registered again where they now stay; the event covers the province.
    event.area_code = None
    db.session.get(Victim, province["a"]["victim"].id).kelurahan_code = DESA_B
    set_scope(province["op_b"], record="17.02", see="")
    db.session.commit()
    client = client_for(province["op_b"])
    listed = client.get("/api/v1/distributions").get_json()
    assert first.id not in [d["id"] for d in listed["items"]]
    second = client.post(
        "/api/v1/distributions",
        json={
            "event_id": event.id,
            "component": "permakanan",
            "phase": "saat",
            "household_id": person.household_id,
            "distributed_on": "2026-11-22",
            "kelurahan_code": DESA_B,
            "service_note": "nasi bungkus",
            "receiver_name": "Warga A",
        },
    )
    assert second.status_code == 409, second.get_json()
    assert second.get_json()["field"] == "override_reason"
    assert count(db, Distribution) == 3


def test_a_victim_import_refuses_rows_outside_the_uploaders_wilayah(
    province, client_for, db, run_jobs
):
    """The import job checks every row against the record scope of whoever uploaded the list,
    and writes its audit entries under that scope."""
    client = client_for(province["op_b"])
    lines = [
        "nik,nama,jenis_kelamin,status,kode_kelurahan",
        "1702012003100003,Anak Curup,L,mengungsi," + DESA_B,
        "1701014501900004,Warga Manna,P,mengungsi," + DESA_A,
    ]
    response = client.post(
        "/korban/impor",
        data={"event_id": str(province["b"]["event"].id),
              "file": (io.BytesIO("\n".join(lines).encode()), "daftar.csv")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 302
    check_url = response.headers["Location"]
    run_jobs()
    page = client.get(check_url).get_data(as_text=True)
    assert "di luar wilayah kerja pengunggah (17.02)" in page
    assert "Konfirmasi: impor 1 baris" in page
    confirm = client.post(f"{check_url}/konfirmasi")
    run_jobs()
    assert confirm.status_code == 302
    names = set(db.session.scalars(select(Person.name)))
    assert "Anak Curup" in names and "Warga Manna" not in names
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "import_victims"))
    assert entry.actor == "op-b" and entry.scope == "lihat 17.02; catat 17.02"


# Ids in URLs that name no record with a wilayah of its own (reference data, users, jobs) or
# whose scope is a later step (Tagana, budget, field devices). A new id
# parameter must be guarded in register_scope_guards or listed here.
INT_ID = r"<int:(\w+)>"
NOT_GUARDED = {
    "decree_id": "belongs to an event; the route also names the event",
    "hazard_id": "reference list",
    "item_id": "reference list",
    "realisation_id": "budget: the office's own, closed to scoped users (whole_office_only)",
    "target_id": "SPM targets: the office's own",
    "user_id": "accounts: admin only",
    "vehicle_id": "the office's vehicles: no wilayah of their own, shared by every kab/kota",
    "year": "a year, not a record",
}


def test_every_id_in_the_url_map_is_guarded_or_listed(app):
    from logistics.core.scope import guarded_parameters

    ids = {name for rule in app.url_map.iter_rules() for name in re.findall(INT_ID, rule.rule)}
    guarded = set(guarded_parameters())
    assert guarded == {
        "event_id", "victim_id", "person_id", "household_id", "shelter_id", "distribution_id",
        "member_id", "training_id", "deployment_id", "ksb_id", "file_id",
        "warehouse_id", "document_id", "kitchen_id", "record_id",
    }  # fmt: skip
    assert ids - guarded == set(NOT_GUARDED), "guard the new id parameter or list it here"
