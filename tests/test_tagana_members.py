"""Members, trainings, Kampung Siaga Bencana and vehicles: what is stored and what is refused."""

from datetime import date

import pytest
from sqlalchemy import select

from logistics.core.errors import Conflict, DomainError
from logistics.core.models import AuditEntry
from logistics.tagana import ksb as ksb_service
from logistics.tagana import members as member_service
from logistics.tagana import trainings as training_service
from logistics.tagana import vehicles as vehicle_service
from tests.support.tagana import make_member


@pytest.fixture
def area(db, bekasi):
    """Kota Bekasi's kelurahan, for home kelurahan and KSB codes."""


def test_create_member_with_competencies_by_code_or_name(area):
    member = member_service.create_member(
        nia=" TGN.3275.2019.014 ",
        name="Rina  Marlina",
        sex="perempuan",
        level="Task Force",
        phone="0812-1234-5678",
        home_kelurahan_code="32.75.09.1002",
        decree_number="800/123/Dinsos/2019",
        decree_date="15/03/2019",
        joined_on="2019-03-01",
        competencies="dapur_umum; Dukungan psikososial, shelter",
    )
    assert member.nia == "TGN.3275.2019.014"
    assert member.name == "Rina Marlina"
    assert member.sex == "P"
    assert member.level == "task_force"
    assert member.decree_date == date(2019, 3, 15)
    assert sorted(c.code for c in member.competencies) == ["dapur_umum", "psikososial", "shelter"]
    assert member.active is True


def test_duplicate_nia_is_refused(area):
    make_member("TGN-001", "Budi Santoso")
    with pytest.raises(Conflict) as caught:
        member_service.create_member(nia="tgn-001", name="Budi Lain", sex="L")
    assert caught.value.field == "nia"
    assert "Budi Santoso" in caught.value.message


def test_unknown_competency_is_refused(area):
    with pytest.raises(DomainError) as caught:
        member_service.create_member(
            nia="TGN-002", name="Andi", sex="L", competencies=["shelter", "menyelam"]
        )
    assert caught.value.field == "competencies"
    assert "'menyelam' tidak dikenal" in caught.value.message
    assert "dapur_umum" in caught.value.message  # the known codes are listed


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("level", "Senior", "Tingkat 'Senior' tidak dikenal"),
        ("sex", "X", "Jenis kelamin 'X' tidak dikenal"),
        ("birth_date", "31/02/1990", "Tanggal lahir harus tanggal"),
        ("joined_on", "2999-01-01", "Tanggal bergabung tidak boleh di masa depan"),
        ("home_kelurahan_code", "32.75.99.1001", "tidak dikenal"),
        ("home_kelurahan_code", "3275011001", "salah format"),
        ("phone", "telepon saya", "tidak valid"),
        ("name", "   ", "Nama wajib diisi"),
    ],
)
def test_bad_member_values(area, field, value, expected):
    values = {"nia": "TGN-003", "name": "Dewi", "sex": "P", field: value}
    with pytest.raises(DomainError, match=expected) as caught:
        member_service.create_member(**values)
    assert caught.value.field == field


def test_member_linked_to_a_tagana_account(area, make_user):
    operator = make_user("operator", "siti")
    budi = make_user("tagana", "budi")
    with pytest.raises(DomainError, match="hanya akun berperan Tagana"):
        member_service.create_member(nia="TGN-010", name="Siti", sex="P", user_id=operator.id)
    member = make_member("TGN-011", "Budi", user_id=budi.id)
    assert member_service.member_for_user(budi).id == member.id
    assert budi not in member_service.unlinked_tagana_users()
    assert budi in member_service.unlinked_tagana_users(member)
    with pytest.raises(Conflict, match="sudah ditautkan") as caught:
        member_service.create_member(nia="TGN-012", name="Budi Kembar", sex="L", user_id=budi.id)
    assert caught.value.field == "user_id"


def test_update_member_logs_competency_change(area, db):
    member = make_member("TGN-020", "Agus", ("shelter",))
    member_service.update_member(member, competencies=["shelter", "logistik"], level="madya")
    db.session.commit()
    assert member.level == "madya"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "member_competencies"))
    assert entry.changes == {"competencies": [["shelter"], ["logistik", "shelter"]]}
    with pytest.raises(Conflict):
        make_member("TGN-021", "Yanto")
        member_service.update_member(member, nia="TGN-021")


