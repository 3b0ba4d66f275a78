"""The office as every domain sees it: one function over the app config the office profile fills."""

import base64
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from logistics.core.wording import istilah, office_level


@dataclass(frozen=True)
class SignatoryInfo:
    role: str
    name: str
    nip: str
    position: str


@dataclass(frozen=True)
class OfficeInfo:
    name: str
    level: str
    area_code: str
    area_name: str
    timezone: str
    address: str = ""
    phone: str = ""
    email: str = ""
    logo_path: str | None = None
    signatories: tuple[SignatoryInfo, ...] = field(default_factory=tuple)
    serapan_places: int = 0  # how the LKIP prints serapan before efisiensi is taken from it

    def signatory(self, role: str) -> SignatoryInfo | None:
        return next((s for s in self.signatories if s.role == role), None)

    @property
    def head(self) -> SignatoryInfo:
        """Who signs for the office (the Kepala Dinas); a title without a name before it is set."""
        head = self.signatory("kepala_dinas")
        title = current_app.config.get("OFFICE_HEAD_TITLE") or f"Kepala {self.name}"
        return head or SignatoryInfo("kepala_dinas", "", "", title)

    @property
    def logo_uri(self) -> str | None:
        """The logo as a data URI: the same document works as PDF and as a stored HTML snapshot
        (which a browser opens elsewhere, and whose Content-Security-Policy allows data: images)."""
        if not self.logo_path:
            return None
        path = Path(self.logo_path)
        kind = "png" if path.suffix == ".png" else "jpeg"
        return f"data:image/{kind};base64," + base64.b64encode(path.read_bytes()).decode("ascii")

    @property
    def contact(self) -> str:
        parts = [f"Telp. {self.phone}" if self.phone else "", self.email]
        return " · ".join(p for p in parts if p)

    @property
    def region_head(self) -> str:
        return istilah("kepala_daerah", self.level)


def office_info() -> OfficeInfo:
    """The office this instance serves: its saved profile, or the config defaults before one exists."""
    config = current_app.config
    logo = config.get("OFFICE_LOGO")
    return OfficeInfo(
        name=config["OFFICE_NAME"],
        level=office_level(),
        area_code=str(config.get("OFFICE_AREA_CODE") or ""),
        area_name=config.get("OFFICE_AREA_NAME") or "",
        timezone=config["OFFICE_TIMEZONE"],
        address=config.get("OFFICE_ADDRESS") or "",
        phone=config.get("OFFICE_PHONE") or "",
        email=config.get("OFFICE_EMAIL") or "",
        logo_path=logo if logo and Path(logo).is_file() else None,
        signatories=tuple(SignatoryInfo(**s) for s in config.get("OFFICE_SIGNATORIES") or ()),
        serapan_places=int(config.get("OFFICE_SERAPAN_PLACES") or 0),
    )
