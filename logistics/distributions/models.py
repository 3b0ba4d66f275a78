"""Aid handed out (penyaluran) to households, persons and institutions, and field-kitchen meals."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from logistics.core.extensions import db
from logistics.core.spm_components import SPM_COMPONENTS
from logistics.core.time import utcnow

PHASES = {"saat": "Saat tanggap darurat", "setelah": "Setelah tanggap darurat"}
RECIPIENT_KINDS = {
    "household": "Keluarga (KK)",
    "person": "Perorangan",
    "institution": "Lembaga/kelompok",
    "kitchen": "Dapur umum",
}


class Distribution(db.Model):
    """One hand-out of aid (goods or a service) for one SPM component, to one recipient."""

    __tablename__ = "distributions"
    __audit__ = True
    __table_args__ = (
        CheckConstraint(f"component IN {tuple(SPM_COMPONENTS)!r}", name="component_known"),
        CheckConstraint(f"phase IN {tuple(PHASES)!r}", name="phase_known"),
        CheckConstraint(f"recipient_kind IN {tuple(RECIPIENT_KINDS)!r}", name="recipient_known"),
        CheckConstraint("persons_served >= 0", name="persons_non_negative"),
        CheckConstraint("anonymous_portions >= 0", name="portions_non_negative"),
        # The double-aid guard looks up earlier hand-outs of a component in an event.
        Index("ix_distributions_guard", "event_id", "component", "household_id", "person_id"),
        # Aid per event and day: the SPM aggregates, the sitrep and the dashboard read it that way.
        Index("ix_distributions_event_day", "event_id", "distributed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    component: Mapped[str] = mapped_column(String(20))
    phase: Mapped[str] = mapped_column(String(8))
    recipient_kind: Mapped[str] = mapped_column(String(12))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institution_victims.id"))
    kitchen_meal_id: Mapped[int | None] = mapped_column(ForeignKey("kitchen_meals.id"))
    kelurahan_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    shelter_id: Mapped[int | None] = mapped_column(ForeignKey("shelters.id"), index=True)
    # Where the goods came from; None for a service without goods (a psikososial session).
    warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"))
    distributed_on: Mapped[date]
    # Persons the hand-out served: the household's members, the institution's head count, ...
    persons_served: Mapped[int] = mapped_column(default=0)
    # Portions served to people not known by name (field kitchens).
    anonymous_portions: Mapped[int] = mapped_column(default=0)
    service_note: Mapped[str] = mapped_column(String(255), default="")
    # Why the double-aid guard was overridden.
    override_reason: Mapped[str | None] = mapped_column(String(255))
    # The sub-kegiatan whose budget paid for it (by default the one of its SPM component).
    sub_kegiatan_id: Mapped[int | None] = mapped_column(ForeignKey("budget_nodes.id"))
    # The BAST of the batch this hand-out was signed for.
    batch_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("stock_documents.id"), index=True
    )
    receiver_name: Mapped[str] = mapped_column(String(160), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    client_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    recipients: Mapped[list["DistributionRecipient"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )


class DistributionRecipient(db.Model):
    """A person served by a distribution: what the SPM engine counts as distinct persons."""

    __tablename__ = "distribution_recipients"
    __table_args__ = (
        UniqueConstraint("distribution_id", "person_id", name="uq_distribution_recipients"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    distribution_id: Mapped[int] = mapped_column(ForeignKey("distributions.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
