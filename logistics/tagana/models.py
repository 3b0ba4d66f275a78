"""Tagana (Taruna Siaga Bencana): members, trainings, vehicles, deployments, task reports, KSB."""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from logistics.core.extensions import db
from logistics.core.time import utcnow

LEVELS = {"muda": "Muda", "madya": "Madya", "utama": "Utama", "task_force": "Task Force"}
PLACE_KINDS = {
    "shelter": "Tempat pengungsian",
    "dapur_umum": "Dapur umum",
    "gudang": "Gudang logistik",
    "kelurahan": "Kelurahan/desa",
    "posko": "Posko",
}
DEPLOYMENT_STATUSES = {
    "direncanakan": "Direncanakan",
    "bertugas": "Bertugas",
    "selesai": "Selesai",
    "dibatalkan": "Dibatalkan",
}

member_competencies = Table(
    "tagana_member_competencies",
    db.metadata,
    Column("member_id", ForeignKey("tagana_members.id", ondelete="CASCADE"), primary_key=True),
    Column("competency_id", ForeignKey("tagana_competencies.id"), primary_key=True),
)


class Competency(db.Model):
    """A Tagana skill (dapur umum, shelter, logistik, ...); the list is the office's own."""

    __tablename__ = "tagana_competencies"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(default=True)


class TaganaMember(db.Model):
    """A Tagana member, by Nomor Induk Anggota (NIA) and appointment decree."""

    __tablename__ = "tagana_members"
    __audit__ = True
    __table_args__ = (
        CheckConstraint(f"level IN {tuple(LEVELS)!r}", name="level_known"),
        CheckConstraint("sex IN ('L', 'P')", name="sex_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nia: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date | None]
    phone: Mapped[str] = mapped_column(String(32), default="")
    home_kelurahan_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"), index=True)
    level: Mapped[str] = mapped_column(String(12), default="muda")
    decree_number: Mapped[str] = mapped_column(String(120), default="")
    decree_date: Mapped[date | None]
    joined_on: Mapped[date | None]
    active: Mapped[bool] = mapped_column(default=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    competencies: Mapped[list[Competency]] = relationship(
        secondary=member_competencies, order_by="Competency.name"
    )
    trainings: Mapped[list["Training"]] = relationship(
        back_populates="member", order_by="Training.started_on", cascade="all, delete-orphan"
    )


class Training(db.Model):
    """A training a member attended, with its certificate."""

    __tablename__ = "tagana_trainings"
    __audit__ = True
    __table_args__ = (
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="end_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("tagana_members.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    organizer: Mapped[str] = mapped_column(String(160), default="")
    started_on: Mapped[date]
    ended_on: Mapped[date | None]
    certificate_number: Mapped[str] = mapped_column(String(120), default="")

    member: Mapped[TaganaMember] = relationship(back_populates="trainings")


class Vehicle(db.Model):
    """An office vehicle that can go with a deployment (truck, field kitchen car, boat, ...)."""

    __tablename__ = "vehicles"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    plate: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[str] = mapped_column(String(60))
    assigned_unit: Mapped[str] = mapped_column(String(120), default="")
    active: Mapped[bool] = mapped_column(default=True)


class Deployment(db.Model):
    """A member sent to a place for an event under a surat tugas (pengerahan)."""

    __tablename__ = "tagana_deployments"
    __audit__ = True
    __table_args__ = (
        CheckConstraint(f"place_kind IN {tuple(PLACE_KINDS)!r}", name="place_known"),
        CheckConstraint(f"status IN {tuple(DEPLOYMENT_STATUSES)!r}", name="status_known"),
        CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="end_after_start"),
        Index("ix_tagana_deployments_member_period", "member_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("tagana_members.id"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    place_kind: Mapped[str] = mapped_column(String(12))
    shelter_id: Mapped[int | None] = mapped_column(ForeignKey("shelters.id"), index=True)
    kelurahan_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"))
    place_name: Mapped[str] = mapped_column(String(200), default="")
    warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"), index=True)
    role: Mapped[str] = mapped_column(String(120))
    competency_id: Mapped[int | None] = mapped_column(ForeignKey("tagana_competencies.id"))
    letter_number: Mapped[str] = mapped_column(String(120))  # nomor surat tugas
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicles.id"))
    # The sub-kegiatan that pays for the deployment (uang saku, transport), for the year-end budget.
    sub_kegiatan_id: Mapped[int | None] = mapped_column(ForeignKey("budget_nodes.id"))
    status: Mapped[str] = mapped_column(String(12), default="direncanakan")
    checked_in_at: Mapped[datetime | None]
    checked_out_at: Mapped[datetime | None]
    check_in_lat: Mapped[float | None]
    check_in_lng: Mapped[float | None]
    client_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    member: Mapped[TaganaMember] = relationship(lazy="joined")
    report: Mapped["TaskReport | None"] = relationship(back_populates="deployment", uselist=False)


class TaskReport(db.Model):
    """The task report (laporan pelaksanaan tugas) that closes a deployment."""

    __tablename__ = "tagana_task_reports"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("deployment_id", name="uq_tagana_task_reports_deployment"),
        CheckConstraint("people_served >= 0", name="served_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("tagana_deployments.id"))
    activities: Mapped[str] = mapped_column(Text)
    people_served: Mapped[int] = mapped_column(default=0)
    problems: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    deployment: Mapped[Deployment] = relationship(back_populates="report")


class KampungSiagaBencana(db.Model):
    """A community preparedness group (KSB) of a kelurahan/desa; its lumbung sosial is a warehouse."""

    __tablename__ = "kampung_siaga_bencana"
    __audit__ = True
    __table_args__ = (CheckConstraint("formed_year >= 2000", name="formed_year_plausible"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kelurahan_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    formed_year: Mapped[int]
    # Years in which the office facilitated the group (pembinaan), e.g. [2025, 2026].
    facilitation_years: Mapped[list] = mapped_column(db.JSON, default=list)
    decree_number: Mapped[str] = mapped_column(String(120), default="")
    contact_name: Mapped[str] = mapped_column(String(160), default="")
    contact_phone: Mapped[str] = mapped_column(String(32), default="")
    # The group's lumbung sosial: a warehouse of tier lumbung_sosial.
    warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
