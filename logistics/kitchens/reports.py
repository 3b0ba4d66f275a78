"""A field kitchen's coverage report: portions against head counts, and ingredients used."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select

from logistics.core.extensions import db
from logistics.distributions.models import Distribution, DistributionRecipient
from logistics.kitchens.meals import list_meals
from logistics.kitchens.models import FieldKitchen, KitchenMeal
from logistics.stock.models import Item, StockMovement

# Meals per person per day during tanggap darurat in office plans (Perka BNPB 7/2008 says 2);
# an office may set MEALS_PER_DAY in its configuration.
DEFAULT_MEALS_PER_DAY = 3


def meals_per_day() -> int:
    """The office's standard number of meals per person per day."""
    return int(current_app.config.get("MEALS_PER_DAY", DEFAULT_MEALS_PER_DAY))


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
