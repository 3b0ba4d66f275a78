"""The SPM year figures are the office's: counted over its whole area against its own targets."""

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
