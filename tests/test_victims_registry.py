"""Victim registry services: persons across events, client_id idempotency, duplicates, merging."""

from datetime import date

import pytest
from sqlalchemy import func, select

from logistics.core.errors import Conflict, DomainError
from logistics.core.models import AuditEntry
from logistics.shelters.models import Shelter
from logistics.victims.duplicates import likely_duplicates, merge_persons
from logistics.victims.lists import VictimFilters, victims_query, vulnerable_groups
from logistics.victims.models import Household, InstitutionVictim, Person, Victim
from logistics.victims.persons import PersonInput, names_similar, normalize_name
from logistics.victims.services import (
    register_household,
    register_institution,
    register_person,
    register_victim,
    set_status,
    update_person,
    update_victim,
)
from tests.support.db import count

KEL = "32.75.01.1001"
NIK_BUDI = "3275011708850009"  # man, 17 August 1985
NIK_SITI = "3275015708870002"  # woman, 17 August 1987


def budi(**overrides) -> PersonInput:
    return PersonInput(name="Budi Santoso", nik=NIK_BUDI, relation="kepala_keluarga", **overrides)


def test_register_derives_sex_and_birth_date_from_nik(db, make_event):
    event = make_event()
    victim, created = register_victim(event, budi(), status="mengungsi", kelurahan_code=KEL)
    db.session.commit()
    assert created
    person = victim.person
    assert (person.sex, person.birth_date) == ("L", date(1985, 8, 17))
    assert person.nik == NIK_BUDI and person.no_nik_reason is None


def test_same_client_id_twice_gives_one_row_and_the_first_record(db, make_event):
    event = make_event()
    first, created = register_victim(
        event, budi(), status="mengungsi", kelurahan_code=KEL, client_id="hp-1-0001"
    )
    db.session.commit()
    again, created_again = register_victim(
        event, budi(), status="mengungsi", kelurahan_code=KEL, client_id="hp-1-0001"
    )
    db.session.commit()
    assert created and not created_again
    assert again.id == first.id
    assert count(db, Victim) == 1 and count(db, Person) == 1


def test_client_id_reused_with_different_data_is_a_conflict(db, make_event):
    event = make_event()
    register_victim(event, budi(), status="mengungsi", kelurahan_code=KEL, client_id="hp-1-0002")
    db.session.commit()
    with pytest.raises(Conflict) as error:
        register_victim(event, budi(), status="terluka", kelurahan_code=KEL, client_id="hp-1-0002")
    assert error.value.field == "client_id"
    with pytest.raises(Conflict):
        register_victim(
            event,
            PersonInput(name="Siti", nik=NIK_SITI),
            status="mengungsi",
            kelurahan_code=KEL,
            client_id="hp-1-0002",
        )
    db.session.rollback()
    assert count(db, Victim) == 1


def test_same_nik_in_two_events_is_one_person_with_two_statuses(db, make_event):
    flood = make_event()
    fire = make_event(hazard_code="KBP", title="Kebakaran Bekasi Jaya")
    first, _ = register_victim(flood, budi(), status="mengungsi", kelurahan_code=KEL)
    second, _ = register_victim(fire, budi(), status="menderita", kelurahan_code="32.75.01.1002")
    db.session.commit()
    assert count(db, Person) == 1 and count(db, Victim) == 2
    assert first.person_id == second.person_id
    assert {(v.event_id, v.status) for v in db.session.scalars(select(Victim))} == {
        (flood.id, "mengungsi"),
        (fire.id, "menderita"),
    }
    # Registering the same person in the same event again is refused, naming the record.
    with pytest.raises(Conflict) as error:
        register_victim(flood, budi(), status="terluka", kelurahan_code=KEL)
    assert error.value.details["victim_id"] == first.id


