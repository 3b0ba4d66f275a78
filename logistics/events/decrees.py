"""Status decrees (SK status keadaan darurat): siaga, tanggap and transisi darurat."""

from datetime import date

from logistics.core import inputs
from logistics.core.errors import Conflict, DomainError, NotFound, Warnings
from logistics.core.extensions import db
from logistics.core.formatting import tanggal
from logistics.core.time import office_date, office_today
from logistics.events.models import (
    DECREE_ORDER,
    DECREE_STATUSES,
    ISSUER_LEVELS,
    Event,
    EventDecree,
)

# Perka BNPB on the emergency status: a tanggap darurat decree usually runs up to 14 days and
# may be extended; the page marks a longer one "diperpanjang" rather than refusing it.
TANGGAP_DARURAT_USUAL_DAYS = 14


def _decree_values(status, decree_number, issuer_level, starts_on, ends_on) -> dict:
    status = inputs.choice(status, DECREE_STATUSES, "status", "Status")
    issuer_level = inputs.choice(issuer_level, ISSUER_LEVELS, "issuer_level", "Penerbit SK")
    number = inputs.text(decree_number, "decree_number", "Nomor SK", 120, required=True)
    starts_on = inputs.day(starts_on, "starts_on", "Tanggal mulai", required=True)
    ends_on = inputs.day(ends_on, "ends_on", "Tanggal selesai")
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(
            f"Tanggal selesai ({tanggal(ends_on)}) tidak boleh sebelum tanggal mulai "
            f"({tanggal(starts_on)}).",
            field="ends_on",
        )
    return {
        "status": status,
        "decree_number": number,
        "issuer_level": issuer_level,
        "starts_on": starts_on,
        "ends_on": ends_on,
    }


def _period(starts_on: date, ends_on: date | None) -> str:
    return f"{tanggal(starts_on)} – {tanggal(ends_on) if ends_on else 'belum ditentukan'}"


def _check_decree(event: Event, values: dict, ignore: EventDecree | None) -> None:
    """Statuses follow siaga -> tanggap -> transisi, and no two decrees cover the same day."""
    rank = DECREE_ORDER.index(values["status"])
    start, end = values["starts_on"], values["ends_on"]
    began = office_date(event.started_at)
    # Siaga darurat is declared ahead of a slow-onset hazard; the other statuses follow the event.
    if values["status"] != "siaga_darurat" and start < began:
        raise DomainError(
            f"Tanggal mulai SK ({tanggal(start)}) sebelum kejadian {event.code} dimulai "
            f"({tanggal(began)}). Periksa tanggal SK, atau perbaiki tanggal kejadian dahulu.",
            field="starts_on",
        )
    for other in event.decrees:
        if other is ignore:
            continue
        other_rank = DECREE_ORDER.index(other.status)
        label = DECREE_STATUSES[other.status]
        if other_rank > rank and other.starts_on <= start:
            raise DomainError(
                f"Status {DECREE_STATUSES[values['status']]} harus dimulai sebelum status "
                f"{label} (mulai {tanggal(other.starts_on)}): urutannya siaga darurat, tanggap "
                "darurat, lalu transisi darurat ke pemulihan.",
                field="starts_on",
            )
        if other_rank < rank and start <= other.starts_on:
            raise DomainError(
                f"Status {DECREE_STATUSES[values['status']]} tidak boleh dimulai sebelum status "
                f"{label} (mulai {tanggal(other.starts_on)}).",
                field="starts_on",
            )
        overlaps = (other.ends_on is None or start <= other.ends_on) and (
            end is None or other.starts_on <= end
        )
        if overlaps:
            hint = (
                " Isi dulu tanggal selesai SK tersebut."
                if other.ends_on is None and other.starts_on < start
                else ""
            )
            raise DomainError(
                f"Masa berlaku bertumpang tindih dengan SK {label} nomor {other.decree_number} "
                f"({_period(other.starts_on, other.ends_on)}).{hint}",
                field="starts_on",
            )


def _decree_warnings(event: Event, values: dict, confirm: bool) -> None:
    """A decree dated in the future or after the event ended is allowed (an SK may be issued
    ahead, an extension may follow the event), but more often a typing error: ask to confirm."""
    warnings = Warnings(confirm)
    start, today = values["starts_on"], office_today()
    label = f"Tanggal mulai SK ({tanggal(start)})"
    if start > today:
        warnings.add(
            "decree_in_future",
            f"{label} masih di masa depan (hari ini {tanggal(today)}).",
            "starts_on",
        )
    if event.ended_at is not None and start > office_date(event.ended_at):
        warnings.add(
            "decree_after_event",
            f"{label} setelah kejadian {event.code} berakhir ({tanggal(office_date(event.ended_at))}).",
            "starts_on",
        )
    warnings.check()


def add_decree(
    event: Event,
    *,
    status: str,
    decree_number: str,
    issuer_level: str,
    starts_on,
    ends_on=None,
    confirm: bool = False,
) -> EventDecree:
    """Record a status decree (SK status keadaan darurat), checked against the event's others;
    one dated in the future or after the event ended needs `confirm`."""
    if event.closed_at is not None:
        raise Conflict(
            f"Kejadian {event.code} sudah ditutup (pasca bencana); SK tidak dapat ditambah."
        )
    values = _decree_values(status, decree_number, issuer_level, starts_on, ends_on)
    _check_decree(event, values, None)
    _decree_warnings(event, values, confirm)
    decree = EventDecree(event_id=event.id, **values)
    db.session.add(decree)
    db.session.flush()
    db.session.refresh(event, ["decrees"])
    return decree


def get_decree(event: Event, decree_id: int) -> EventDecree:
    for decree in event.decrees:
        if decree.id == decree_id:
            return decree
    raise NotFound(f"SK {decree_id} tidak ditemukan pada kejadian {event.code}.")


def update_decree(
    event: Event, decree: EventDecree, *, confirm: bool = False, **values
) -> EventDecree:
    """Correct a decree or set its end date (e.g. an extension, or an earlier end); a start date
    moved into the future or after the event ended needs `confirm`."""
    merged = {
        "status": decree.status,
        "decree_number": decree.decree_number,
        "issuer_level": decree.issuer_level,
        "starts_on": decree.starts_on,
        "ends_on": decree.ends_on,
        **values,
    }
    checked = _decree_values(**merged)
    _check_decree(event, checked, decree)
    if checked["starts_on"] != decree.starts_on:
        _decree_warnings(event, checked, confirm)
    for key, value in checked.items():
        setattr(decree, key, value)
    db.session.flush()
    db.session.refresh(event, ["decrees"])
    return decree


def decree_days(decree: EventDecree, today: date | None = None) -> int:
    """Days the decree runs, counting both ends; an open one runs until today."""
    end = decree.ends_on or max(today or office_today(), decree.starts_on)
    return (end - decree.starts_on).days + 1


def tanggap_darurat_days(event: Event, today: date | None = None) -> int:
    return sum(decree_days(d, today) for d in event.decrees if d.status == "tanggap_darurat")


def tanggap_darurat_extended(event: Event, today: date | None = None) -> bool:
    """True when the tanggap darurat period (all its decrees) runs past the usual 14 days."""
    return tanggap_darurat_days(event, today) > TANGGAP_DARURAT_USUAL_DAYS
