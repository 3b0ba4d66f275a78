"""Setting a user's wilayah scope: the area codes they may see and record, checked against the spine."""

from sqlalchemy import select

from logistics.admin.models import User
from logistics.areas.models import Area
from logistics.core.errors import DomainError
from logistics.core.extensions import db
from logistics.core.office import office_info
from logistics.core.scope import split_codes, within


def _checked(codes: tuple[str, ...], field: str) -> tuple[str, ...]:
    """The codes, each an area of the spine inside the office's area; else a message to act on."""
    office = office_info()
    known = set(
        db.session.scalars(
            select(Area.code).where(Area.code.in_(codes), Area.retired_at.is_(None))
        ).all()
    )
    for code in codes:
        if office.area_code and not within(code, (office.area_code,)):
            raise DomainError(
                f"Kode wilayah {code} berada di luar wilayah kantor ({office.area_code}"
                f"{' ' + office.area_name if office.area_name else ''}). Pakai kode di dalamnya, "
                "atau kosongkan untuk seluruh wilayah kantor.",
                field=field,
            )
        if code not in known:
            raise DomainError(
                f"Kode wilayah {code} tidak ada di data wilayah. Periksa kodenya (mis. 32.75 atau "
                "32.75.01) atau muat batas wilayahnya dulu.",
                field=field,
            )
    return codes


def set_scope(user: User, *, record: str | None, see: str | None) -> User:
    """Give the user area codes to record in and to see (texts of codes separated by spaces or
    commas; empty: the whole office area). One left empty takes the other's codes, so that a
    user never records where they cannot see; a record code must lie inside the see codes."""
    record_codes = _checked(split_codes(record), "record_areas")
    see_codes = _checked(split_codes(see), "see_areas")
    if see_codes and not record_codes:
        record_codes = see_codes
    if record_codes and not see_codes:
        see_codes = record_codes
    outside = [code for code in record_codes if not within(code, see_codes)]
    if outside:
        raise DomainError(
            f"Wilayah catat {', '.join(outside)} tidak termasuk wilayah lihat "
            f"({', '.join(see_codes)}). Perluas wilayah lihat atau persempit wilayah catat.",
            field="record_areas",
        )
    user.record_areas = " ".join(record_codes)
    user.see_areas = " ".join(see_codes)
    db.session.flush()
    return user