def test_bad_input_is_refused_with_the_field(db, make_event):
    event = make_event()
    cases = [
        (dict(kelurahan_code="32.75.01.1099"), "kelurahan_code", "tidak dikenal"),
        (dict(kelurahan_code="3275011001x"), "kelurahan_code", "salah format"),
        (dict(kelurahan_code=""), "kelurahan_code", "wajib diisi"),
        (dict(status="selamat"), "status", "tidak dikenal"),
    ]
    for overrides, field, text in cases:
        kwargs = {"status": "mengungsi", "kelurahan_code": KEL, **overrides}
        with pytest.raises(DomainError) as error:
            register_victim(event, budi(), **kwargs)
        assert error.value.field == field and text in error.value.message
    person_cases = [
        (PersonInput(name="A", nik="32750117088500"), "nik", "16 digit"),
        (PersonInput(name="A", nik="3275013102990001"), "nik", "tidak ada"),
        (PersonInput(name="A", nik="3275991708850009"), "nik", "32.75.99"),
        (PersonInput(name="", nik=NIK_BUDI), "name", "Nama wajib"),
        (PersonInput(name="Anak", sex="L"), "nik", "alasan"),
        (PersonInput(name="Anak", no_nik_reason="anak_belum_ber_nik"), "sex", "Jenis kelamin"),
        (PersonInput(name="Budi", nik=NIK_BUDI, sex="P"), "sex", "tidak cocok"),
        (
            PersonInput(name="Budi", nik=NIK_BUDI, birth_date=date(1985, 8, 18)),
            "birth_date",
            "tidak cocok",
        ),
        (PersonInput(name="Budi", nik=NIK_BUDI, pregnant=True), "pregnant", "perempuan"),
        (
            PersonInput(
                name="Bayi",
                no_nik_reason="anak_belum_ber_nik",
                sex="L",
                birth_date=date(2030, 1, 1),
            ),
            "birth_date",
            "masa depan",
        ),
    ]
    for data, field, text in person_cases:
        with pytest.raises(DomainError) as error:
            register_victim(event, data, status="mengungsi", kelurahan_code=KEL)
        assert error.value.field == field, (data, error.value.message)
        assert text in error.value.message
    db.session.rollback()
    assert count(db, Victim) == 0 and count(db, Person) == 0


def test_household_by_kk_and_members_without_nik(db, make_event):
    event = make_event()
    household, created = register_household(
        no_kk="3275010101200001", head_name="Budi Santoso", kelurahan_code=KEL, rt="003"
    )
    again, created_again = register_household(no_kk="3275 0101 0120 0001", address="Jl. Melati")
    assert created and not created_again and again.id == household.id
    assert again.address == "Jl. Melati"  # a blank filled in, nothing overwritten
    with pytest.raises(DomainError, match="16 digit"):
        register_household(no_kk="12345")
    child = PersonInput(
        name="Rina",
        no_nik_reason="anak_belum_ber_nik",
        sex="P",
        birth_date=date(2023, 5, 1),
        relation="anak",
    )
    first, _ = register_victim(
        event, child, status="mengungsi", kelurahan_code=KEL, household=household
    )
    person, created = register_person(child, household)
    assert not created and person.id == first.person_id
    assert vulnerable_groups(person, date(2026, 11, 22)) == ["balita", "anak"]
    assert count(db, Household) == 1


def test_vulnerable_groups_and_filters(db, make_event):
    event = make_event()
    grandma = PersonInput(
        name="Mbah Sumi", nik="3275015001500003", disability=True, relation="orang_tua"
    )
    mother = PersonInput(name="Siti", nik=NIK_SITI, pregnant=True, relation="istri")
    for data in (grandma, mother, budi()):
        register_victim(event, data, status="mengungsi", kelurahan_code=KEL)
    db.session.commit()
    today = date(2026, 11, 22)

    def names(**filters):
        query = victims_query(VictimFilters(**filters), today)
        return sorted(person.name for _, person, _, _ in db.session.execute(query))

    assert names(group="lansia") == ["Mbah Sumi"]
    assert names(group="disabilitas") == ["Mbah Sumi"]
    assert names(group="ibu_hamil") == ["Siti"]
    assert names(group="anak") == []
    assert names(text="budi") == ["Budi Santoso"]
    assert names(text=NIK_SITI) == ["Siti"]
    assert names(text="3275015708") == []  # partial NIKs are not searchable
    assert names(event_id=event.id, status="terluka") == []
    with pytest.raises(DomainError):
        names(group="remaja")


