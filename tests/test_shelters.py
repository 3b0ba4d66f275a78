"""Shelter services: registry, checks against the standards, daily head counts, closing, totals."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from logistics.core.errors import Conflict, DomainError
from logistics.core.models import AuditEntry
from logistics.shelters.models import Shelter, ShelterCount
from tests.support.areas import BEKASIJAYA, MARGAHAYU, label_point
from tests.support.shelters import head_count, shelter_factory


@pytest.fixture
def make_shelter(db, bekasi):
    return shelter_factory(db)


# --- opening -------------------------------------------------------------------------------------


def test_kelurahan_is_filled_from_the_point(db, bekasi):
    from logistics.shelters.services import open_shelter

    lat, lng = label_point(MARGAHAYU)
    result = open_shelter(name="Masjid Al-Ikhlas", kind="masjid", capacity="80", lat=lat, lng=lng)
    assert result.shelter.kelurahan_code == MARGAHAYU
    assert result.shelter.status == "buka"
    assert result.warnings == []


def test_point_outside_the_given_kelurahan_is_kept_with_a_warning(db, bekasi):
    from logistics.shelters.services import open_shelter

    lat, lng = label_point(MARGAHAYU)
    result = open_shelter(
        name="Balai RW 05", kind="balai_warga", capacity=40, lat=lat, lng=lng,
        kelurahan_code=BEKASIJAYA,
    )  # fmt: skip
    assert result.shelter.kelurahan_code == BEKASIJAYA
    assert any("Margahayu" in w and "bukan di Bekasijaya" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("3275011001", "salah format"),
        ("32.75.01.10011", "salah format"),
        ("32.75.99.1001", "tidak dikenal"),
    ],
)
def test_malformed_or_unknown_kelurahan_is_refused(db, bekasi, code, message):
    from logistics.shelters.services import open_shelter

    with pytest.raises(DomainError) as raised:
        open_shelter(name="Tenda A", kind="tenda", capacity=10, kelurahan_code=code)
    assert raised.value.field == "kelurahan_code"
    assert message in raised.value.message
    assert db.session.scalar(select(func.count(Shelter.id))) == 0


def test_neither_point_nor_kelurahan_is_refused(db, bekasi):
    from logistics.shelters.services import open_shelter

    with pytest.raises(DomainError) as raised:
        open_shelter(name="Tenda A", kind="tenda", capacity=10)
    assert raised.value.field == "kelurahan_code"


@pytest.mark.parametrize(
    ("field", "value"),
    [("capacity", "-5"), ("toilets", -1), ("capacity", "12,5"), ("kind", "hotel"), ("lat", "x")],
)
def test_bad_registry_values_are_refused_with_their_field(db, bekasi, field, value):
    from logistics.shelters.services import open_shelter

    values = {"name": "Tenda A", "kind": "tenda", "capacity": 10, "kelurahan_code": BEKASIJAYA}
    values[field] = value
    with pytest.raises(DomainError) as raised:
        open_shelter(**values)
    assert raised.value.field == field


# --- checks --------------------------------------------------------------------------------------


def test_over_capacity_is_saved_with_a_warning(db, make_shelter):
    shelter = make_shelter(capacity=50)
    result = head_count(shelter, 60)
    db.session.commit()
    assert result.outcome == "created"
    assert db.session.get(ShelterCount, result.count.id).persons == 60
    assert any("Melebihi kapasitas" in w and "lebih 10 jiwa" in w for w in result.warnings)


def test_floor_area_threshold_is_exactly_3_5_m2_per_person(db, make_shelter):
    # 70 m2 / 3.5 m2 = 20 persons.
    shelter = make_shelter(capacity=100, floor_area_m2="70", toilets=5)
    assert head_count(shelter, 20).warnings == []
    warnings = head_count(shelter, 21).warnings
    assert len(warnings) == 1
    assert "di bawah standar 3,5 m² per orang" in warnings[0]
    assert "3,33 m²" in warnings[0]  # 70 / 21
    assert "cukup untuk 20 jiwa" in warnings[0]


def test_toilet_threshold_is_exactly_20_persons_per_toilet(db, make_shelter):
    shelter = make_shelter(capacity=100, toilets=2)
    assert head_count(shelter, 40).warnings == []
    warnings = head_count(shelter, 41).warnings
    assert len(warnings) == 1
    assert "1 toilet per 20 orang" in warnings[0]
    assert "perlu 3 toilet, tersedia 2" in warnings[0]


def test_no_toilets_warns_for_any_person(db, make_shelter):
    shelter = make_shelter(toilets=0)
    assert any("Belum ada toilet" in w for w in head_count(shelter, 1).warnings)


def test_checks_use_the_shelter_values_after_an_update(db, make_shelter):
    from logistics.shelters.services import update_shelter

    shelter = make_shelter(capacity=100, toilets=5)
    head_count(shelter, 80)
    db.session.commit()
    result = update_shelter(shelter, capacity="70", toilets="3")
    assert any("Melebihi kapasitas" in w for w in result.warnings)
    assert any("perlu 4 toilet, tersedia 3" in w for w in result.warnings)


# --- head counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"persons": -1}, "persons"),
        ({"persons": "-3"}, "persons"),
        ({"persons": 10, "households": -2}, "households"),
        ({"persons": 10, "groups": {"balita": -1}}, "balita"),
        ({"persons": 2.5}, "persons"),
        ({"persons": "sepuluh"}, "persons"),
        ({"persons": None}, "persons"),
        ({"persons": True}, "persons"),
    ],
)
def test_negative_or_not_whole_counts_are_refused(db, make_shelter, kwargs, field):
    from logistics.shelters.counts import record_head_count

    shelter = make_shelter()
    with pytest.raises(DomainError) as raised:
        record_head_count(shelter, **kwargs)
    assert raised.value.field == field
    assert db.session.scalar(select(func.count(ShelterCount.id))) == 0


@pytest.mark.parametrize("group", ["balita", "anak", "lansia", "ibu_hamil", "disabilitas"])
def test_a_vulnerable_group_above_the_persons_is_refused(db, make_shelter, group):
    shelter = make_shelter()
    with pytest.raises(DomainError) as raised:
        head_count(shelter, 10, groups={group: 11})
    assert raised.value.field == group
    assert "tidak boleh melebihi jumlah jiwa (10)" in raised.value.message


def test_children_and_elderly_together_cannot_exceed_the_persons(db, make_shelter):
    shelter = make_shelter()
    with pytest.raises(DomainError, match="Anak \\+ lansia"):
        head_count(shelter, 10, groups={"anak": 6, "lansia": 5})
    assert (
        head_count(shelter, 10, groups={"anak": 6, "lansia": 4, "balita": 3}).outcome == "created"
    )


def test_households_cannot_exceed_persons(db, make_shelter):
    shelter = make_shelter()
    with pytest.raises(DomainError) as raised:
        head_count(shelter, 10, households=11)
    assert raised.value.field == "households"


def test_sex_breakdown_above_persons_is_refused_and_below_warns(db, make_shelter):
    shelter = make_shelter()
    with pytest.raises(DomainError) as raised:
        head_count(shelter, 10, groups={"laki_laki": 6, "perempuan": 5})
    assert raised.value.field == "perempuan"
    partial = head_count(shelter, 10, groups={"laki_laki": 4, "perempuan": 5})
    assert any("1 jiwa belum tercatat jenis kelaminnya" in w for w in partial.warnings)
    # Only one of the two given: nothing to compare.
    assert head_count(shelter, 10, groups={"laki_laki": 4}).warnings == []


def test_a_second_count_the_same_day_replaces_the_first(db, make_shelter):
    shelter = make_shelter()
    first = head_count(shelter, 30, households=8)
    db.session.commit()
    second = head_count(shelter, 35, households=9, client_id="hp-2")
    db.session.commit()
    assert second.outcome == "replaced"
    assert second.count.id == first.count.id
    rows = db.session.scalars(select(ShelterCount)).all()
    assert [(r.persons, r.households) for r in rows] == [(35, 9)]


def test_counts_on_different_days_are_kept(db, make_shelter):
    from logistics.core.time import office_today

    shelter = make_shelter(opened_on=office_today() - timedelta(days=2))
    head_count(shelter, 30, counted_on=office_today() - timedelta(days=1))
    head_count(shelter, 25)
    db.session.commit()
    assert db.session.scalar(select(func.count(ShelterCount.id))) == 2


def test_a_retry_with_the_same_client_id_returns_the_first_record(db, make_shelter):
    shelter = make_shelter()
    first = head_count(shelter, 30, client_id="hp-tagana-0001")
    db.session.commit()
    retry = head_count(shelter, 31, client_id="hp-tagana-0001")
    db.session.commit()
    assert retry.outcome == "duplicate"
    assert retry.count.id == first.count.id
    assert retry.count.persons == 30
    assert db.session.scalar(select(func.count(ShelterCount.id))) == 1


def test_a_late_retry_of_a_replaced_count_does_not_overwrite_the_newer_one(db, make_shelter):
    shelter = make_shelter()
    head_count(shelter, 30, client_id="pagi")
    head_count(shelter, 45, client_id="siang")
    db.session.commit()
    late = head_count(shelter, 30, client_id="pagi")
    assert late.outcome == "duplicate"
    assert db.session.scalar(select(ShelterCount.persons)) == 45


def test_a_client_id_of_another_shelter_is_a_conflict(db, make_shelter):
    one, other = make_shelter(), make_shelter(name="Tenda B", kind="tenda")
    head_count(one, 5, client_id="abc")
    with pytest.raises(Conflict):
        head_count(other, 5, client_id="abc")


def test_future_and_before_opening_dates_are_refused(db, make_shelter):
    from logistics.core.time import office_today

    shelter = make_shelter()
    with pytest.raises(DomainError, match="masa depan"):
        head_count(shelter, 5, counted_on=office_today() + timedelta(days=1))
    with pytest.raises(DomainError, match="sebelum tempat ini dibuka"):
        head_count(shelter, 5, counted_on=(office_today() - timedelta(days=3)).isoformat())


# --- closing -------------------------------------------------------------------------------------


def test_closing_an_occupied_shelter_is_refused_until_a_count_of_zero(db, make_shelter):
    from logistics.shelters.services import close_shelter
    from logistics.victims.figures import displaced_in_shelter

    shelter = make_shelter(name="SDN Margahayu 3")
    head_count(shelter, 35)
    db.session.commit()
    with pytest.raises(Conflict) as raised:
        close_shelter(shelter, displaced_in_registry=displaced_in_shelter(shelter))
    assert "masih berisi 35 jiwa" in raised.value.message
    assert "catat dulu hitungan 0 jiwa" in raised.value.message
    assert shelter.status == "buka"
    head_count(shelter, 0)
    close_shelter(shelter, displaced_in_registry=displaced_in_shelter(shelter), note="Semua pulang")
    db.session.commit()
    assert shelter.status == "tutup" and shelter.closed_at is not None
    action = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "close_shelter"))
    assert action.entity_id == str(shelter.id) and action.changes["note"] == "Semua pulang"


def test_a_closed_shelter_takes_no_counts_until_reopened(db, make_shelter):
    from logistics.shelters.services import close_shelter, reopen_shelter
    from logistics.victims.figures import displaced_in_shelter

    shelter = make_shelter()
    close_shelter(shelter, displaced_in_registry=displaced_in_shelter(shelter))
    with pytest.raises(Conflict, match="sudah ditutup"):
        head_count(shelter, 3)
    reopen_shelter(shelter)
    assert head_count(shelter, 3).outcome == "created"


def test_closing_is_refused_while_the_victim_registry_places_displaced_people_there(
    db, make_shelter, make_event
):
    from logistics.shelters.services import close_shelter
    from logistics.victims.figures import displaced_in_shelter
    from logistics.victims.models import Person, Victim

    event = make_event()
    shelter = make_shelter(event_id=event.id)
    person = Person(name="Siti Aminah", sex="P", no_nik_reason="dokumen_hilang")
    db.session.add(person)
    db.session.flush()
    victim = Victim(
        event_id=event.id,
        person_id=person.id,
        status="mengungsi",
        kelurahan_code=BEKASIJAYA,
        shelter_id=shelter.id,
    )
    db.session.add(victim)
    db.session.commit()
    with pytest.raises(Conflict, match="Registri korban masih mencatat 1 pengungsi"):
        close_shelter(shelter, displaced_in_registry=displaced_in_shelter(shelter))
    victim.status = "menderita"
    close_shelter(shelter, displaced_in_registry=displaced_in_shelter(shelter))
    assert shelter.status == "tutup"


# --- summaries and totals ------------------------------------------------------------------------


def test_summaries_carry_the_warnings_and_sort_by_free_capacity(db, make_shelter):
    from logistics.shelters.lists import shelter_summaries, sort_summaries

    roomy = make_shelter(name="A roomy", capacity=100)
    full = make_shelter(name="B full", capacity=50)
    over = make_shelter(name="C over", capacity=20)
    head_count(roomy, 10)
    head_count(full, 50)
    head_count(over, 30)
    db.session.commit()
    summaries = shelter_summaries()
    by_name = {s.name: s for s in summaries}
    assert any("Melebihi kapasitas" in w for w in by_name["C over"].warnings)
    assert by_name["C over"].warning_codes == ["kapasitas"]
    assert by_name["A roomy"].warnings == []
    assert [s.name for s in sort_summaries(summaries, "sisa")] == ["A roomy", "B full", "C over"]
    assert [s.name for s in sort_summaries(summaries, "okupansi")] == [
        "C over",
        "B full",
        "A roomy",
    ]


def test_totals_count_units_and_persons_per_day(db, make_shelter, make_event):
    from logistics.core.time import office_today
    from logistics.shelters.lists import daily_shelter_totals, shelter_totals
    from logistics.shelters.services import close_shelter
    from logistics.victims.figures import displaced_in_shelter

    today = office_today()
    event = make_event()
    a = make_shelter(name="A", event_id=event.id, opened_on=today - timedelta(days=2))
    b = make_shelter(name="B", event_id=event.id, opened_on=today - timedelta(days=1))
    make_shelter(name="Other event")  # not in the event
    head_count(a, 40, households=10, counted_on=today - timedelta(days=2))
    head_count(b, 15, households=4, counted_on=today - timedelta(days=1))
    head_count(a, 0, counted_on=today)
    close_shelter(a, displaced_in_registry=displaced_in_shelter(a))
    db.session.commit()
    days = daily_shelter_totals(event.id, today - timedelta(days=2), today)
    assert [(t.units, t.persons, t.households) for t in days] == [
        (1, 40, 10),  # A only
        (2, 55, 14),  # A carried forward + B
        (1, 15, 4),  # A closed today; B carried forward
    ]
    assert shelter_totals(event.id) == days[-1]
    assert shelter_totals().units == 2  # B and the other event's shelter


def test_decimal_floor_area_with_comma(db, make_shelter):
    shelter = make_shelter(floor_area_m2="70,5")
    assert shelter.floor_area_m2 == Decimal("70.5")


def test_count_date_defaults_to_the_office_day(db, make_shelter):
    from logistics.core.time import office_today

    shelter = make_shelter()
    assert head_count(shelter, 1).count.counted_on == office_today()
    assert isinstance(office_today(), date)


def test_a_count_saved_by_another_phone_at_the_same_moment_is_replaced_not_an_error(
    db, make_shelter
):
    """Two phones send the same shelter's count for the same day at the same moment: the one
    that loses the race to insert updates the winner's row instead of failing."""
    from sqlalchemy import event, insert

    from logistics.core.time import office_today

    shelter = make_shelter()
    session = db.session()

    def other_phone_commits_first(*_args):
        with db.engine.begin() as connection:
            connection.execute(
                insert(ShelterCount).values(
                    shelter_id=shelter.id, counted_on=office_today(), persons=20, households=5,
                    client_id="other-phone",
                )
            )  # fmt: skip

    event.listen(session, "before_flush", other_phone_commits_first, once=True)
    result = head_count(shelter, 22, households=6, client_id="this-phone")
    db.session.commit()
    assert result.outcome == "replaced"
    rows = db.session.scalars(select(ShelterCount)).all()
    assert [(r.persons, r.households, r.client_id) for r in rows] == [(22, 6, "other-phone")]
