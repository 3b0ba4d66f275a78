"""The audit log page: Indonesian words, office time, changes as 'field: old → new', filters."""

import ast
import csv
import io
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from logistics.admin.audit_labels import ACTIONS, ENTITIES, FIELDS
from logistics.admin.models import User
from logistics.core.models import AuditEntry


def _entry(db, **values) -> AuditEntry:
    entry = AuditEntry(**{"actor": "sistem", "changes": {}, **values})
    db.session.add(entry)
    db.session.commit()
    return entry


def test_an_update_reads_as_field_old_new_in_indonesian(client, make_user, login, db):
    login(make_user("admin", "kepala-it"))
    client.post(
        "/admin/pengguna/baru",
        data={"username": "budi", "full_name": "Budi", "role": "tagana", "password": "kuatsekali"},
    )
    budi = db.session.scalar(select(User).where(User.username == "budi"))
    client.post(
        f"/admin/pengguna/{budi.id}",
        data={"username": "budi", "full_name": "Budi", "role": "operator", "active": "y"},
    )
    page = client.get("/admin/audit?entitas=users&aksi=update").get_data(as_text=True)
    assert "peran: tagana → operator" in page
    assert "mengubah" in page and "Pengguna" in page
    assert '"role"' not in page and "[&#34;tagana&#34;" not in page
    created = client.get("/admin/audit?entitas=users&aksi=create").get_data(as_text=True)
    assert "nama pengguna: budi" in created and "menambah" in created


def test_times_are_shown_in_the_office_time_zone(client, make_user, login, db):
    login(make_user("admin"))
    # 01:30 UTC is 08:30 in Jakarta; the stored value of a date-time field is UTC too.
    _entry(
        db,
        at=datetime(2026, 12, 7, 1, 30),
        action="update",
        entity="shelters",
        entity_id="4",
        changes={"closed_at": [None, "2026-12-06T23:15:00"], "counted_on": ["2026-12-01", None]},
    )
    page = client.get("/admin/audit?entitas=shelters").get_data(as_text=True)
    assert "7 Desember 2026 08.30 WIB" in page
    assert "ditutup pada: (kosong) → 7 Desember 2026 06.15 WIB" in page
    assert "tanggal hitung: 1 Desember 2026 → (kosong)" in page
    assert "Pengungsian #4" in page


def test_filters_by_user_object_and_office_day(client, make_user, login, db):
    login(make_user("admin"))
    # 20:00 UTC on 6 December is 03:00 on 7 December in the office.
    _entry(db, at=datetime(2026, 12, 6, 20, 0), actor="ani", action="delete", entity="items")
    _entry(db, at=datetime(2026, 12, 6, 12, 0), actor="ani", action="delete", entity="warehouses")
    _entry(db, at=datetime(2026, 12, 7, 2, 0), actor="joko", action="delete", entity="vehicles")

    def shown(query: str) -> set[str]:
        page = client.get("/admin/audit?" + query).get_data(as_text=True)
        return {label for label in ("Barang", "Gudang", "Kendaraan") if f"{label}</td>" in page}

    assert shown("") == {"Barang", "Gudang", "Kendaraan"}
    assert shown("pelaku=ani") == {"Barang", "Gudang"}
    assert shown("entitas=vehicles") == {"Kendaraan"}
    assert shown("dari=2026-12-07&sampai=2026-12-07") == {"Barang", "Kendaraan"}
    assert shown("sampai=2026-12-06") == {"Gudang"}
    page = client.get("/admin/audit").get_data(as_text=True)
    # The filter lists offer what the log holds, by its Indonesian name.
    assert '<option value="vehicles">Kendaraan</option>' in page
    assert '<option value="joko">joko</option>' in page


def test_a_bad_date_filter_says_what_to_type(client, make_user, login):
    login(make_user("admin"))
    response = client.get("/admin/audit?dari=kemarin")
    assert response.status_code == 422
    assert "Tanggal awal harus tanggal berformat TTTT-BB-HH" in response.get_data(as_text=True)


def test_export_uses_the_same_words_and_office_time(client, make_user, login, db):
    login(make_user("admin"))
    _entry(
        db,
        at=datetime(2026, 12, 7, 1, 30),
        action="update",
        entity="users",
        entity_id="9",
        changes={"role": ["tagana", "operator"], "active": [True, False]},
    )
    body = client.get("/admin/audit?entitas=users&format=csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:4] == ["Waktu", "Pelaku", "Aksi", "Objek"]
    row = next(r for r in rows[1:] if r[4] == "9")
    assert row[0] == "7 Desember 2026 08.30 WIB"
    assert row[2:4] == ["mengubah", "Pengguna"]
    assert row[5] == "peran: tagana → operator; aktif: ya → tidak"


def test_every_audited_table_and_logged_action_has_a_label(app):
    from logistics.core.extensions import db

    tables = {
        m.class_.__tablename__
        for m in db.Model.registry.mappers
        if getattr(m.class_, "__audit__", False)
    }
    assert tables - ENTITIES.keys() == set()
    # Every named action the code logs: the first argument of each record_action call.
    logged = set()
    for path in Path("logistics").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", getattr(node.func, "id", "")) == "record_action"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                logged.add(node.args[0].value)
                if len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
                    assert node.args[1].value in ENTITIES, node.args[1].value
    assert logged and logged - ACTIONS.keys() == set()
    assert all(label and label == label.strip() for label in FIELDS.values())
