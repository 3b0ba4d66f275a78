"""Field kitchens (dapur umum) of an event: registry, meals cooked from stock, coverage report."""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask import current_app
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from logistics.areas.services import require_kelurahan
from logistics.core import inputs
from logistics.core.database import transaction
from logistics.core.errors import Conflict, DomainError, NotFound
from logistics.core.extensions import db
from logistics.core.formatting import tanggal
from logistics.core.time import office_date, office_today
from logistics.distributions.models import Distribution, DistributionRecipient
from logistics.events.models import Event
from logistics.kitchens.models import MEAL_PERIODS, FieldKitchen, KitchenMeal
from logistics.shelters.models import Shelter
from logistics.shelters.services import latest_count
from logistics.stock import ledger
from logistics.stock.models import Item, StockDocument, StockMovement, Warehouse
from logistics.victims.models import Person, Victim

KITCHEN_FIELDS = (
    "name",
    "kelurahan_code",
    "shelter_id",
    "warehouse_id",
    "capacity_portions",
    "pic_name",
    "active",
)
# One field-kitchen set serves about 750 portions per cooking (DOMAIN.md section 7).
DEFAULT_CAPACITY = 750
# Meals per person per day during tanggap darurat in office plans (Perka BNPB 7/2008 says 2);
# an office may set MEALS_PER_DAY in its configuration.
DEFAULT_MEALS_PER_DAY = 3
# Who is fed by name: nobody (all portions anonymous), the victims registered at the shelter,
# or the persons listed.
KNOWN_PERSONS = {
    "none": "Tidak dicatat per orang",
    "shelter": "Semua korban terdaftar di tempat pengungsian ini",
    "list": "Orang yang dipilih",
}
MAX_PORTIONS = 100_000
MAX_INGREDIENT_LINES = 50


def meals_per_day() -> int:
    """The office's standard number of meals per person per day."""
    return int(current_app.config.get("MEALS_PER_DAY", DEFAULT_MEALS_PER_DAY))


# --- registry ------------------------------------------------------------------------------------


def _shelter_id(value) -> int | None:
    number = inputs.whole_number(value, "shelter_id", "Tempat pengungsian")
    if number is None:
        return None
    if db.session.get(Shelter, number) is None:
        raise DomainError(f"Tempat pengungsian #{number} tidak ditemukan.", field="shelter_id")
    return number


def _warehouse_id(value) -> int | None:
    if inputs.is_blank(value):
        return None
    return ledger.get_warehouse(value, field="warehouse_id").id


def _capacity(value) -> int:
    number = inputs.whole_number(
        value, "capacity_portions", "Kapasitas (porsi per masak)", maximum=MAX_PORTIONS
    )
    if number is None:
        return DEFAULT_CAPACITY
    if number == 0:
        raise DomainError(
            "Kapasitas dapur umum harus lebih dari nol porsi.", field="capacity_portions"
        )
    return number


def _kitchen_values(values: Mapping) -> dict:
    unknown = sorted(set(values) - set(KITCHEN_FIELDS))
    if unknown:
        raise DomainError(f"Kolom tidak dikenal: {', '.join(unknown)}.", field=unknown[0])
    parsers = {
        "name": lambda v: inputs.text(v, "name", "Nama dapur umum", 200, required=True),
        "kelurahan_code": lambda v: v,
        "shelter_id": _shelter_id,
        "warehouse_id": _warehouse_id,
        "capacity_portions": _capacity,
        "pic_name": lambda v: inputs.text(v, "pic_name", "Nama penanggung jawab", 160),
        "active": lambda v: inputs.flag(v, "active", "Aktif"),
    }
    return {key: parsers[key](value) for key, value in values.items()}


def _place(clean: dict, kitchen: FieldKitchen | None) -> None:
    """The kelurahan: the one given (checked), else the shelter's."""
    code = clean.get("kelurahan_code", kitchen.kelurahan_code if kitchen else None)
    shelter_id = clean.get("shelter_id", kitchen.shelter_id if kitchen else None)
    if code is not None and not isinstance(code, str):
        raise DomainError("Kode kelurahan/desa harus berupa teks.", field="kelurahan_code")
    if (code is None or not code.strip()) and shelter_id is not None:
        code = db.session.get(Shelter, shelter_id).kelurahan_code
    if code is None or not code.strip():
        raise DomainError(
            "Isi kelurahan/desa dapur umum, atau pilih tempat pengungsian yang dilayaninya.",
            field="kelurahan_code",
        )
    clean["kelurahan_code"] = require_kelurahan(code).code


