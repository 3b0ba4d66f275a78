"""The pimpinan's command view: each open event's day, headline figures, gaps, cover and crews."""

from dataclasses import replace

from sqlalchemy import func, select

from logistics.areas.kab_kota import report_scope
from logistics.core.extensions import db
from logistics.core.scope import WHOLE_OFFICE, Scope
from logistics.distributions.models import Distribution, DistributionRecipient
from logistics.events import figures
from logistics.events.models import Event
from logistics.reports import sitrep, sitrep_today
from logistics.shelters.lists import shelter_summaries
from logistics.victims.figures import event_matrix
from logistics.victims.models import InstitutionVictim, Person, Victim

# Stock lines shown on the home page: the shortest cover first, the rest on the sitrep.
STOCK_LINES = 4
# The order the office looks at: events in tanggap darurat first.
PHASE_ORDER = {"tanggap_darurat": 0, "siaga_darurat": 1, "transisi_darurat": 2}


def handled_jiwa(event: Event, scope: Scope = WHOLE_OFFICE) -> int:
    """Jiwa tertangani (events.figures): registered victims of the event who received at least one
    hand-out of the same event, counted once per person (a merged duplicate counts as the person
    it was merged into), plus the headcount of institutions that received a hand-out; of the
    victims and institutions registered in the scope."""
    canonical = func.coalesce(Person.merged_into_id, Person.id)
    served = (
        select(canonical)
        .select_from(DistributionRecipient)
        .join(Distribution, Distribution.id == DistributionRecipient.distribution_id)
        .join(Person, Person.id == DistributionRecipient.person_id)
        .where(Distribution.event_id == event.id)
    )
    persons = db.session.scalar(
        select(func.count(func.distinct(canonical)))
        .select_from(Victim)
        .join(Person, Person.id == Victim.person_id)
        .where(
            Victim.event_id == event.id,
            canonical.in_(served),
            scope.condition(Victim.kelurahan_code),
        )
    )
    helped = (
        select(Distribution.id)
        .where(
            Distribution.institution_id == InstitutionVictim.id,
            Distribution.event_id == InstitutionVictim.event_id,
        )
        .exists()
    )
    residents = db.session.scalar(
        select(func.coalesce(func.sum(InstitutionVictim.headcount), 0)).where(
            InstitutionVictim.event_id == event.id,
            helped,
            scope.condition(InstitutionVictim.kelurahan_code),
        )
    )
    return int(persons or 0) + int(residents or 0)


def _stock_lines(rows: list[dict]) -> list[dict]:
    """Items with a daily cover, shortest first (the ones the office must restock)."""
    daily = [r for r in rows if r["days_of_cover"] is not None]
    return sorted(daily, key=lambda r: (r["days_of_cover"], r["item_name"]))[:STOCK_LINES]


def narrowed_matrix(matrix, scope: Scope):
    """The impact matrix with the kelurahan of the scope only (the map draws no other area)."""
    if not scope.see:
        return matrix
    return replace(matrix, rows=[row for row in matrix.rows if scope.sees(row.code)])


def event_summary(event: Event, scope: Scope = WHOLE_OFFICE) -> dict:
    """One event's card: the sitrep of its current day read down to the headline figures, so
    every number is the one the report sends (same definitions, same day, same wilayah)."""
    scope = report_scope(scope)
    day, made = sitrep_today.todays_report(event, scope)
    # Computed once for the figures and the map of the affected areas.
    matrix = narrowed_matrix(event_matrix(event), scope)
    data = sitrep.headline(event, day, matrix, scope)
    impact, shelters = data["impact"]["totals"], data["shelters"]
    return {
        "event": event,
        "matrix": matrix,
        "day": day,
        "phase": data["event"]["phase"],
        "phase_label": data["event"]["phase_label"],
        "day_number": data["event"]["day_number"],
        "tanggap": data["event"]["tanggap_darurat"],
        "terdampak": impact["jiwa_terdampak"],
        "mengungsi": impact["mengungsi"],
        "tertangani": handled_jiwa(event, scope),
        "gaps": data["needs"]["totals"],
        "gaps_as_of": data["needs"]["as_of"],
        "shelters": shelters["totals"],
        "over_capacity": [
            r["name"] for r in shelters["rows"] if r["capacity"] and r["persons"] > r["capacity"]
        ],
        "stock": _stock_lines(data["stock"]),
        "tagana": data["tagana"],
        "report_made": made is True,
        "report_pending": made not in (None, True),
    }


def open_events(scope: Scope = WHOLE_OFFICE) -> list[Event]:
    """Events not closed yet that the scope sees (one over the whole province included)."""
    query = select(Event).where(Event.closed_at.is_(None)).order_by(Event.started_at.desc())
    return list(db.session.scalars(scope.narrow_covering(query, Event.area_code)))


def command_view(scope: Scope = WHOLE_OFFICE) -> list[dict]:
    """Open events of the scope, those in tanggap darurat first, then the newest."""
    summaries = [event_summary(event, scope) for event in open_events(scope)]
    return sorted(summaries, key=lambda s: PHASE_ORDER.get(s["phase"], 3))


def shelters_of(event: Event, scope: Scope = WHOLE_OFFICE) -> list:
    """The event's shelters in the scope as the event map draws them."""
    return shelter_summaries(event.id, scope=scope)


def figure_labels() -> dict[str, tuple[str, str]]:
    """Label and definition of each headline figure, as the reports print them."""
    return {key: (figures.label(key), figures.definition(key)) for key in figures.FIGURES}
