"""Relief logistics reference data: the item catalogue (with kit contents) and the warehouses."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from logistics.core.extensions import db
from logistics.core.time import utcnow

ITEM_CATEGORIES = {
    "pangan": "Pangan",
    "sandang": "Sandang",
    "hunian": "Hunian dan tidur",
    "kebersihan": "Kebersihan dan kesehatan",
    "peralatan": "Peralatan",
    "lainnya": "Lainnya",
}
WAREHOUSE_TIERS = {
    "kemensos_regional": "Gudang regional Kemensos",
    "provinsi": "Gudang Dinas Sosial provinsi",
    "kab_kota": "Gudang Dinas Sosial kabupaten/kota",
    "lumbung_sosial": "Lumbung sosial (KSB)",
    "posko": "Gudang sementara posko",
}


class Item(db.Model):
    """A catalogue item (buffer stock or local purchase) with its unit; a kit has contents."""

    __tablename__ = "items"
    __audit__ = True
    __table_args__ = (
        CheckConstraint(f"category IN {tuple(ITEM_CATEGORIES)!r}", name="category_known"),
        CheckConstraint("kcal_per_unit IS NULL OR kcal_per_unit >= 0", name="kcal_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    category: Mapped[str] = mapped_column(String(12))
    unit: Mapped[str] = mapped_column(String(20))
    # Whole units (paket, dus, lembar) cannot be split; beras in kg can.
    whole_units: Mapped[bool] = mapped_column(default=True)
    expires: Mapped[bool] = mapped_column(default=False)
    is_kit: Mapped[bool] = mapped_column(default=False)
    kcal_per_unit: Mapped[int | None]
    note: Mapped[str] = mapped_column(String(255), default="")
    active: Mapped[bool] = mapped_column(default=True)

    components: Mapped[list["KitComponent"]] = relationship(
        foreign_keys="KitComponent.kit_id", cascade="all, delete-orphan", lazy="selectin"
    )


class KitComponent(db.Model):
    """One line of a kit's bill of materials (a family kit holds soap, towels, ...)."""

    __tablename__ = "kit_components"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("kit_id", "component_id", name="uq_kit_components_kit_component"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("kit_id <> component_id", name="not_itself"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kit_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    component_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 3))

    component: Mapped[Item] = relationship(foreign_keys=[component_id], lazy="joined")


class Warehouse(db.Model):
    """A warehouse of any tier: Kemensos regional, provinsi, kab/kota, lumbung sosial, posko."""

    __tablename__ = "warehouses"
    __audit__ = True
    __table_args__ = (
        CheckConstraint(f"tier IN {tuple(WAREHOUSE_TIERS)!r}", name="tier_known"),
        CheckConstraint("lat IS NULL OR (lat BETWEEN -90 AND 90)", name="lat_range"),
        CheckConstraint("lng IS NULL OR (lng BETWEEN -180 AND 180)", name="lng_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    tier: Mapped[str] = mapped_column(String(20))
    kelurahan_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"), index=True)
    address: Mapped[str] = mapped_column(String(255), default="")
    lat: Mapped[float | None]
    lng: Mapped[float | None]
    # A posko store sits at a shelter.
    shelter_id: Mapped[int | None] = mapped_column(ForeignKey("shelters.id"))
    pic_name: Mapped[str] = mapped_column(String(160), default="")
    pic_phone: Mapped[str] = mapped_column(String(32), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