def get_kitchen(kitchen_id: int) -> FieldKitchen:
    kitchen = db.session.get(FieldKitchen, kitchen_id)
    if kitchen is None:
        raise NotFound(f"Dapur umum #{kitchen_id} tidak ditemukan.")
    return kitchen


def create_kitchen(event: Event, **values) -> FieldKitchen:
    """Register a field kitchen of `event`; capacity defaults to 750 portions per cooking."""
    values.setdefault("name", None)
    clean = _kitchen_values(values)
    _place(clean, None)
    clean.setdefault("capacity_portions", DEFAULT_CAPACITY)
    if event.closed_at is not None:
        raise DomainError(
            f"Kejadian {event.code} sudah ditutup; dapur umum baru tidak dapat ditambahkan."
        )
    kitchen = FieldKitchen(event_id=event.id, **clean)
    db.session.add(kitchen)
    db.session.flush()
    return kitchen


def update_kitchen(kitchen: FieldKitchen, **changes) -> FieldKitchen:
    """Change only the fields given."""
    clean = _kitchen_values(changes)
    if {"kelurahan_code", "shelter_id"} & set(clean):
        _place(clean, kitchen)
    for key, value in clean.items():
        setattr(kitchen, key, value)
    db.session.flush()
    return kitchen


def list_kitchens(event_id: int) -> list[FieldKitchen]:
    return list(
        db.session.scalars(
            select(FieldKitchen)
            .where(FieldKitchen.event_id == event_id)
            .order_by(FieldKitchen.active.desc(), FieldKitchen.name, FieldKitchen.id)
        )
    )


def suggested_head_count(kitchen: FieldKitchen) -> int | None:
    """The latest head count of the shelter the kitchen feeds, as a starting value for a meal."""
    if kitchen.shelter_id is None:
        return None
    count = latest_count(db.session.get(Shelter, kitchen.shelter_id))
    return count.persons if count is not None else None