def test_update_person_and_victim(db, make_event, bekasi):
    event = make_event()
    victim, _ = register_victim(event, budi(), status="mengungsi", kelurahan_code=KEL)
    other, _ = register_victim(
        event, PersonInput(name="Siti", nik=NIK_SITI), status="mengungsi", kelurahan_code=KEL
    )
    update_victim(victim, status="terluka", note="Luka ringan di kaki")
    assert victim.status == "terluka"
    with pytest.raises(Conflict) as error:
        update_person(victim.person, nik=NIK_SITI)
    assert error.value.details["person_id"] == other.person_id
    update_person(victim.person, name="Budi  Santosa", disability=True)
    assert victim.person.name == "Budi Santosa" and victim.person.disability
    # A new NIK re-derives sex and birth date.
    update_person(victim.person, nik="3275010202800004")
    assert victim.person.birth_date == date(1980, 2, 2)


def test_set_status_per_event(db, make_event):
    flood = make_event()
    fire = make_event(hazard_code="KBP", title="Kebakaran")
    victim, _ = register_victim(flood, budi(), status="menderita", kelurahan_code=KEL)
    assert set_status(flood, victim.person, "mengungsi").id == victim.id
    assert victim.status == "mengungsi"
    elsewhere = set_status(fire, victim.person, "terluka", kelurahan_code="32.75.02.1001")
    assert elsewhere.id != victim.id and count(db, Victim) == 2


def test_institution_victims(db, make_event):
    event = make_event(hazard_code="KBP", title="Kebakaran panti")
    record, created = register_institution(
        event,
        name="Panti Werdha Kasih",
        kind="panti",
        kelurahan_code=KEL,
        headcount=42,
        status="mengungsi",
        client_id="hp-2-1",
    )
    again, created_again = register_institution(
        event,
        name="Panti Werdha Kasih",
        kind="panti",
        kelurahan_code=KEL,
        headcount=42,
        status="mengungsi",
        client_id="hp-2-1",
    )
    assert created and not created_again and again.id == record.id
    with pytest.raises(DomainError, match="negatif"):
        register_institution(event, name="X", kind="yayasan", kelurahan_code=KEL, headcount=-1)
    with pytest.raises(DomainError, match="Jenis lembaga"):
        register_institution(event, name="X", kind="sekolah", kelurahan_code=KEL, headcount=1)
    assert count(db, InstitutionVictim) == 1


def test_shelter_must_be_open_and_of_the_event(db, make_event):
    event = make_event()
    other = make_event(title="Banjir lain")
    shelter = Shelter(name="SDN 1", kind="gedung_sekolah", kelurahan_code=KEL, event_id=other.id)
    db.session.add(shelter)
    db.session.flush()
    with pytest.raises(DomainError, match="kejadian lain"):
        register_victim(
            event, budi(), status="mengungsi", kelurahan_code=KEL, shelter_id=shelter.id
        )
    shelter.event_id = event.id
    victim, _ = register_victim(
        event, budi(), status="mengungsi", kelurahan_code=KEL, shelter_id=shelter.id
    )
    assert victim.shelter_id == shelter.id


def test_name_normalisation():
    assert normalize_name("MUHAMMAD  Rizki") == normalize_name("Muhamad Rizki")
    assert normalize_name("Moh. Rizki") == normalize_name("Mohammad Rizki")
    assert normalize_name("Soekarno") == normalize_name("Sukarno")
    assert names_similar("Muh. Rizky", "Muhammad Rizki")
    assert names_similar("Nur Aini", "Nurul Aini")
    assert names_similar("Siti Aminah", "Siti  Aminah")
    assert not names_similar("Siti Aminah", "Siti Rahayu")
    assert not names_similar("Budi", "Andi Wijaya")


