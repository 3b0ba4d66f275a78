"""The year-end tables of victims affected and handled, per jenis bencana and per region."""

from flask import current_app
from sqlalchemy import case, func, select, text
from sqlalchemy.orm import aliased

from logistics.areas.models import Area
from logistics.budget import rules as budget_math
from logistics.core.extensions import db
from logistics.distributions.models import Distribution, DistributionRecipient
from logistics.events.models import Event, EventArea, EventDecree, HazardType
from logistics.victims.models import InstitutionVictim, Person, Victim

UNKNOWN_REGION = "-"
REGION_LABELS = {"kecamatan": "Kecamatan", "kab_kota": "Kabupaten/Kota"}
TEMP_TABLES = ("yr_pairs", "yr_served", "yr_inst", "yr_td")


def _pct(part, whole):
    return budget_math.percentage(part, whole) if whole else None


def _temp(name: str, sql: str, **params) -> None:
    connection = db.session.connection()
    connection.execute(text(f"DROP TABLE IF EXISTS {name}"))
    connection.execute(text(f"CREATE TEMPORARY TABLE {name} AS {sql}"), params)


def _compiled(query) -> str:
    connection = db.session.connection()
    return str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))


def region_level() -> str:
    """The level the office reports on: kab/kota for a provinsi office (code 32), else kecamatan."""
    code = str(current_app.config.get("OFFICE_AREA_CODE") or "")
    return "kab_kota" if code and "." not in code.strip(".") else "kecamatan"


def _region(level: str):
    """The region code column of a query joined to the kelurahan's Area, and the kecamatan alias
    a kab/kota query joins as well."""
    kecamatan = aliased(Area)
    region = kecamatan.parent_code if level == "kab_kota" else Area.parent_code
    return region, kecamatan


def _in_region(query, level: str, kelurahan_column):
    region, kecamatan = _region(level)
    query = query.add_columns(func.coalesce(region, UNKNOWN_REGION).label("kec")).outerjoin(
        Area, Area.code == kelurahan_column
    )
    if level == "kab_kota":
        query = query.outerjoin(kecamatan, kecamatan.code == Area.parent_code)
    return query


def _emergency_days(year: int) -> None:
    """Temporary table yr_td: the (event, day)s of the year's hand-outs that a tanggap darurat
    decree covered, found by range on the hand-outs' (event, day) index, so that the 2 million
    recipient lines of a province year are matched by a join rather than a subquery each."""
    emergency_days = (
        select(Distribution.event_id.label("event_id"), Distribution.distributed_on.label("day"))
        .join(Event, Event.id == Distribution.event_id)
        .join(
            EventDecree,
            (EventDecree.event_id == Distribution.event_id)
            & (EventDecree.status == "tanggap_darurat")
            & (EventDecree.starts_on <= Distribution.distributed_on)
            & (
                EventDecree.ends_on.is_(None) | (EventDecree.ends_on >= Distribution.distributed_on)
            ),
        )
        .where(Event.year == year)
        .distinct()
    )
    _temp("yr_td", _compiled(emergency_days))
    db.session.connection().execute(text("CREATE INDEX yr_td_key ON yr_td (event_id, day)"))


