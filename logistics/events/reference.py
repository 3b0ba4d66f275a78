"""Hazard types every office starts with (data/hazards.csv)."""

import csv

from sqlalchemy import func, select

from logistics.core.config import ROOT
from logistics.core.extensions import db
from logistics.events.models import HazardType

HAZARDS_FILE = ROOT / "data" / "hazards.csv"


def seed_hazard_types() -> int:
    """Insert the hazard list when the office has none yet; returns how many were added."""
    if db.session.scalar(select(func.count(HazardType.id))):
        return 0
    added = 0
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
    return added
