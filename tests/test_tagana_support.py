"""Helpers shared by the Tagana tests (shelters, members, deployments, times); no tests here."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from logistics.areas.models import Area
from logistics.core.extensions import db
from logistics.shelters.models import Shelter
from logistics.tagana import deployments as deployment_service
from logistics.tagana import members as member_service

JAKARTA = ZoneInfo("Asia/Jakarta")


def wib(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Jakarta wall-clock time as the stored naive UTC timestamp."""
    local = datetime(year, month, day, hour, minute, tzinfo=JAKARTA)
    return local.astimezone(UTC).replace(tzinfo=None)


def label_point(code: str) -> tuple[float, float]:
    area = db.session.scalar(select(Area).where(Area.code == code))
    return area.label_lat, area.label_lng


def make_shelter(
    event, name: str, code: str = "32.75.01.1002", *, status: str = "buka", located: bool = True
) -> Shelter:
    """An open shelter at its kelurahan's label point (tagged to the event unless event=None)."""
    lat, lng = label_point(code) if located else (None, None)
    shelter = Shelter(
        event_id=event.id if event is not None else None,
        name=name,
        kind="gedung_sekolah",
        kelurahan_code=code,
        lat=lat,
        lng=lng,
        capacity=200,
        status=status,
    )
    db.session.add(shelter)
    db.session.commit()
    return shelter


def make_member(nia: str, name: str, competencies=("shelter",), **fields):
    fields.setdefault("sex", "L")
    fields.setdefault("level", "muda")
    fields.setdefault("home_kelurahan_code", "32.75.01.1001")
    member = member_service.create_member(
        nia=nia, name=name, competencies=list(competencies), **fields
    )
    db.session.commit()
    return member


def deploy(member, event, shelter, starts_at: datetime, ends_at: datetime | None = None, **fields):
    fields.setdefault("role", "Petugas shelter")
    fields.setdefault("letter_number", f"800/{member.nia}/Linjamsos")
    deployment = deployment_service.deploy_member(
        member_id=member.id,
        event_id=event.id,
        place_kind=fields.pop("place_kind", "shelter"),
        shelter_id=shelter.id if shelter is not None else None,
        starts_at=starts_at,
        ends_at=ends_at,
        **fields,
    )
    db.session.commit()
    return deployment