def build_tables(year: int, level: str) -> None:
    """Temporary tables of the year's victims: yr_pairs, one row per (event, person), and
    yr_inst, one row per institution victim, each with whether it was handled.

    Persons are counted by their canonical id (a merged duplicate counts as the person it was
    merged into), on the victim side and on the recipient side alike. An institution is handled
    when a hand-out of its event went to it.
    """
    canonical = func.coalesce(Person.merged_into_id, Person.id)
    _emergency_days(year)
    served = (
        select(
            Distribution.event_id.label("event_id"),
            canonical.label("pid"),
            Distribution.distributed_on.label("day"),
        )
        .select_from(DistributionRecipient)
        .join(Distribution, Distribution.id == DistributionRecipient.distribution_id)
        .join(Event, Event.id == Distribution.event_id)
        .join(Person, Person.id == DistributionRecipient.person_id)
        .where(Event.year == year)
    )
    _temp(
        "yr_served",
        "SELECT s.event_id, s.pid,"
        " MAX(CASE WHEN t.event_id IS NULL THEN 0 ELSE 1 END) AS emergency"
        f" FROM ({_compiled(served)}) s"
        " LEFT JOIN yr_td t ON t.event_id = s.event_id AND t.day = s.day"
        " GROUP BY s.event_id, s.pid",
    )
    connection = db.session.connection()
    connection.execute(text("CREATE INDEX yr_served_key ON yr_served (event_id, pid)"))
    victims = _in_region(
        select(
            Victim.event_id.label("event_id"),
            Event.hazard_type_id.label("hazard"),
            canonical.label("pid"),
            Person.household_id.label("hh"),
        )
        .select_from(Victim)
        .join(Event, Event.id == Victim.event_id)
        .join(Person, Person.id == Victim.person_id)
        .where(Event.year == year),
        level,
        Victim.kelurahan_code,
    )
    _temp(
        "yr_pairs",
        "SELECT v.event_id, v.hazard, v.kec, v.pid, v.hh,"
        " CASE WHEN s.pid IS NULL THEN 0 ELSE 1 END AS handled,"
        " COALESCE(s.emergency, 0) AS emergency"
        f" FROM ({_compiled(victims)}) v"
        " LEFT JOIN yr_served s ON s.event_id = v.event_id AND s.pid = v.pid",
    )
    to_institution = (
        Distribution.institution_id == InstitutionVictim.id,
        Distribution.event_id == InstitutionVictim.event_id,
    )
    helped = select(Distribution.id).where(*to_institution).exists()
    helped_in_emergency = select(Distribution.id).where(*to_institution, _in_emergency()).exists()
    institutions = _in_region(
        select(
            InstitutionVictim.event_id.label("event_id"),
            Event.hazard_type_id.label("hazard"),
            InstitutionVictim.id.label("inst"),
            InstitutionVictim.headcount.label("headcount"),
            case((helped, 1), else_=0).label("handled"),
            case((helped_in_emergency, 1), else_=0).label("emergency"),
        )
        .select_from(InstitutionVictim)
        .join(Event, Event.id == InstitutionVictim.event_id)
        .where(Event.year == year),
        level,
        InstitutionVictim.kelurahan_code,
    )
    _temp("yr_inst", _compiled(institutions))


def _in_emergency():
    """The hand-out was made while a tanggap darurat decree of its event was in force."""
    return (
        select(EventDecree.id)
        .where(
            EventDecree.event_id == Distribution.event_id,
            EventDecree.status == "tanggap_darurat",
            EventDecree.starts_on <= Distribution.distributed_on,
            (EventDecree.ends_on.is_(None)) | (EventDecree.ends_on >= Distribution.distributed_on),
        )
        .exists()
    )


def assisted_in_emergency() -> dict:
    """Jiwa who received aid while a tanggap darurat decree of their event was in force, of the
    jiwa affected (persons counted once over the year, institutions by headcount)."""
    connection = db.session.connection()
    persons = connection.execute(
        text("SELECT COUNT(DISTINCT CASE WHEN emergency = 1 THEN pid END) FROM yr_pairs")
    ).scalar()
    residents = connection.execute(
        text("SELECT COALESCE(SUM(CASE WHEN emergency = 1 THEN headcount END), 0) FROM yr_inst")
    ).scalar()
    affected = _total()["jiwa_affected"]
    assisted = int(persons or 0) + int(residents or 0)
    return {
        "jiwa_assisted": assisted,
        "jiwa_affected": affected,
        "persen": _pct(assisted, affected),
    }


def drop_tables() -> None:
    connection = db.session.connection()
    for name in TEMP_TABLES:
        connection.execute(text(f"DROP TABLE IF EXISTS {name}"))


_COUNTS = (
    "COUNT(DISTINCT pid), COUNT(DISTINCT hh),"
    " COUNT(DISTINCT CASE WHEN handled = 1 THEN pid END),"
    " COUNT(DISTINCT CASE WHEN handled = 1 THEN hh END)"
)
_INSTITUTION_COUNTS = (
    "COUNT(inst), COALESCE(SUM(headcount), 0),"
    " COALESCE(SUM(handled), 0), COALESCE(SUM(CASE WHEN handled = 1 THEN headcount END), 0)"
)
NO_PERSONS = (0, 0, 0, 0)


