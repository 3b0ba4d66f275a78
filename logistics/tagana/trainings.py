"""Trainings a Tagana member attended, with their certificates."""

from datetime import date

from sqlalchemy import select

from logistics.core.errors import Collector, DomainError, NotFound
from logistics.core.extensions import db
from logistics.core.time import office_today
from logistics.tagana.members import member_area_codes
from logistics.tagana.models import TaganaMember, Training
from logistics.tagana.parsing import clean_text, parse_day


def add_training(
    member: TaganaMember,
    *,
    name: str,
    started_on: date | str,
    ended_on: date | str | None = None,
    organizer: str = "",
    certificate_number: str = "",
) -> Training:
    """Record a training a member attended (with its certificate number when there is one);
    every refused value is reported together."""
    errors = Collector()
    values = {
        "name": errors.check(clean_text, name, "name", "Nama pelatihan", 200, required=True),
        "organizer": errors.check(clean_text, organizer, "organizer", "Penyelenggara", 160),
        "started_on": errors.check(parse_day, started_on, "started_on", "Tanggal mulai"),
        "ended_on": errors.check(parse_day, ended_on, "ended_on", "Tanggal selesai"),
        "certificate_number": errors.check(
            clean_text, certificate_number, "certificate_number", "Nomor sertifikat", 120
        ),
    }
    start, end = values["started_on"], values["ended_on"]
    if start is None and not errors.errors_for("started_on"):
        errors.add(DomainError("Tanggal mulai pelatihan wajib diisi.", field="started_on"))
    if start is not None and end is not None and end < start:
        errors.add(
            DomainError(
                "Tanggal selesai pelatihan tidak boleh sebelum tanggal mulai.", field="ended_on"
            )
        )
    if start is not None and start > office_today():
        errors.add(
            DomainError(
                "Pelatihan yang belum dimulai belum dapat dicatat; catat setelah diikuti.",
                field="started_on",
            )
        )
    errors.raise_any()
    training = Training(member=member, **values)
    db.session.add(training)
    db.session.flush()
    return training


def get_training(training_id: int) -> Training:
    """A training by id, or NotFound."""
    training = db.session.get(Training, training_id)
    if training is None:
        raise NotFound(f"Pelatihan {training_id} tidak ditemukan.")
    return training


def delete_training(training: Training) -> None:
    """Remove a training recorded by mistake (the audit log keeps it)."""
    db.session.delete(training)
    db.session.flush()


def training_area_codes(training_id: int) -> list[str | None] | None:
    """A training lies where its member lives (the scope guard)."""
    member_id = db.session.scalar(select(Training.member_id).where(Training.id == training_id))
    return None if member_id is None else member_area_codes(member_id)
