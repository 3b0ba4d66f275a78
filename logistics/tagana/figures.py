"""What the office reports about Tagana and KSB for one calendar year."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, or_, select

from logistics.core.errors import DomainError
from logistics.core.extensions import db
from logistics.core.scope import WHOLE_OFFICE, Scope
from logistics.core.time import office_date, office_zone, utcnow
from logistics.events.models import Event
from logistics.tagana.deployments import deployment_area, person_days
from logistics.tagana.models import LEVELS, Deployment, KampungSiagaBencana, TaganaMember, Training


@dataclass
class LevelRow:
    """Active members of one level, by sex."""

    level: str
    label: str
    men: int = 0
    women: int = 0

    @property
    def total(self) -> int:
        return self.men + self.women


@dataclass
class EventDays:
    """Deployments and person-days of one event within the year."""

    event_id: int
    code: str
    title: str
    deployments: int = 0
    members: int = 0
    person_days: int = 0


@dataclass
class YearFigures:
    """What the office reports about Tagana and KSB for one calendar year."""

    year: int
    levels: list[LevelRow]
    trained_members: int
    trainings: int
    events: list[EventDays]
    ksb_total: int
    ksb_formed: int
    ksb_facilitated: int
    deployed_members: int = 0
    ksb_with_lumbung: int = 0  # active KSB with a lumbung sosial linked

    @property
    def members_total(self) -> int:
        return sum(row.total for row in self.levels)

    @property
    def men(self) -> int:
        return sum(row.men for row in self.levels)

    @property
    def women(self) -> int:
        return sum(row.women for row in self.levels)

    @property
    def deployments(self) -> int:
        return sum(e.deployments for e in self.events)

    @property
    def person_days(self) -> int:
        return sum(e.person_days for e in self.events)

    def summary_rows(self) -> list[tuple[str, int]]:
        return [
            ("Anggota aktif", self.members_total),
            ("Anggota aktif laki-laki", self.men),
            ("Anggota aktif perempuan", self.women),
            ("Anggota yang mengikuti pelatihan", self.trained_members),
            ("Pelatihan diikuti", self.trainings),
            ("Penugasan (pengerahan)", self.deployments),
            ("Anggota yang ditugaskan", self.deployed_members),
            ("Hari-orang penugasan", self.person_days),
            ("KSB aktif", self.ksb_total),
            ("KSB terbentuk tahun ini", self.ksb_formed),
            ("KSB dibina tahun ini", self.ksb_facilitated),
            ("KSB aktif dengan lumbung sosial", self.ksb_with_lumbung),
        ]


def _levels(year_end: date, scope: Scope) -> dict[str, LevelRow]:
    """Active members of the wilayah who had joined by year_end, by level and sex."""
    levels = {key: LevelRow(key, label) for key, label in LEVELS.items()}
    members = select(TaganaMember).where(TaganaMember.active.is_(True))
    members = db.session.scalars(scope.narrow_covering(members, TaganaMember.home_kelurahan_code))
    for member in members:
        joined = member.joined_on or member.decree_date or office_date(member.created_at)
        if joined > year_end:
            continue
        row = levels[member.level]
        if member.sex == "L":
            row.men += 1
        else:
            row.women += 1
    return levels


def year_figures(
    year: int, *, now: datetime | None = None, scope: Scope = WHOLE_OFFICE
) -> YearFigures:
    """Members by level and sex, trained members, deployments and person-days per event, KSB.

    Members counted are those active now who had joined by the end of the year (joined_on,
    else the decree date, else the day they were registered); the roster keeps no history of
    when a member became inactive. Person-days follow person_days() clipped to the year.
    """
    if not 2000 <= year <= 2100:
        raise DomainError("Tahun harus antara 2000 dan 2100.", field="year")
    now = now or utcnow()
    year_end = date(year, 12, 31)
    levels = _levels(year_end, scope)
    trained = (
        select(func.count(func.distinct(Training.member_id)), func.count(Training.id))
        .join(TaganaMember, TaganaMember.id == Training.member_id)
        .where(Training.started_on >= date(year, 1, 1), Training.started_on <= year_end)
    )
    trained = scope.narrow_covering(trained, TaganaMember.home_kelurahan_code)
    trained, trainings = db.session.execute(trained).one()

    zone = office_zone()
    # Stored times are UTC: widen the window by a day on each side and clip by office dates.
    window_start = datetime.combine(date(year, 1, 1), time(0), tzinfo=zone).astimezone(UTC)
    window_end = datetime.combine(date(year + 1, 1, 1), time(0), tzinfo=zone).astimezone(UTC)
    window_start = window_start.replace(tzinfo=None) - timedelta(days=1)
    window_end = window_end.replace(tzinfo=None) + timedelta(days=1)
    rows = db.session.execute(
        scope.narrow_covering(
            select(Deployment, Event).join(Event, Event.id == Deployment.event_id),
            deployment_area(),
        )
        .where(
            Deployment.status != "dibatalkan",
            or_(Deployment.starts_at < window_end, Deployment.checked_in_at < window_end),
            or_(
                Deployment.checked_out_at.is_(None),
                Deployment.checked_out_at >= window_start,
            ),
        )
        .order_by(Event.started_at, Event.id)
    ).all()
    per_event: dict[int, EventDays] = {}
    members_per_event: dict[int, set] = defaultdict(set)
    deployed = set()
    for deployment, event in rows:
        days = person_days(deployment, now=now, year=year)
        if days == 0:
            continue  # not worked in this year (yet)
        item = per_event.setdefault(event.id, EventDays(event.id, event.code, event.title))
        item.deployments += 1
        item.person_days += days
        members_per_event[event.id].add(deployment.member_id)
        deployed.add(deployment.member_id)
    for event_id, item in per_event.items():
        item.members = len(members_per_event[event_id])

    ksb_rows = select(KampungSiagaBencana)
    ksb_rows = list(db.session.scalars(scope.narrow(ksb_rows, KampungSiagaBencana.kelurahan_code)))
    return YearFigures(
        year=year,
        levels=list(levels.values()),
        trained_members=int(trained or 0),
        trainings=int(trainings or 0),
        events=list(per_event.values()),
        ksb_total=sum(1 for k in ksb_rows if k.active and k.formed_year <= year),
        ksb_formed=sum(1 for k in ksb_rows if k.formed_year == year),
        ksb_facilitated=sum(1 for k in ksb_rows if year in (k.facilitation_years or [])),
        deployed_members=len(deployed),
        ksb_with_lumbung=sum(
            1 for k in ksb_rows if k.active and k.formed_year <= year and k.warehouse_id
        ),
    )