def people(persons=NO_PERSONS, institutions=NO_PERSONS) -> dict:
    """One row's figures: persons (jiwa, KK, jiwa and KK handled) from the registry and
    institutions (lembaga, their headcount, lembaga and headcount handled); the jiwa figures
    are the persons plus the institutions' headcount."""
    jiwa, kk, jiwa_handled, kk_handled = (int(v or 0) for v in persons)
    lembaga, headcount, lembaga_handled, headcount_handled = (int(v or 0) for v in institutions)
    jiwa_affected, jiwa_done = jiwa + headcount, jiwa_handled + headcount_handled
    return {
        "kk_affected": kk,
        "lembaga_affected": lembaga,
        "jiwa_affected": jiwa_affected,
        "kk_handled": kk_handled,
        "lembaga_handled": lembaga_handled,
        "jiwa_handled": jiwa_done,
        "persen_handled": _pct(jiwa_done, jiwa_affected),
    }


def _grouped(column: str) -> dict:
    connection = db.session.connection()
    persons = {
        key: counts
        for key, *counts in connection.execute(
            text(f"SELECT {column}, {_COUNTS} FROM yr_pairs GROUP BY {column}")
        )
    }
    institutions = {
        key: counts
        for key, *counts in connection.execute(
            text(f"SELECT {column}, {_INSTITUTION_COUNTS} FROM yr_inst GROUP BY {column}")
        )
    }
    return {
        key: people(persons.get(key, NO_PERSONS), institutions.get(key, NO_PERSONS))
        for key in set(persons) | set(institutions)
    }


def _total() -> dict:
    connection = db.session.connection()
    return people(
        connection.execute(text(f"SELECT {_COUNTS} FROM yr_pairs")).one(),
        connection.execute(text(f"SELECT {_INSTITUTION_COUNTS} FROM yr_inst")).one(),
    )


def by_hazard(year: int) -> tuple[list[dict], dict]:
    """Rows per jenis bencana, every jenis of the office's list (0 where none) and any retired
    one that still has events this year; and the year's total."""
    figures = _grouped("hazard")
    events = dict(
        db.session.execute(
            select(Event.hazard_type_id, func.count(Event.id))
            .where(Event.year == year)
            .group_by(Event.hazard_type_id)
        ).all()
    )
    hazards = db.session.scalars(
        select(HazardType)
        .where(HazardType.active.is_(True) | HazardType.id.in_(set(events) | set(figures)))
        .order_by(HazardType.sort_order, HazardType.name)
    )
    rows = [
        {
            "code": hazard.code,
            "name": hazard.name,
            "hazard_class": hazard.hazard_class,
            "events": int(events.get(hazard.id, 0)),
            **figures.get(hazard.id, people()),
        }
        for hazard in hazards
    ]
    return rows, {"events": sum(events.values()), **_total()}


def by_region(year: int, level: str) -> tuple[list[dict], dict]:
    """Rows per kecamatan (or kab/kota) of the victims' kelurahan, and the year's total."""
    figures = _grouped("kec")
    area_events = _in_region(
        select(EventArea.event_id.label("event_id"))
        .select_from(EventArea)
        .join(Event, Event.id == EventArea.event_id)
        .where(Event.year == year),
        level,
        EventArea.kelurahan_code,
    )
    connection = db.session.connection()
    events = dict(
        connection.execute(
            text(
                "SELECT kec, COUNT(DISTINCT event_id) FROM"
                f" (SELECT kec, event_id FROM ({_compiled(area_events)}) a"
                " UNION SELECT kec, event_id FROM yr_pairs"
                " UNION SELECT kec, event_id FROM yr_inst) x"
                " GROUP BY kec"
            )
        ).all()
    )
    codes = set(events) | set(figures)
    names = dict(db.session.execute(select(Area.code, Area.name).where(Area.code.in_(codes))).all())
    rows = [
        {
            "code": code,
            "name": names.get(code, "Tidak diketahui" if code == UNKNOWN_REGION else code),
            "events": int(events.get(code, 0)),
            **figures.get(code, people()),
        }
        for code in codes
    ]
    rows.sort(key=lambda r: (r["code"] == UNKNOWN_REGION, r["name"]))
    total = {"events": db.session.scalar(select(func.count(Event.id)).where(Event.year == year))}
    total.update(_total())
    return rows, total
