"""Field kitchens (dapur umum lapangan) and the meals they cook and serve."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from logistics.core.extensions import db
from logistics.core.time import utcnow

MEAL_PERIODS = {"pagi": "Pagi", "siang": "Siang", "malam": "Malam"}


class FieldKitchen(db.Model):
    """A dapur umum lapangan of an event, cooking from a warehouse's stock."""

    __tablename__ = "field_kitchens"
    __audit__ = True
    __table_args__ = (CheckConstraint("capacity_portions > 0", name="capacity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kelurahan_code: Mapped[str] = mapped_column(ForeignKey("areas.code"))
    shelter_id: Mapped[int | None] = mapped_column(ForeignKey("shelters.id"))
    warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"))
    # One field-kitchen set serves about 750 portions per cooking (DOMAIN.md section 7).
    capacity_portions: Mapped[int] = mapped_column(default=750)
    pic_name: Mapped[str] = mapped_column(String(160), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class KitchenMeal(db.Model):
    """One meal period of a field kitchen: head count fed, portions cooked and served."""

    __tablename__ = "kitchen_meals"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("kitchen_id", "served_on", "period", name="uq_kitchen_meals_period"),
        CheckConstraint(f"period IN {tuple(MEAL_PERIODS)!r}", name="period_known"),
        CheckConstraint("head_count >= 0", name="head_count_non_negative"),
        CheckConstraint("portions_served >= 0", name="served_non_negative"),
        CheckConstraint("portions_served <= portions_cooked", name="served_not_above_cooked"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kitchen_id: Mapped[int] = mapped_column(ForeignKey("field_kitchens.id", ondelete="CASCADE"))
    served_on: Mapped[date]
    period: Mapped[str] = mapped_column(String(6))
    head_count: Mapped[int]
    portions_cooked: Mapped[int]
    portions_served: Mapped[int]
    # The ingredients taken from stock for this meal.
    document_id: Mapped[int | None] = mapped_column(ForeignKey("stock_documents.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    client_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    kitchen: Mapped[FieldKitchen] = relationship(lazy="joined")
