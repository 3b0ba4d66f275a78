"""The SPM year figures and settings are the office's: for its whole area, against its own targets."""

from logistics.areas.kab_kota import sees_whole_office
from logistics.core.errors import Forbidden
from logistics.core.scope import Scope

# The year rows (spm_year) are kept for the whole office area only, and the targets they are
# measured against are the office's: a user who sees part of the area reads their area's
# figures per event (the needs table), which are narrowed to their wilayah.
YEAR_OFFICE_ONLY = (
    "Capaian SPM tahunan dihitung untuk seluruh wilayah kantor terhadap targetnya, sedangkan "
    "wilayah kerja Anda {codes}. Angka wilayah Anda ada di tabel kebutuhan per kejadian."
)


def year_figures_allowed(scope: Scope) -> bool:
    return sees_whole_office(scope)


def require_year_figures(scope: Scope) -> None:
    """403 for a user who sees only part of the office area."""
    if not year_figures_allowed(scope):
        raise Forbidden(YEAR_OFFICE_ONLY.format(codes=", ".join(scope.see)))


SETTINGS_OFFICE_ONLY = (
    "Standar, aturan terpenuhi dan target SPM berlaku untuk seluruh wilayah kantor; wilayah kerja "
    "Anda {codes}, jadi pengaturan ini hanya dapat dilihat."
)


def require_settings_writer(scope: Scope) -> None:
    """403 for a change to the office's SPM settings (standards, targets, the "terpenuhi" rule,
    a rebuild) by a user who works in part of the office area: they apply to every kab/kota."""
    if not sees_whole_office(scope):
        raise Forbidden(SETTINGS_OFFICE_ONLY.format(codes=", ".join(scope.see)))
