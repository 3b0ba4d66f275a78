"""Reference data every office starts with (hazard types, Tagana competencies), from data/."""

import csv

from sqlalchemy import func, select

from logistics.config import ROOT
from logistics.extensions import db
from logistics.models import Competency, HazardType

HAZARDS_FILE = ROOT / "data" / "hazards.csv"
COMPETENCIES_FILE = ROOT / "data" / "tagana_competencies.csv"


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
    return {"hazard_types": added, "competencies": competencies}
