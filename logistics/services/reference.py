"""Reference data every office starts with (hazard types), loaded from data/ into empty tables."""

import csv

from sqlalchemy import func, select

from logistics.config import ROOT
from logistics.extensions import db
from logistics.models import HazardType

HAZARDS_FILE = ROOT / "data" / "hazards.csv"


def seed_reference_data() -> dict:
    """Insert the hazard list if the office has none yet; an office's own edits are kept."""
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
    return {"hazard_types": added}
