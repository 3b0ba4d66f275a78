"""Kota Bekasi's kelurahan the tests use, and where their label points are."""

from sqlalchemy import select

from logistics.areas.models import Area
from logistics.core.extensions import db

BEKASIJAYA = "32.75.01.1001"
MARGAHAYU = "32.75.01.1002"


def label_point(code: str) -> tuple[float, float]:
    area = db.session.scalar(select(Area).where(Area.code == code))
    return area.label_lat, area.label_lng
