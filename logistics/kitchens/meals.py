"""Meals of a field kitchen: recording one meal period from stock, and what it took."""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from logistics.core import inputs
from logistics.core.errors import Conflict, DomainError
from logistics.core.extensions import db
from logistics.core.formatting import tanggal
from logistics.core.time import office_date, office_today
from logistics.distributions.models import Distribution, DistributionRecipient
from logistics.events.models import Event
from logistics.kitchens.models import MEAL_PERIODS, FieldKitchen, KitchenMeal
from logistics.kitchens.services import MAX_PORTIONS
from logistics.stock import ledger
from logistics.stock.models import Item, StockDocument, StockMovement, Warehouse
from logistics.victims.models import Person, Victim

# Who is fed by name: nobody (all portions anonymous), the victims registered at the shelter,
# or the persons listed.
KNOWN_PERSONS = {
    "none": "Tidak dicatat per orang",
    "shelter": "Semua korban terdaftar di tempat pengungsian ini",
    "list": "Orang yang dipilih",
}
MAX_INGREDIENT_LINES = 50


@dataclass
class MealResult:
    meal: KitchenMeal
    distribution: Distribution
    created: bool  # False when a retried client_id returned the first record


def _period(value) -> str:
    period = value.strip().lower() if isinstance(value, str) else ""
    if period not in MEAL_PERIODS:
        raise DomainError("Waktu makan wajib dipilih: pagi, siang atau malam.", field="period")
    return period


def _served_on(value) -> date:
    served_on = inputs.day(value, "served_on", "Tanggal", required=True)
    if served_on > office_today():
        raise DomainError(
            f"Tanggal {tanggal(served_on)} belum terjadi; makanan dicatat setelah dibagikan.",
            field="served_on",
        )
    return served_on


def _ingredients(lines, warehouse: Warehouse | None) -> list[tuple[Item, Decimal]]:
    if lines is None:
        return []
    if not isinstance(lines, list):
        raise DomainError("Bahan harus berupa daftar (barang dan jumlah).", field="ingredients")
    if len(lines) > MAX_INGREDIENT_LINES:
        raise DomainError(f"Paling banyak {MAX_INGREDIENT_LINES} baris bahan.", field="ingredients")
    parsed: list[tuple[Item, Decimal]] = []
    for index, line in enumerate(lines):
        prefix = f"ingredients[{index}]"
        if not isinstance(line, Mapping):
            raise DomainError(
                f"Baris bahan {index + 1} harus berisi barang dan jumlah.", field=prefix
            )
        item = ledger.get_item(line.get("item_id"), field=f"{prefix}.item_id")
        if any(seen.id == item.id for seen, _ in parsed):
            raise DomainError(
                f"{item.name} tercantum dua kali; gabungkan jumlahnya dalam satu baris.",
                field=f"{prefix}.item_id",
            )
        parsed.append((item, ledger.quantity(item, line.get("quantity"), f"{prefix}.quantity")))
    if parsed and warehouse is None:
        raise DomainError(
            "Dapur umum ini belum punya gudang bahan; atur gudangnya dulu agar bahan "
            "dapat dikeluarkan dari stok.",
            field="ingredients",
        )
    return parsed


def _known_persons(kitchen: FieldKitchen, known, person_ids) -> list[int]:
    if known is None or (isinstance(known, str) and not known.strip()):
        # A list of persons alone is enough to say who was fed.
        known = "list" if person_ids else "none"
    mode = known.strip().lower() if isinstance(known, str) else None
    if mode not in KNOWN_PERSONS:
        raise DomainError("Pilihan orang yang diberi makan tidak dikenal.", field="known")
    if mode == "none":
        return []
    if mode == "shelter":
        if kitchen.shelter_id is None:
            raise DomainError(
                "Dapur umum ini tidak terkait tempat pengungsian; pilih orangnya satu per satu.",
                field="known",
            )
        return list(
            db.session.scalars(
                select(Victim.person_id)
                .join(Person, Person.id == Victim.person_id)
                .where(
                    Victim.event_id == kitchen.event_id,
                    Victim.shelter_id == kitchen.shelter_id,
                    Person.merged_into_id.is_(None),
                )
                .order_by(Victim.person_id)
            )
        )
    if not isinstance(person_ids, list) or not person_ids:
        raise DomainError("Pilih minimal satu orang yang diberi makan.", field="person_ids")
    wanted = []
    for value in person_ids:
        number = inputs.whole_number(value, "person_ids", "Orang", required=True)
        if number not in wanted:
            wanted.append(number)
    found = set(
        db.session.scalars(
            select(Victim.person_id).where(
                Victim.event_id == kitchen.event_id, Victim.person_id.in_(wanted)
            )
        )
    )
    missing = [number for number in wanted if number not in found]
    if missing:
        raise DomainError(
            f"Orang #{missing[0]} tidak terdaftar sebagai korban kejadian ini.", field="person_ids"
        )
    return wanted