def test_trainings(area, db):
    member = make_member("TGN-030", "Lina", sex="P")
    training = training_service.add_training(
        member,
        name="Diklat Tagana Tingkat Dasar",
        organizer="Kemensos RI",
        started_on="2025-05-12",
        ended_on="2025-05-16",
        certificate_number="SERT/2025/0112",
    )
    db.session.commit()
    assert member.trainings == [training]
    with pytest.raises(DomainError, match="tidak boleh sebelum") as caught:
        training_service.add_training(
            member, name="Lanjutan", started_on="2025-06-10", ended_on="2025-06-01"
        )
    assert caught.value.field == "ended_on"
    with pytest.raises(DomainError) as missing:
        training_service.add_training(member, name="Tanpa tanggal", started_on="")
    assert missing.value.field == "started_on"
    training_service.delete_training(training)
    db.session.commit()
    assert member.trainings == []


def test_members_query_filters(area, db):
    make_member("TGN-040", "Ahmad", ("shelter",), home_kelurahan_code="32.75.09.1002")
    make_member("TGN-041", "Bambang", ("logistik",), level="utama")
    inactive = make_member("TGN-042", "Candra", ("shelter",))
    member_service.update_member(inactive, active=False)
    db.session.commit()

    def names(**filters):
        query = member_service.members_query(member_service.MemberFilters(**filters))
        return [m.name for m in db.session.scalars(query)]

    assert names() == ["Ahmad", "Bambang", "Candra"]
    assert names(active="ya") == ["Ahmad", "Bambang"]
    assert names(competency="shelter", active="ya") == ["Ahmad"]
    assert names(level="utama") == ["Bambang"]
    assert names(kecamatan_code="32.75.09") == ["Ahmad"]
    assert names(q="tgn-041") == ["Bambang"]


# --- Kampung Siaga Bencana ------------------------------------------------------------------------


def test_register_ksb(area):
    ksb = ksb_service.register_ksb(
        name="KSB Jatiasih Tangguh",
        kelurahan_code="32.75.09.1002",
        formed_year="2023",
        facilitation_years="2025, 2024 2024",
        contact_name="Pak RW",
        contact_phone="081311112222",
    )
    assert ksb.formed_year == 2023
    assert ksb.facilitation_years == [2024, 2025]
    with pytest.raises(Conflict, match="sudah punya KSB") as caught:
        ksb_service.register_ksb(name="KSB Kedua", kelurahan_code="32.75.09.1002", formed_year=2024)
    assert caught.value.field == "kelurahan_code"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"formed_year": 1999}, "formed_year"),
        ({"formed_year": 2999}, "formed_year"),
        ({"formed_year": "dua ribu"}, "formed_year"),
        ({"facilitation_years": "2022"}, "facilitation_years"),  # before it was formed
        ({"kelurahan_code": "32.75.99.9999"}, "kelurahan_code"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_ksb_values(area, changes, field):
    values = {"name": "KSB Margahayu", "kelurahan_code": "32.75.01.1002", "formed_year": 2023}
    values.update(changes)
    with pytest.raises(DomainError) as caught:
        ksb_service.register_ksb(**values)
    assert caught.value.field == field


def test_update_ksb(area):
    ksb = ksb_service.register_ksb(name="KSB A", kelurahan_code="32.75.01.1002", formed_year=2021)
    ksb_service.update_ksb(ksb, facilitation_years=[2022, 2023], active=False)
    assert ksb.facilitation_years == [2022, 2023]
    assert ksb.active is False
    with pytest.raises(DomainError):
        ksb_service.update_ksb(ksb, formed_year=2024)  # the facilitation years would precede it


# --- Vehicles -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "plate"),
    [
        ("b1234xyz", "B 1234 XYZ"),
        ("B-9012-ABC", "B 9012 ABC"),
        ("t 1 a", "T 1 A"),
        ("B 10", "B 10"),
    ],
)
def test_plate_is_normalised(written, plate):
    assert vehicle_service.normalize_plate(written) == plate


def test_vehicles(app):
    truck = vehicle_service.register_vehicle(
        plate="b 9123 kd", kind="Truk", assigned_unit="Linjamsos"
    )
    assert truck.plate == "B 9123 KD"
    with pytest.raises(Conflict) as duplicate:
        vehicle_service.register_vehicle(plate="B9123KD", kind="Truk")
    assert duplicate.value.field == "plate"
    with pytest.raises(DomainError) as bad:
        vehicle_service.register_vehicle(plate="12345", kind="Truk")
    assert bad.value.field == "plate"
    vehicle_service.update_vehicle(truck, active=False)
    assert truck not in vehicle_service.vehicle_choices()
    assert truck in vehicle_service.vehicle_choices(include_id=truck.id)
