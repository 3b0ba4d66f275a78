"""Reference data every office starts with (hazards, Tagana skills, item catalogue, SPM standards)."""

import csv

from sqlalchemy import func, select

from logistics.core.config import ROOT
from logistics.core.extensions import db
from logistics.events.models import HazardType
from logistics.spm.models import SpmMetRule, SpmStandard
from logistics.stock.models import Item, KitComponent
from logistics.tagana.models import Competency

HAZARDS_FILE = ROOT / "data" / "hazards.csv"
COMPETENCIES_FILE = ROOT / "data" / "tagana_competencies.csv"
ITEMS_FILE = ROOT / "data" / "items.csv"
KITS_FILE = ROOT / "data" / "kit_components.csv"
SPM_STANDARDS_FILE = ROOT / "data" / "spm_standards.csv"


def seed_reference_data() -> dict:
    """Insert the reference lists the office has none of yet; an office's own edits are kept."""
    added = 0
    if not db.session.scalar(select(func.count(HazardType.id))):
        with open(HAZARDS_FILE, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                db.session.add(
                    HazardType(
                        code=row["code"],
                        name=row["name"],
                        hazard_class=row["hazard_class"],
                        sort_order=int(row["sort_order"]),
                    )
                )
                added += 1
        db.session.flush()
    competencies = 0
    if not db.session.scalar(select(func.count(Competency.id))):
        with open(COMPETENCIES_FILE, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                db.session.add(Competency(code=row["code"], name=row["name"]))
                competencies += 1
        db.session.flush()
    items = 0
    if not db.session.scalar(select(func.count(Item.id))):
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
                items += 1
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
    # Imported here: the settings service imports the models this module seeds.
    from logistics.spm.settings import seed_met_rules, seed_standards

    if not db.session.scalar(select(func.count(SpmStandard.id))):
        seed_standards(SPM_STANDARDS_FILE)
    if not db.session.scalar(select(func.count(SpmMetRule.id))):
        seed_met_rules()
    return {"hazard_types": added, "competencies": competencies, "items": items}
