"""Recording hand-outs: stock lines, persons served, the double-aid guard, retries, bad input."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from logistics.core.errors import Conflict, DomainError, Forbidden, NotFound
from logistics.core.time import office_today
from tests.support.db import count
from tests.support.distributions import KEL, OTHER_KEL, balance, hand_out, make_world, stock


@pytest.fixture
def world(db, make_event, make_user):
    return make_world(db, make_event, make_user)


def test_stock_goes_down_by_exactly_the_lines_and_members_are_the_recipients(db, world):
    from logistics.distributions.models import DistributionRecipient
    from logistics.stock.models import StockMovement

    d, created = hand_out(
        world,
        lines=[
            {"item_id": "makanan_siap_saji", "quantity": 3},
            {"item_id": "beras", "quantity": "7,5"},
        ],
        receiver_name="Budi Santoso",
    )
    assert created
    assert balance(db, world.warehouse, "makanan_siap_saji") == 97
    assert balance(db, world.warehouse, "beras") == Decimal("192.5")
    assert d.persons_served == 3 and d.recipient_kind == "household"
    assert d.kelurahan_code == KEL and d.phase == "saat"
    assert d.distributed_on == office_today()
    served = set(
        db.session.scalars(
            select(DistributionRecipient.person_id).where(
                DistributionRecipient.distribution_id == d.id
            )
        )
    )
    assert served == {m.id for m in world.members}
    moves = db.session.scalars(
        select(StockMovement).where(StockMovement.distribution_id == d.id)
    ).all()
    assert sorted((m.kind, m.quantity) for m in moves) == [
        ("distribution", Decimal("-7.5")),
        ("distribution", Decimal(-3)),
    ]


def test_person_and_institution_count_one_and_the_headcount(db, world):
    person, _ = hand_out(world, household_id=None, person_id=world.rina.id)
    panti, _ = hand_out(
        world,
        household_id=None,
        institution_id=world.panti.id,
        lines=[{"item_id": "beras", "quantity": 60}],
    )
    assert (person.persons_served, person.kelurahan_code) == (1, OTHER_KEL)
    assert [r.person_id for r in person.recipients] == [world.rina.id]
    assert (panti.persons_served, panti.recipient_kind, panti.recipients) == (40, "institution", [])


def test_household_history_shows_the_hand_out(db, world):
    from logistics.distributions.lists import household_history

    d, _ = hand_out(world)
    other, _ = hand_out(world, household_id=None, person_id=world.rina.id)
    history = household_history(world.household.id, world.event.id)
    assert [row.distribution.id for row in history] == [d.id]
    assert history[0].lines == [("Makanan siap saji", Decimal(3), "paket")]
    assert history[0].recipient_name == "Budi Santoso"
    assert history[0].recorded_by == "Siti Rahmawati"
    assert other.id not in [row.distribution.id for row in history]


def test_double_aid_refused_then_accepted_with_an_operators_reason(db, world):
    from logistics.distributions.models import Distribution

    first, _ = hand_out(world)
    with pytest.raises(Conflict) as refused:
        hand_out(world)
    message = refused.value.message
    assert "sudah menerima bantuan permakanan" in message
    assert "Siti Rahmawati" in message and f"#{first.id}" in message
    assert refused.value.details["distribution_id"] == first.id
    assert balance(db, world.warehouse, "makanan_siap_saji") == 97

    second, created = hand_out(world, override_reason="Paket pertama basah terendam banjir")
    assert created and second.override_reason == "Paket pertama basah terendam banjir"
    assert balance(db, world.warehouse, "makanan_siap_saji") == 94
    assert count(db, Distribution) == 2


def test_each_hand_out_is_audited_with_its_values_and_a_refused_one_is_not(db, world):
    from logistics.core.audit import acting_as
    from logistics.core.models import AuditEntry

    reason = "Paket pertama basah terendam banjir"
    with acting_as(world.operator.id, world.operator.username):
        first, _ = hand_out(world)
        with pytest.raises(Conflict):
            hand_out(world)
        second, _ = hand_out(world, override_reason=reason)
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "distributions").order_by(AuditEntry.id)
    ).all()
    assert [(e.action, e.entity_id, e.user_id) for e in entries] == [
        ("create", str(first.id), world.operator.id),
        ("create", str(second.id), world.operator.id),
    ]
    assert entries[0].changes["household_id"] == world.household.id
    assert entries[0].changes["persons_served"] == 3
    assert entries[0].changes["override_reason"] is None
    assert entries[1].changes["override_reason"] == reason


def test_tagana_cannot_override_the_guard(db, world):
    hand_out(world)
    with pytest.raises(Forbidden) as refused:
        hand_out(world, user=world.tagana, override_reason="Diminta warga")
    assert refused.value.status == 403
    assert "Hanya operator atau admin" in refused.value.message
    assert balance(db, world.warehouse, "makanan_siap_saji") == 97


def test_guard_covers_a_member_served_alone_and_respects_the_interval(app, db, world):
    # Joko got a food packet as a person: his family's packet the same day is a double.
    hand_out(world, household_id=None, person_id=world.members[2].id)
    with pytest.raises(Conflict, match="salah satu anggotanya"):
        hand_out(world)
    # Sandang: 30 days by default; a shorter configured interval lets the second one through.
    yesterday = office_today() - timedelta(days=1)
    lines = [{"item_id": "selimut", "quantity": 3}]
    hand_out(world, component="sandang", lines=lines, distributed_on=yesterday.isoformat())
    with pytest.raises(Conflict):
        hand_out(world, component="sandang", lines=lines)
    app.config["DOUBLE_AID_DAYS"] = {"sandang": 1}
    d, created = hand_out(world, component="sandang", lines=lines)
    assert created and d.override_reason is None


def test_psikososial_service_without_goods(db, world):
    from logistics.stock.models import StockMovement

    note = "Sesi dukungan psikososial kelompok anak"
    d, _ = hand_out(world, component="psikososial", warehouse_id=None, lines=[], service_note=note)
    again, created = hand_out(
        world, component="psikososial", warehouse_id=None, lines=None, service_note=note
    )
    assert created and d.warehouse_id is None and d.service_note == note
    assert d.persons_served == 3 and again.id != d.id
    assert count(db, StockMovement) == 3  # the three receipts only


def test_no_goods_and_no_note_is_refused(db, world):
    with pytest.raises(DomainError) as refused:
        hand_out(world, lines=[], component="psikososial")
    assert refused.value.status == 422 and refused.value.field == "service_note"


@pytest.mark.parametrize(
    ("values", "error", "status", "field"),
    [
        (
            {"lines": [{"item_id": "makanan_siap_saji", "quantity": 0}]},
            DomainError,
            422,
            "quantity",
        ),
        (
            {"lines": [{"item_id": "makanan_siap_saji", "quantity": -2}]},
            DomainError,
            422,
            "quantity",
        ),
        (
            {"lines": [{"item_id": "makanan_siap_saji", "quantity": "2.5"}]},
            DomainError,
            422,
            "quantity",
        ),
        ({"lines": [{"item_id": "beras", "quantity": 1001}]}, DomainError, 422, "quantity"),
        ({"lines": [{"item_id": "makanan_siap_saji", "quantity": 101}]}, Conflict, 409, "quantity"),
        ({"lines": [{"item_id": "emas_batangan", "quantity": 1}]}, NotFound, 404, "item_id"),
        (
            {"lines": [{"item_id": "selimut", "quantity": 1, "lot_id": 9999}]},
            NotFound,
            404,
            "lot_id",
        ),
        ({"lines": [{"quantity": 1}]}, DomainError, 422, "item_id"),
        ({"warehouse_id": None}, DomainError, 422, "warehouse_id"),
        ({"warehouse_id": 9999}, NotFound, 404, "warehouse_id"),
        ({"component": "hiburan"}, DomainError, 422, "component"),
        ({"phase": "pra"}, DomainError, 422, "phase"),
        ({"event_id": 9999}, NotFound, 404, "event_id"),
        ({"household_id": None}, DomainError, 422, "household_id"),
        ({"person_id": 1}, DomainError, 422, "person_id"),
        ({"household_id": 9999}, NotFound, 404, "household_id"),
        ({"distributed_on": "2099-01-01"}, DomainError, 422, "distributed_on"),
        ({"distributed_on": "2026-11-19"}, DomainError, 422, "distributed_on"),
        ({"distributed_on": "kemarin"}, DomainError, 422, "distributed_on"),
        ({"kelurahan_code": "32.75.99.1999"}, DomainError, 422, "kelurahan_code"),
        ({"client_id": "bukan id yang sah!"}, DomainError, 422, "client_id"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(db, world, values, error, status, field):
    from logistics.distributions.models import Distribution
    from logistics.stock.models import StockMovement

    movements = count(db, StockMovement)
    with pytest.raises(error) as refused:
        hand_out(world, **values)
    assert refused.value.status == status
    assert refused.value.field == field
    assert count(db, Distribution) == 0 and count(db, StockMovement) == movements
    assert balance(db, world.warehouse, "makanan_siap_saji") == 100


def test_a_refused_second_line_rolls_back_the_first(db, world):
    from logistics.distributions.models import Distribution

    with pytest.raises(Conflict):
        hand_out(
            world,
            lines=[
                {"item_id": "makanan_siap_saji", "quantity": 5},
                {"item_id": "selimut", "quantity": 51},
            ],
        )
    assert count(db, Distribution) == 0
    assert balance(db, world.warehouse, "makanan_siap_saji") == 100
    assert balance(db, world.warehouse, "selimut") == 50


def test_expired_lot_needs_a_reason(db, world):
    old = stock(world.warehouse, "makanan_anak", 10, date(2026, 11, 1), "L-OLD")
    line = {"item_id": "makanan_anak", "quantity": 2, "lot_id": old.id}
    with pytest.raises(DomainError, match="kedaluwarsa") as refused:
        hand_out(world, component="kelompok_rentan", lines=[line])
    assert refused.value.field == "lot_id"
    reason = "Masih layak menurut petugas Puskesmas"
    d, _ = hand_out(world, component="kelompok_rentan", lines=[{**line, "expired_reason": reason}])
    db.session.refresh(old)
    assert old.quantity == 8
    from logistics.distributions.lists import movements_of

    assert [(m.expired_reason, m.quantity) for m in movements_of(d)] == [(reason, 2)]


def test_closed_event_takes_no_new_hand_outs(db, world):
    from logistics.events.services import close_event

    close_event(world.event, closed_at=datetime(2026, 11, 25, 3, 0))
    db.session.commit()
    with pytest.raises(Conflict, match="sudah ditutup"):
        hand_out(world)
    # A hand-out made before the closing day and typed in later is still taken.
    d, created = hand_out(world, distributed_on="2026-11-24")
    assert created and d.distributed_on == date(2026, 11, 24)


def test_same_client_id_replays_the_first_record(db, world):
    from logistics.distributions.models import Distribution

    first, created = hand_out(world, client_id="hp-7-0001")
    again, created_again = hand_out(world, client_id="hp-7-0001")
    assert created and not created_again and again.id == first.id
    assert count(db, Distribution) == 1
    assert balance(db, world.warehouse, "makanan_siap_saji") == 97


def test_same_client_id_with_other_content_is_a_conflict(db, world):
    from logistics.distributions.models import Distribution

    first, _ = hand_out(world, client_id="hp-7-0002")
    with pytest.raises(Conflict) as refused:
        hand_out(
            world, client_id="hp-7-0002", lines=[{"item_id": "makanan_siap_saji", "quantity": 4}]
        )
    assert refused.value.field == "client_id"
    assert refused.value.details == {"distribution_id": first.id}
    assert count(db, Distribution) == 1


def test_replay_without_guard_is_caught_by_the_unique_client_id(db, world):
    from logistics.distributions.models import Distribution

    note = "Sesi konseling keluarga"
    values = {"component": "psikososial", "warehouse_id": None, "lines": [], "service_note": note}
    first, _ = hand_out(world, client_id="hp-7-0003", **values)
    again, created = hand_out(world, client_id="hp-7-0003", **values)
    assert not created and again.id == first.id
    with pytest.raises(Conflict) as refused:
        hand_out(world, client_id="hp-7-0003", household_id=None, person_id=world.rina.id)
    assert refused.value.field == "client_id"
    assert count(db, Distribution) == 1
    assert balance(db, world.warehouse, "makanan_siap_saji") == 100


def test_phase_follows_the_decree_in_force_when_left_empty(db, world):
    from logistics.events.decrees import add_decree

    add_decree(
        world.event,
        status="tanggap_darurat",
        decree_number="360/Kep.12-BPBD",
        issuer_level="bupati_walikota",
        starts_on=date(2026, 11, 20),
        ends_on=date(2026, 11, 23),
    )
    add_decree(
        world.event,
        status="transisi_darurat",
        decree_number="360/Kep.15-BPBD",
        issuer_level="bupati_walikota",
        starts_on=date(2026, 11, 24),
    )
    db.session.commit()
    during, _ = hand_out(world, distributed_on="2026-11-22")
    after, _ = hand_out(world, component="sandang", lines=[{"item_id": "selimut", "quantity": 1}])
    chosen, _ = hand_out(
        world,
        component="kelompok_rentan",
        phase="saat",
        lines=[],
        service_note="Pendampingan lansia",
    )
    assert (during.phase, after.phase) == ("saat", "setelah")
    assert chosen.phase == "saat"


def test_hand_outs_see_items_and_warehouses_changed_in_this_process_at_once(db, world):
    """Items and warehouses are cached per process: a change clears the cache."""
    from logistics.distributions.lists import movements_of
    from logistics.stock import catalogue, ledger, warehouses

    first, _ = hand_out(world)  # reads the catalogue into the cache
    item = ledger.get_item("makanan_siap_saji")
    assert movements_of(first)[0].item_name == item.name
    catalogue.update_item(item, name="Nasi bungkus siap saji", unit="bungkus")
    db.session.commit()
    renamed, _ = hand_out(world, household_id=None, person_id=world.rina.id)
    taken = movements_of(renamed)[0]
    assert (taken.item_name, taken.unit) == ("Nasi bungkus siap saji", "bungkus")

    catalogue.deactivate_item(ledger.get_item("makanan_siap_saji"))
    db.session.commit()
    with pytest.raises(NotFound) as refused:
        hand_out(world, household_id=None, institution_id=world.panti.id)
    assert refused.value.field == "item_id"

    warehouses.deactivate_warehouse(world.warehouse)
    db.session.commit()
    with pytest.raises(NotFound) as refused:
        hand_out(
            world,
            household_id=None,
            institution_id=world.panti.id,
            lines=[{"item_id": "beras", "quantity": 5}],
        )
    assert refused.value.field == "warehouse_id"


def test_a_rolled_back_change_leaves_no_trace_in_the_cache(db, world):
    from logistics.distributions.catalogue import hand_out_item
    from logistics.distributions.lists import movements_of
    from logistics.stock import catalogue, ledger

    item = ledger.get_item("makanan_siap_saji")
    name = item.name
    catalogue.update_item(item, name="Nama yang batal")
    # The cache is read while the change is flushed but not committed; then it is rolled back.
    assert hand_out_item("makanan_siap_saji").name == "Nama yang batal"
    db.session.rollback()
    d, _ = hand_out(world)
    assert movements_of(d)[0].item_name == name


def test_a_change_from_another_worker_shows_within_the_cache_time(db, world, monkeypatch):
    """Another worker's change fires no event here: a renamed item shows once the cache is
    older than CATALOGUE_CACHE_SECONDS, a new item at once (it is not in the cache)."""
    from sqlalchemy import insert, update

    from logistics.distributions import catalogue
    from logistics.distributions.lists import movements_of
    from logistics.stock.models import Item

    hand_out(world)
    # Written with Core statements, as another process's changes look to this one.
    db.session.execute(
        update(Item.__table__).where(Item.code == "beras").values(name="Beras medium")
    )
    db.session.commit()
    monkeypatch.setattr(catalogue, "CATALOGUE_CACHE_SECONDS", 0.0)
    renamed, _ = hand_out(
        world,
        household_id=None,
        person_id=world.rina.id,
        lines=[{"item_id": "beras", "quantity": 1}],
    )
    assert movements_of(renamed)[0].item_name == "Beras medium"

    monkeypatch.setattr(catalogue, "CATALOGUE_CACHE_SECONDS", 60.0)
    db.session.execute(
        insert(Item.__table__).values(
            code="susu_lansia", name="Susu lansia", category="pangan", unit="kotak"
        )
    )
    db.session.commit()
    stock(world.warehouse, "susu_lansia", 10)
    new, _ = hand_out(
        world,
        component="kelompok_rentan",
        lines=[{"item_id": "susu_lansia", "quantity": 1}],
    )
    assert movements_of(new)[0].item_name == "Susu lansia"
