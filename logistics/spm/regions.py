"""Capaian SPM of a fiscal year per region (kab/kota of a provinsi office), by the year's rules."""

from collections import defaultdict

from sqlalchemy import BigInteger, Column, Integer, String, func, select, text

from logistics.core.extensions import db
from logistics.events.models import Event
from logistics.spm import rules
from logistics.spm.aggregates import (
    _canonical,
    _drop,
    _fill,
    _has_merged_persons,
    _keyed,
    _year_lines,
    _year_needs,
    _YearTally,
)
from logistics.spm.models import ALL_COMPONENTS
from logistics.victims.models import Person, Victim


def _figures(tally: _YearTally) -> dict:
    """Quarter 0 of the "semua" row, as compute_year stores it: needing, met, capaian."""
    needing = sum(tally.needing_from[ALL_COMPONENTS])
    met = sum(tally.met_from[ALL_COMPONENTS])
    return {"needing": needing, "met": met, "capaian": rules.spm_achievement(met, needing)}


def year_by_region(year: int, region_length: int = 5) -> tuple[dict[str, dict], dict]:
    """Per region (the first `region_length` characters of the victims' kelurahan code: 5 is
    the kab/kota, "32.04") the year's persons needing, met and capaian SPM, and the office's.

    The masks are compute_year's own (a person's needs over all their events of the year, their
    services wherever given), so the office figure equals the stored spm_year row and a person
    counts in each region where they were registered as a victim that year.
    """
    merged = _has_merged_persons()
    starts, needs = _year_needs(year, merged)
    lines, quarters = _year_lines(year, None, merged)
    lines = _fill(_keyed("spm_tmp_lines", Column("pid", Integer), Column("bit", BigInteger)), lines)
    served = _fill(
        _keyed("spm_tmp_served", Column("pid", Integer), Column("mask", BigInteger)),
        select(lines.c.pid, func.sum(lines.c.bit)).group_by(lines.c.pid),
    )
    victim_key = _canonical if merged else Victim.person_id
    placed = (
        select(victim_key, func.substr(Victim.kelurahan_code, 1, region_length))
        .select_from(Victim)
        .join(Event, Event.id == Victim.event_id)
        .where(Event.year == year)
    )
    if merged:
        placed = placed.join(Person, Person.id == Victim.person_id)
    regions = _fill(
        _keyed("spm_tmp_regions", Column("pid", Integer), Column("region", String(20))), placed
    )
    pairs: dict[str, list] = defaultdict(list)
    for region, need_mask, served_mask, count in db.session.connection().execute(
        text(
            "SELECT r.region, n.mask, s.mask, COUNT(*) FROM spm_tmp_regions r"
            " JOIN spm_tmp_needs n ON n.pid = r.pid LEFT JOIN spm_tmp_served s ON s.pid = r.pid"
            " GROUP BY r.region, n.mask, s.mask"
        )
    ):
        pairs[region].append((need_mask, served_mask, count))
    by_region = {}
    for region, counts in pairs.items():
        tally = _YearTally()
        tally.add_needs(counts)
        by_region[region] = _figures(tally)
    office = _YearTally()
    office.add_needs()
    _drop(regions, served, lines, needs, starts, *([quarters] if quarters is not None else []))
    return by_region, _figures(office)