# --- meals ---------------------------------------------------------------------------------------


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
) -> MealResult:
    """Record one meal period of a kitchen, all or nothing, and commit it.

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
    if _existing_meal(kitchen, day, meal_period) is not None:
        raise _duplicate(kitchen, day, meal_period)
    user_id = current_user.id if current_user and current_user.is_authenticated else None
    try:
        with transaction():
            document = None
            if lines:
                document = StockDocument(
                    kind="kitchen",
                    doc_date=day,
                    warehouse_id=warehouse.id,
                    shelter_id=kitchen.shelter_id,
                    kelurahan_code=kitchen.kelurahan_code,
                    event_id=kitchen.event_id,
                    giver_name=warehouse.pic_name,
                    receiver_name=kitchen.pic_name,
                    note=f"{kitchen.name}, makan {MEAL_PERIODS[meal_period].lower()}",
                    created_by_id=user_id,
                )
                db.session.add(document)
                db.session.flush()
                for item, amount in lines:
                    ledger.issue(warehouse, item, amount, "kitchen", document=document)
            meal = KitchenMeal(
                kitchen_id=kitchen.id,
                served_on=day,
                period=meal_period,
                head_count=heads,
                portions_cooked=cooked,
                portions_served=served,
                document_id=document.id if document else None,
                note=text,
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
                distributed_on=day,
                persons_served=served,
                anonymous_portions=served - len(persons),
                service_note=f"{kitchen.name}, makan {MEAL_PERIODS[meal_period].lower()}",
                receiver_name=kitchen.pic_name,
                created_by_id=user_id,
                recipients=[DistributionRecipient(person_id=p) for p in persons],
            )
            db.session.add(distribution)
            db.session.flush()
    except IntegrityError:
        # Someone saved the same period (or client_id) between our check and our write.
        if client is not None:
            earlier = db.session.scalar(select(KitchenMeal).where(KitchenMeal.client_id == client))
            if earlier is not None:
                return _result_of(earlier)
        raise _duplicate(kitchen, day, meal_period) from None
    return MealResult(meal, distribution, created=True)


def list_meals(kitchen: FieldKitchen) -> list[KitchenMeal]:
    order = {period: index for index, period in enumerate(MEAL_PERIODS)}
    meals = db.session.scalars(select(KitchenMeal).where(KitchenMeal.kitchen_id == kitchen.id))
    return sorted(meals, key=lambda m: (m.served_on, order[m.period]), reverse=True)


# --- report --------------------------------------------------------------------------------------


@dataclass
class MealRow:
    period: str
    head_count: int
    portions_cooked: int
    portions_served: int
    known_persons: int
    meal_id: int
    document_id: int | None

    @property
    def coverage(self) -> float | None:
        """Portions served per person counted, as a percentage."""
        return self.portions_served / self.head_count * 100 if self.head_count else None


@dataclass
class DayRow:
    day: date
    meals: list[MealRow] = field(default_factory=list)

    @property
    def head_count(self) -> int:
        """The largest head count of the day: everyone who needed feeding that day."""
        return max((m.head_count for m in self.meals), default=0)

    @property
    def portions_served(self) -> int:
        return sum(m.portions_served for m in self.meals)

    @property
    def meals_per_person(self) -> float | None:
        return self.portions_served / self.head_count if self.head_count else None


@dataclass
class IngredientRow:
    item_id: int
    name: str
    unit: str
    quantity: Decimal


@dataclass
class KitchenReport:
    days: list[DayRow]
    ingredients: list[IngredientRow]
    standard: int

    @property
    def portions_served(self) -> int:
        return sum(d.portions_served for d in self.days)

    def meets_standard(self, row: DayRow) -> bool:
        per_person = row.meals_per_person
        return per_person is not None and per_person >= self.standard


def kitchen_report(kitchen: FieldKitchen) -> KitchenReport:
    """Per day and period: head count against portions served, meals per person against the
    standard, and the ingredients the meals took from stock (read from the ledger)."""
    known = dict(
        db.session.execute(
            select(Distribution.kitchen_meal_id, func.count(DistributionRecipient.id))
            .join(DistributionRecipient, DistributionRecipient.distribution_id == Distribution.id)
            .join(KitchenMeal, KitchenMeal.id == Distribution.kitchen_meal_id)
            .where(KitchenMeal.kitchen_id == kitchen.id)
            .group_by(Distribution.kitchen_meal_id)
        ).all()
    )
    days: dict[date, DayRow] = {}
    for meal in reversed(list_meals(kitchen)):
        row = days.setdefault(meal.served_on, DayRow(meal.served_on))
        row.meals.append(
            MealRow(
                meal.period,
                meal.head_count,
                meal.portions_cooked,
                meal.portions_served,
                known.get(meal.id, 0),
                meal.id,
                meal.document_id,
            )
        )
    used = db.session.execute(
        select(Item.id, Item.name, Item.unit, func.sum(StockMovement.quantity))
        .join(StockMovement, StockMovement.item_id == Item.id)
        .join(KitchenMeal, KitchenMeal.document_id == StockMovement.document_id)
        .where(KitchenMeal.kitchen_id == kitchen.id)
        .group_by(Item.id, Item.name, Item.unit)
        .order_by(Item.name)
    ).all()
    ingredients = [
        IngredientRow(item_id, name, unit, -Decimal(str(total)))
        for item_id, name, unit, total in used
    ]
    return KitchenReport(list(days.values()), ingredients, meals_per_day())


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


def shelter_choices(event_id: int) -> list[tuple[int, str]]:
    """Shelters a kitchen of the event can feed: the event's, and those not tied to an event."""
    return [
        (shelter.id, shelter.name)
        for shelter in db.session.scalars(
            select(Shelter)
            .where((Shelter.event_id == event_id) | Shelter.event_id.is_(None))
            .order_by(Shelter.name, Shelter.id)
        )
    ]


def warehouse_choices() -> list[tuple[int, str]]:
    return [
        (warehouse.id, f"{warehouse.name} ({warehouse.code})")
        for warehouse in db.session.scalars(
            select(Warehouse).where(Warehouse.active.is_(True)).order_by(Warehouse.name)
        )
    ]


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
