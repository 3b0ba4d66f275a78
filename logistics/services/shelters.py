"""Shelters: registry, daily head counts, the checks on space and toilets, occupancy."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from logistics.extensions import db
from logistics.models import Shelter, ShelterCount


@dataclass
class ShelterSummary:
    """What a list or a map needs to know about one shelter today."""

    id: int
    name: str
    kind: str
    status: str
    event_id: int | None
    kelurahan_code: str
    lat: float | None
    lng: float | None
    capacity: int
    persons: int  # the latest head count, 0 if none yet
    households: int
    counted_on: date | None
    warnings: list[str] = field(default_factory=list)

    @property
    def occupancy(self) -> float | None:
        """Persons / capacity (1.0 = full); None when the capacity is unknown (0)."""
        return self.persons / self.capacity if self.capacity else None

    @property
    def free(self) -> int:
        return max(self.capacity - self.persons, 0)


def shelter_summaries(event_id: int | None = None) -> list[ShelterSummary]:
    """Every shelter (of one event when given) with its latest head count."""
    latest = (
        select(ShelterCount.shelter_id, func.max(ShelterCount.counted_on).label("day"))
        .group_by(ShelterCount.shelter_id)
        .subquery()
    )
    query = (
        select(Shelter, ShelterCount)
        .outerjoin(latest, latest.c.shelter_id == Shelter.id)
        .outerjoin(
            ShelterCount,
            (ShelterCount.shelter_id == Shelter.id) & (ShelterCount.counted_on == latest.c.day),
        )
        .order_by(Shelter.name)
    )
    if event_id is not None:
        query = query.where(Shelter.event_id == event_id)
    summaries = []
    for shelter, count in db.session.execute(query):
        summaries.append(
            ShelterSummary(
                id=shelter.id,
                name=shelter.name,
                kind=shelter.kind,
                status=shelter.status,
                event_id=shelter.event_id,
                kelurahan_code=shelter.kelurahan_code,
                lat=shelter.lat,
                lng=shelter.lng,
                capacity=shelter.capacity,
                persons=count.persons if count else 0,
                households=count.households if count else 0,
                counted_on=count.counted_on if count else None,
            )
        )
    return summaries
