"""The office's profile and the people who sign its documents."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from logistics.core.extensions import db
from logistics.core.lkip import SERAPAN_ROUNDINGS
from logistics.core.time import utcnow
from logistics.core.wording import LEVELS

# Signatories an office may name; the Kepala Dinas is required, the others as the office needs.
SIGNATORY_ROLES = {
    "kepala_dinas": "Kepala Dinas",
    "kabid_linjamsos": "Kepala Bidang Perlindungan dan Jaminan Sosial",
    "kasi": "Kepala Seksi",
    "pengelola_gudang": "Pengelola Gudang",
}
TIMEZONES = {
    "Asia/Jakarta": "WIB (Asia/Jakarta)",
    "Asia/Makassar": "WITA (Asia/Makassar)",
    "Asia/Jayapura": "WIT (Asia/Jayapura)",
}


class OfficeProfile(db.Model):
    """The one office this instance serves; `revision` grows on every save so each worker reloads."""

    __tablename__ = "office_profile"
    __audit__ = True
    __table_args__ = (
        CheckConstraint(f"level IN {tuple(LEVELS)!r}", name="level_known"),
        CheckConstraint(f"timezone IN {tuple(TIMEZONES)!r}", name="timezone_known"),
        CheckConstraint(
            f"serapan_places IN {tuple(SERAPAN_ROUNDINGS)!r}", name="serapan_places_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    level: Mapped[str] = mapped_column(String(12))
    area_code: Mapped[str] = mapped_column(String(8))
    area_name: Mapped[str] = mapped_column(String(120), default="")
    timezone: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    logo_filename: Mapped[str | None] = mapped_column(String(120))
    # Decimals of the serapan efisiensi is taken from; 0 is the LKIP's whole percent.
    serapan_places: Mapped[int] = mapped_column(default=0, server_default="0")
    revision: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    signatories: Mapped[list["Signatory"]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", order_by="Signatory.position_order"
    )


class Signatory(db.Model):
    """A person who signs the office's documents: name, NIP and jabatan."""

    __tablename__ = "office_signatories"
    __audit__ = True
    __table_args__ = (
        CheckConstraint(f"role IN {tuple(SIGNATORY_ROLES)!r}", name="role_known"),
        db.UniqueConstraint("profile_id", "role", name="uq_office_signatories_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("office_profile.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    position_order: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(160))
    nip: Mapped[str] = mapped_column(String(18))
    position: Mapped[str] = mapped_column(String(200))

    profile: Mapped[OfficeProfile] = relationship(back_populates="signatories")
