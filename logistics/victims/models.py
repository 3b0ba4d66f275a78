"""Victims and beneficiaries: households, persons, their status per event, institutions hit."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from logistics.core.extensions import db
from logistics.core.time import utcnow
from logistics.events.models import PEOPLE_STATUSES

RELATIONS = {
    "kepala_keluarga": "Kepala keluarga",
    "istri": "Istri",
    "suami": "Suami",
    "anak": "Anak",
    "menantu": "Menantu",
    "cucu": "Cucu",
    "orang_tua": "Orang tua",
    "mertua": "Mertua",
    "famili_lain": "Famili lain",
    "lainnya": "Lainnya",
}
NO_NIK_REASONS = {
    "anak_belum_ber_nik": "Anak belum memiliki NIK",
    "dokumen_hilang": "Dokumen hilang karena bencana",
    "belum_terdata_dukcapil": "Belum terdata di Dukcapil",
    "lainnya": "Alasan lain",
}
INSTITUTION_KINDS = {
    "yayasan": "Yayasan",
    "panti": "Panti sosial",
    "pesantren": "Pondok pesantren",
    "asrama": "Asrama",
    "lainnya": "Lainnya",
}


class Household(db.Model):
    """A household (keluarga), by its 16-digit nomor KK when known."""

    __tablename__ = "households"
    __audit__ = True
    __audit_mask__ = ("no_kk",)

    id: Mapped[int] = mapped_column(primary_key=True)
    no_kk: Mapped[str | None] = mapped_column(String(16), unique=True)
    head_name: Mapped[str] = mapped_column(String(160), default="")
    address: Mapped[str] = mapped_column(String(255), default="")
    rt: Mapped[str] = mapped_column(String(4), default="")
    rw: Mapped[str] = mapped_column(String(4), default="")
    kelurahan_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list["Person"]] = relationship(back_populates="household")


class Person(db.Model):
    """One person across events, programmes and years; NIK is unique when known."""

    __tablename__ = "persons"
    __audit__ = True
    __audit_mask__ = ("nik",)
    __table_args__ = (
        CheckConstraint("nik IS NOT NULL OR no_nik_reason IS NOT NULL", name="nik_or_reason"),
        CheckConstraint("sex IN ('L', 'P')", name="sex_known"),
        Index("ix_persons_household_name", "household_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nik: Mapped[str | None] = mapped_column(String(16), unique=True)
    no_nik_reason: Mapped[str | None] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(160))
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date | None]
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    relation: Mapped[str] = mapped_column(String(20), default="lainnya")
    pregnant: Mapped[bool] = mapped_column(default=False)
    breastfeeding: Mapped[bool] = mapped_column(default=False)
    disability: Mapped[bool] = mapped_column(default=False)
    chronic_illness: Mapped[bool] = mapped_column(default=False)
    # A merged duplicate points at the person it was merged into and is no longer counted.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    household: Mapped[Household | None] = relationship(back_populates="members")


class Victim(db.Model):
    """A person's status in one event (a person can be mengungsi in one event, menderita in the next)."""

    __tablename__ = "victims"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("event_id", "person_id", name="uq_victims_event_person"),
        CheckConstraint(f"status IN {tuple(PEOPLE_STATUSES)!r}", name="status_known"),
        Index("ix_victims_event_kelurahan", "event_id", "kelurahan_code"),
        # A scoped list ("victims of kab/kota 32.04") reads the codes below one by range or,
        # on PostgreSQL, by LIKE 'code.%', which needs text_pattern_ops (core/scope.py).
        Index(
            "ix_victims_kelurahan_code",
            "kelurahan_code",
            postgresql_ops={"kelurahan_code": "text_pattern_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    kelurahan_code: Mapped[str] = mapped_column(ForeignKey("areas.code"))
    shelter_id: Mapped[int | None] = mapped_column(ForeignKey("shelters.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    # Set by a phone; a retried submission with the same id returns the first record.
    client_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    person: Mapped[Person] = relationship(lazy="joined")


class InstitutionVictim(db.Model):
    """An institution hit as a group (yayasan, panti), counted by headcount, not by household."""

    __tablename__ = "institution_victims"
    __audit__ = True
    __table_args__ = (
        CheckConstraint("headcount >= 0", name="headcount_non_negative"),
        CheckConstraint(f"status IN {tuple(PEOPLE_STATUSES)!r}", name="status_known"),
        CheckConstraint(f"kind IN {tuple(INSTITUTION_KINDS)!r}", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12))
    kelurahan_code: Mapped[str] = mapped_column(ForeignKey("areas.code"))
    address: Mapped[str] = mapped_column(String(255), default="")
    contact: Mapped[str] = mapped_column(String(160), default="")
    headcount: Mapped[int]
    status: Mapped[str] = mapped_column(String(12), default="menderita")
    shelter_id: Mapped[int | None] = mapped_column(ForeignKey("shelters.id"))
    client_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AccessGrant(db.Model):
    """A "break the glass" lookup: a user found a person or household outside their wilayah by
    NIK/KK, giving a reason; until `expires_at` its pages are open to that user."""

    __tablename__ = "access_grants"
    __audit__ = True
    __table_args__ = (Index("ix_access_grants_user", "user_id", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    reason: Mapped[str] = mapped_column(String(500))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