def _existing_meal(kitchen: FieldKitchen, served_on: date, period: str) -> KitchenMeal | None:
    return db.session.scalar(
        select(KitchenMeal).where(
            KitchenMeal.kitchen_id == kitchen.id,
            KitchenMeal.served_on == served_on,
            KitchenMeal.period == period,
        )
    )


def _duplicate(kitchen: FieldKitchen, served_on: date, period: str) -> Conflict:
    return Conflict(
        f"Makan {MEAL_PERIODS[period].lower()} {kitchen.name} tanggal {tanggal(served_on)} "
        "sudah dicatat. Periksa catatan yang ada; jika angkanya salah, minta operator "
        "kantor memperbaikinya.",
        field="period",
    )


def _result_of(meal: KitchenMeal) -> MealResult:
    distribution = db.session.scalar(
        select(Distribution).where(Distribution.kitchen_meal_id == meal.id)
    )
    return MealResult(meal, distribution, created=False)


@dataclass
class _MealValues:
    """A meal's values, checked: what `_write_meal` writes."""

    day: date
    period: str
    heads: int
    cooked: int
    served: int
    warehouse: Warehouse | None
    lines: list[tuple[Item, Decimal]]
    persons: list[int]
    note: str


def _meal_values(
    kitchen: FieldKitchen,
    *,
    served_on,
    period,
    head_count,
    portions_cooked,
    portions_served,
    ingredients,
    known,
    person_ids,
    note,
) -> _MealValues:
    """Check a meal's values in the order a person fills the form; the first problem is refused."""
    day = _served_on(served_on)
    event = db.session.get(Event, kitchen.event_id)
    if day < office_date(event.started_at):
        raise DomainError(
            f"Tanggal {tanggal(day)} sebelum kejadian {event.code} dimulai "
            f"({tanggal(office_date(event.started_at))}); periksa tanggalnya.",
            field="served_on",
        )
    meal_period = _period(period)
    heads = inputs.whole_number(
        head_count, "head_count", "Jumlah orang yang diberi makan", required=True,
        maximum=MAX_PORTIONS,
    )  # fmt: skip
    cooked = inputs.whole_number(
        portions_cooked, "portions_cooked", "Porsi dimasak", required=True, maximum=MAX_PORTIONS
    )
    served = inputs.whole_number(
        portions_served, "portions_served", "Porsi dibagikan", required=True, maximum=MAX_PORTIONS
    )
    if served > cooked:
        raise DomainError(
            f"Porsi dibagikan ({served}) tidak boleh lebih dari porsi dimasak ({cooked}).",
            field="portions_served",
        )
    warehouse = db.session.get(Warehouse, kitchen.warehouse_id) if kitchen.warehouse_id else None
    lines = _ingredients(ingredients, warehouse)
    persons = _known_persons(kitchen, known, person_ids)
    if len(persons) > served:
        raise DomainError(
            f"Orang yang dicatat ({len(persons)}) lebih banyak dari porsi dibagikan ({served}).",
            field="known",
        )
    text = inputs.text(note, "note", "Catatan", 2000)
    return _MealValues(day, meal_period, heads, cooked, served, warehouse, lines, persons, text)


def _ingredients_document(
    kitchen: FieldKitchen, meal: _MealValues, user_id: int | None
) -> StockDocument | None:
    """The "kitchen" document the ingredients leave the warehouse under (FEFO), if any."""
    if not meal.lines:
        return None
    document = StockDocument(
        kind="kitchen",
        doc_date=meal.day,
        warehouse_id=meal.warehouse.id,
        shelter_id=kitchen.shelter_id,
        kelurahan_code=kitchen.kelurahan_code,
        event_id=kitchen.event_id,
        giver_name=meal.warehouse.pic_name,
        receiver_name=kitchen.pic_name,
        note=f"{kitchen.name}, makan {MEAL_PERIODS[meal.period].lower()}",
        created_by_id=user_id,
    )
    db.session.add(document)
    db.session.flush()
    for item, amount in meal.lines:
        ledger.issue(meal.warehouse, item, amount, "kitchen", today=meal.day, document=document)
    return document