def _family(db, event):
    household, _ = register_household(no_kk="3275010101200001", kelurahan_code=KEL)
    born = date(2019, 4, 2)
    a, _ = register_victim(
        event,
        PersonInput(
            name="Muhammad Rizki",
            no_nik_reason="anak_belum_ber_nik",
            sex="L",
            birth_date=born,
            relation="anak",
        ),
        status="mengungsi",
        kelurahan_code=KEL,
        household=household,
    )
    b_person, _ = register_person(
        PersonInput(
            name="Moh. Rizky",
            no_nik_reason="dokumen_hilang",
            sex="L",
            birth_date=born,
            relation="anak",
            disability=True,
        ),
        household,
    )
    # Same household, different birth date or a different name: not a duplicate.
    register_person(
        PersonInput(
            name="Muhammad Rizki",
            no_nik_reason="anak_belum_ber_nik",
            sex="L",
            birth_date=date(2021, 1, 1),
        ),
        household,
    )
    register_person(
        PersonInput(name="Aisyah", no_nik_reason="anak_belum_ber_nik", sex="P", birth_date=born),
        household,
    )
    db.session.commit()
    return household, a, b_person


def test_likely_duplicates_and_merge_keeps_history(db, make_event):
    flood = make_event()
    fire = make_event(hazard_code="KBP", title="Kebakaran")
    household, victim_a, person_b = _family(db, flood)
    # The duplicate has its own history: the fire, and the flood again under the other name.
    in_fire = set_status(fire, person_b, "menderita")
    in_flood = set_status(flood, person_b, "terluka")
    db.session.commit()

    pairs = likely_duplicates()
    assert len(pairs) == 1
    keep, duplicate = pairs[0].keep, pairs[0].duplicate
    assert {keep.id, duplicate.id} == {victim_a.person_id, person_b.id}

    summary = merge_persons(keep, duplicate)
    db.session.commit()
    assert summary["victims_moved"] == [in_fire.id]
    assert summary["victims_dropped"] == [in_flood.id]
    assert duplicate.merged_into_id == keep.id
    assert keep.disability  # a flag known only on the duplicate is kept
    # Every event is still on record for the kept person; the duplicate is no longer listed.
    assert {v.event_id for v in db.session.scalars(select(Victim))} == {flood.id, fire.id}
    assert {v.person_id for v in db.session.scalars(select(Victim))} == {keep.id}
    assert likely_duplicates() == []
    listed = [p.id for _, p, _, _ in db.session.execute(victims_query(VictimFilters()))]
    assert duplicate.id not in listed
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "merge_persons"))
    assert entry.changes["duplicate_id"] == duplicate.id
    # The dropped record's values stay in the audit log.
    assert db.session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "delete", AuditEntry.entity_id == str(in_flood.id))
    )
    with pytest.raises(Conflict, match="sudah digabung"):
        merge_persons(keep, duplicate)


def test_merge_refuses_two_different_niks(db, make_event):
    event = make_event()
    a, _ = register_victim(event, budi(), status="mengungsi", kelurahan_code=KEL)
    b, _ = register_victim(
        event,
        PersonInput(name="Budi Santosa", nik="3275011708850010"),
        status="mengungsi",
        kelurahan_code=KEL,
    )
    with pytest.raises(Conflict, match="NIK berbeda"):
        merge_persons(a.person, b.person)


def test_merge_moves_a_nik_known_only_on_the_duplicate(db, make_event):
    event = make_event()
    household, _ = register_household(no_kk="3275010101200001", kelurahan_code=KEL)
    without, _ = register_person(
        PersonInput(
            name="Budi Santoso",
            no_nik_reason="dokumen_hilang",
            sex="L",
            birth_date=date(1985, 8, 17),
        ),
        household,
    )
    with_nik, _ = register_victim(
        event, budi(), status="mengungsi", kelurahan_code=KEL, household=household
    )
    merge_persons(without, with_nik.person)
    db.session.commit()
    assert without.nik == NIK_BUDI and without.no_nik_reason is None
    assert with_nik.person_id == without.id
