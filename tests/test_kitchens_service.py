"""Field kitchens: registry, meals taken from stock as permakanan distributions, coverage report."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from logistics.core.errors import DomainError
from tests.support.areas import BEKASIJAYA
from tests.support.kitchens import make_site, meal, register_victims, today


@pytest.fixture
def site(db, make_event):
    return make_site(db, make_event)


def counts(db):
    from logistics.distributions.models import Distribution
    from logistics.kitchens.models import KitchenMeal
    from logistics.stock.models import StockDocument, StockMovement

    return tuple(
        db.session.scalar(select(func.count(model.id)))
        for model in (KitchenMeal, Distribution, StockDocument, StockMovement)
    )


# --- registry ------------------------------------------------------------------------------------


def test_kitchen_takes_kelurahan_from_its_shelter_and_defaults_capacity(site):
    assert site.kitchen.kelurahan_code == site.shelter.kelurahan_code == BEKASIJAYA
    assert site.kitchen.capacity_portions == 750
    assert site.kitchen.event_id == site.event.id


def test_kitchen_needs_a_place_and_a_name(db, site):
    from logistics.kitchens.services import create_kitchen

    with pytest.raises(DomainError) as caught:
        create_kitchen(site.event, name="Dapur Keliling")
    assert caught.value.field == "kelurahan_code"
    with pytest.raises(DomainError) as caught:
        create_kitchen(site.event, name="", kelurahan_code=BEKASIJAYA)
    assert caught.value.field == "name"
    with pytest.raises(DomainError) as caught:
        create_kitchen(site.event, name="Dapur X", kelurahan_code=BEKASIJAYA, capacity_portions=0)
    assert caught.value.field == "capacity_portions"


def test_update_changes_only_the_given_fields(db, site):
    from logistics.kitchens.services import update_kitchen

    update_kitchen(site.kitchen, capacity_portions="500", pic_name="Rina")
    db.session.commit()
    assert (site.kitchen.capacity_portions, site.kitchen.pic_name) == (500, "Rina")
    assert site.kitchen.warehouse_id == site.warehouse.id


def test_suggested_head_count_is_the_shelters_latest(site):
    from logistics.kitchens.services import suggested_head_count

    assert suggested_head_count(site.kitchen) == 140


# --- meals ---------------------------------------------------------------------------------------


def test_meal_decrements_ingredients_and_makes_a_permakanan_distribution(db, site):
    from logistics.stock.models import StockDocument, StockMovement

    persons = register_victims(db, site.event, site.shelter)
    result = meal(
        site.kitchen,
        ingredients=[
            {"item_id": "beras", "quantity": "56,5"},
            {"item_id": str(site.mi.item_id), "quantity": 4},
        ],
        known="shelter",
    )
    assert result.created
    db.session.refresh(site.beras)
    db.session.refresh(site.mi)
    assert site.beras.quantity == Decimal("43.5")
    assert site.mi.quantity == 6

    document = db.session.get(StockDocument, result.meal.document_id)
    assert (document.kind, document.number, document.event_id) == ("kitchen", None, site.event.id)
    assert document.receiver_name == "Sari Dapur" and document.giver_name == "Budi Gudang"
    movements = db.session.scalars(
        select(StockMovement).where(StockMovement.document_id == document.id)
    ).all()
    assert sorted((m.kind, m.quantity) for m in movements) == [
        ("kitchen", Decimal("-56.5")),
        ("kitchen", Decimal("-4")),
    ]

    distribution = result.distribution
    assert distribution.component == "permakanan"
    assert (distribution.phase, distribution.recipient_kind) == ("saat", "kitchen")
    assert distribution.kitchen_meal_id == result.meal.id
    assert distribution.persons_served == 140
    assert distribution.anonymous_portions == 140 - 3
    assert sorted(r.person_id for r in distribution.recipients) == sorted(persons)
    assert distribution.shelter_id == site.shelter.id
    assert distribution.distributed_on == today()


def test_meal_without_known_persons_is_all_anonymous_and_without_document(db, site):
    result = meal(site.kitchen, portions_served=90, portions_cooked=100)
    assert result.meal.document_id is None
    assert result.distribution.anonymous_portions == 90
    assert result.distribution.recipients == []


def test_listed_persons_must_be_victims_of_the_event(db, site):
    persons = register_victims(db, site.event, site.shelter)
    result = meal(site.kitchen, known="list", person_ids=persons[:2], portions_served=10)
    assert result.distribution.anonymous_portions == 8
    with pytest.raises(DomainError) as caught:
        meal(site.kitchen, period="malam", known="list", person_ids=[persons[0], 99999])
    assert caught.value.field == "person_ids" and "99999" in caught.value.message


def test_second_record_for_the_same_period_is_409(db, site):
    meal(site.kitchen)
    before = counts(db)
    with pytest.raises(DomainError) as caught:
        meal(site.kitchen, ingredients=[{"item_id": "beras", "quantity": 5}])
    assert caught.value.status == 409
    assert "siang" in caught.value.message and "sudah dicatat" in caught.value.message
    assert counts(db) == before
    db.session.refresh(site.beras)
    assert site.beras.quantity == 100
    # Another period of the same day is a different meal.
    assert meal(site.kitchen, period="malam").created


def test_client_id_retry_returns_the_first_record(db, site):
    first = meal(
        site.kitchen, client_id="hp-01-meal-7", ingredients=[{"item_id": "beras", "quantity": 10}]
    )
    before = counts(db)
    again = meal(
        site.kitchen, client_id="hp-01-meal-7", ingredients=[{"item_id": "beras", "quantity": 10}]
    )
    assert not again.created
    assert again.meal.id == first.meal.id and again.distribution.id == first.distribution.id
    assert counts(db) == before
    db.session.refresh(site.beras)
    assert site.beras.quantity == 90


def test_served_above_cooked_is_422(db, site):
    before = counts(db)
    with pytest.raises(DomainError) as caught:
        meal(site.kitchen, portions_cooked=100, portions_served=101)
    assert caught.value.status == 422 and caught.value.field == "portions_served"
    assert counts(db) == before


def test_ingredients_above_stock_are_409_and_nothing_is_written(db, site):
    before = counts(db)
    with pytest.raises(DomainError) as caught:
        meal(
            site.kitchen,
            ingredients=[
                {"item_id": "beras", "quantity": 30},
                {"item_id": "mi_instan", "quantity": 11},
            ],
        )
    assert caught.value.status == 409
    assert "Mi instan" in caught.value.message
    assert counts(db) == before
    for lot, held in ((site.beras, 100), (site.mi, 10)):
        db.session.refresh(lot)
        assert lot.quantity == held


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"period": "sore"}, "period"),
        ({"head_count": "-3"}, "head_count"),
        ({"portions_cooked": "banyak"}, "portions_cooked"),
        ({"served_on": "2999-01-01"}, "served_on"),
        ({"served_on": "before the event"}, "served_on"),
        ({"ingredients": [{"item_id": "beras", "quantity": 0}]}, "ingredients[0].quantity"),
        ({"ingredients": [{"item_id": "tidak_ada", "quantity": 1}]}, "ingredients[0].item_id"),
        (
            {
                "ingredients": [
                    {"item_id": "beras", "quantity": 1},
                    {"item_id": "beras", "quantity": 2},
                ]
            },
            "ingredients[1].item_id",
        ),
        ({"known": "list", "person_ids": []}, "person_ids"),
    ],
)
def test_bad_meal_values_are_refused_with_their_field(db, site, overrides, field):
    if overrides.get("served_on") == "before the event":
        overrides = {"served_on": site.event.started_at.date() - timedelta(days=1)}
    with pytest.raises(DomainError) as caught:
        meal(site.kitchen, **overrides)
    assert caught.value.field == field
    assert counts(db)[0] == 0


def test_more_known_persons_than_portions_is_refused(db, site):
    register_victims(db, site.event, site.shelter)
    with pytest.raises(DomainError) as caught:
        meal(site.kitchen, known="shelter", portions_served=2, portions_cooked=2)
    assert caught.value.field == "known"


def test_kitchen_without_warehouse_cannot_take_ingredients(db, site):
    from logistics.kitchens.services import create_kitchen

    kitchen = create_kitchen(site.event, name="Dapur Masjid", kelurahan_code=BEKASIJAYA)
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        meal(kitchen, ingredients=[{"item_id": "beras", "quantity": 1}])
    assert caught.value.field == "ingredients"


# --- report --------------------------------------------------------------------------------------


def test_report_per_day_and_period_with_meals_per_person_and_ingredients(db, site):
    from logistics.kitchens.reports import kitchen_report

    yesterday = today() - timedelta(days=1)
    for period, served in (("pagi", 120), ("siang", 120), ("malam", 120)):
        meal(
            site.kitchen, served_on=yesterday.isoformat(), period=period, head_count=120,
            portions_cooked=125, portions_served=served,
            ingredients=[{"item_id": "beras", "quantity": 12}],
        )  # fmt: skip
    meal(
        site.kitchen, period="pagi", head_count=140, portions_cooked=140, portions_served=70,
        ingredients=[{"item_id": "beras", "quantity": "7,5"}, {"item_id": "mi_instan", "quantity": 2}],
    )  # fmt: skip
    report = kitchen_report(site.kitchen)
    assert report.standard == 3
    assert [d.day for d in report.days] == [yesterday, today()]
    first, second = report.days
    assert [m.period for m in first.meals] == ["pagi", "siang", "malam"]
    assert first.meals_per_person == 3 and report.meets_standard(first)
    assert second.meals[0].coverage == 50
    assert second.meals_per_person == 0.5 and not report.meets_standard(second)
    assert report.portions_served == 430
    used = {row.name: row.quantity for row in report.ingredients}
    assert used == {"Beras": Decimal("43.5"), "Mi instan": Decimal(2)}