def _write_meal(
    kitchen: FieldKitchen, values: _MealValues, client: str | None, user_id: int | None
) -> MealResult:
    """Write the ingredients document, the meal and its permakanan distribution; flush."""
    document = _ingredients_document(kitchen, values, user_id)
    meal = KitchenMeal(
        kitchen_id=kitchen.id,
        served_on=values.day,
        period=values.period,
        head_count=values.heads,
        portions_cooked=values.cooked,
        portions_served=values.served,
        document_id=document.id if document else None,
        note=values.note,
        client_id=client,
        created_by_id=user_id,
    )
    db.session.add(meal)
    db.session.flush()
    distribution = Distribution(
        event_id=kitchen.event_id,
        component="permakanan",
        phase="saat",
        recipient_kind="kitchen",
        kitchen_meal_id=meal.id,
        kelurahan_code=kitchen.kelurahan_code,
        shelter_id=kitchen.shelter_id,
        warehouse_id=kitchen.warehouse_id,
        distributed_on=values.day,
        persons_served=values.served,
        anonymous_portions=values.served - len(values.persons),
        service_note=f"{kitchen.name}, makan {MEAL_PERIODS[values.period].lower()}",
        receiver_name=kitchen.pic_name,
        created_by_id=user_id,
        recipients=[DistributionRecipient(person_id=p) for p in values.persons],
    )
    db.session.add(distribution)
    db.session.flush()
    return MealResult(meal, distribution, created=True)


def record_meal(
    kitchen: FieldKitchen,
    *,
    served_on,
    period,
    head_count,
    portions_cooked,
    portions_served,
    ingredients=None,
    known=None,
    person_ids=None,
    note=None,
    client_id=None,
    actor=None,
) -> MealResult:
    """Record one meal period of a kitchen, all or nothing; the caller commits (`transaction()`).

    The ingredients leave the kitchen's warehouse first-expiry-first-out under one "kitchen"
    document; the meal becomes a permakanan distribution whose known persons are its recipients
    and whose other portions are anonymous. A client_id already saved returns the first record.
    """
    client = inputs.client_id(client_id)
    if client is not None:
        earlier = db.session.scalar(select(KitchenMeal).where(KitchenMeal.client_id == client))
        if earlier is not None:
            if earlier.kitchen_id != kitchen.id:
                raise Conflict(
                    "client_id ini sudah dipakai untuk catatan dapur umum lain.", field="client_id"
                )
            return _result_of(earlier)
    if not kitchen.active:
        raise DomainError(f"{kitchen.name} sudah tidak aktif; catatan makan tidak diterima.")
    values = _meal_values(
        kitchen,
        served_on=served_on,
        period=period,
        head_count=head_count,
        portions_cooked=portions_cooked,
        portions_served=portions_served,
        ingredients=ingredients,
        known=known,
        person_ids=person_ids,
        note=note,
    )
    if _existing_meal(kitchen, values.day, values.period) is not None:
        raise _duplicate(kitchen, values.day, values.period)
    try:
        return _write_meal(kitchen, values, client, getattr(actor, "id", None))
    except IntegrityError:
        # Someone saved the same period (or client_id) between our check and our write. The
        # clash leaves the transaction unusable: roll it back to read what was saved.
        db.session.rollback()
        if client is not None:
            earlier = db.session.scalar(select(KitchenMeal).where(KitchenMeal.client_id == client))
            if earlier is not None:
                return _result_of(earlier)
        raise _duplicate(kitchen, values.day, values.period) from None


def list_meals(kitchen: FieldKitchen) -> list[KitchenMeal]:
    order = {period: index for index, period in enumerate(MEAL_PERIODS)}
    meals = db.session.scalars(select(KitchenMeal).where(KitchenMeal.kitchen_id == kitchen.id))
    return sorted(meals, key=lambda m: (m.served_on, order[m.period]), reverse=True)


def meal_ingredients(meal: KitchenMeal) -> list[tuple[Item, Decimal]]:
    """What one meal took from stock, per item."""
    if meal.document_id is None:
        return []
    totals: defaultdict[int, Decimal] = defaultdict(Decimal)
    items = {}
    for movement in db.session.scalars(
        select(StockMovement).where(StockMovement.document_id == meal.document_id)
    ):
        totals[movement.item_id] -= movement.quantity
        items[movement.item_id] = movement.item
    return [(items[i], totals[i]) for i in sorted(totals, key=lambda i: items[i].name)]


def ingredient_choices() -> list[Item]:
    """Active food items, the ones a kitchen cooks with, first; then the rest of the catalogue."""
    items = db.session.scalars(select(Item).where(Item.active.is_(True)).order_by(Item.name))
    return sorted(items, key=lambda item: (item.category != "pangan", item.name))


def shelter_victim_count(kitchen: FieldKitchen) -> int:
    """How many victims of the event are registered at the kitchen's shelter."""
    if kitchen.shelter_id is None:
        return 0
    return db.session.scalar(
        select(func.count(Victim.id)).where(
            Victim.event_id == kitchen.event_id, Victim.shelter_id == kitchen.shelter_id
        )
    )
