"""The item catalogue and kit contents every office starts with (data/items.csv, kit_components.csv)."""

import csv

from sqlalchemy import func, select

from logistics.core.config import ROOT
from logistics.core.extensions import db
from logistics.stock.models import Item, KitComponent

ITEMS_FILE = ROOT / "data" / "items.csv"
KITS_FILE = ROOT / "data" / "kit_components.csv"


def seed_items() -> int:
    """Insert the catalogue and its kits when the office has no item yet; returns items added."""
    if db.session.scalar(select(func.count(Item.id))):
        return 0
    by_code = {}
    with open(ITEMS_FILE, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            item = Item(
                code=row["code"],
                name=row["name"],
                category=row["category"],
                unit=row["unit"],
                whole_units=row["whole_units"] == "1",
                expires=row["expires"] == "1",
                is_kit=row["is_kit"] == "1",
                kcal_per_unit=int(row["kcal_per_unit"]) if row["kcal_per_unit"] else None,
            )
            db.session.add(item)
            by_code[item.code] = item
    db.session.flush()
    # Default kit contents; every office edits its own.
    with open(KITS_FILE, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            db.session.add(
                KitComponent(
                    kit_id=by_code[row["kit_code"]].id,
                    component_id=by_code[row["component_code"]].id,
                    quantity=row["quantity"],
                )
            )
    db.session.flush()
    return len(by_code)
