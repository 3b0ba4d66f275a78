"""Tagana competencies every office starts with (data/tagana_competencies.csv)."""

import csv

from sqlalchemy import func, select

from logistics.core.config import ROOT
from logistics.core.extensions import db
from logistics.tagana.models import Competency

COMPETENCIES_FILE = ROOT / "data" / "tagana_competencies.csv"


def seed_competencies() -> int:
    """Insert the competency list when the office has none yet; returns how many were added."""
    if db.session.scalar(select(func.count(Competency.id))):
        return 0
    added = 0
    with open(COMPETENCIES_FILE, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            db.session.add(Competency(code=row["code"], name=row["name"]))
            added += 1
    db.session.flush()
    return added
