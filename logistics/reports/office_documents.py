"""The office's signed documents (year-end report, Renstra view) are made for its whole area only."""

from logistics.areas.kab_kota import sees_whole_office
from logistics.core.errors import Forbidden
from logistics.core.scope import Scope

# Why a kab/kota user is refused rather than shown their area's cut: these documents measure the
# office against its own targets and budget (LKIP, Renstra), which are set for the whole office
# area; a kab/kota share of the realisation against the office's target is not a real capaian,
# and the document is signed by the Kepala Dinas for the office. Area figures are on the SPM
# dashboard and in the sitrep, narrowed to the user's wilayah.
OFFICE_ONLY = (
    "Laporan ini dokumen resmi kantor untuk seluruh wilayahnya (target dan anggaran kantor), "
    "sedangkan wilayah kerja Anda {codes}. Angka wilayah Anda ada di dasbor SPM dan laporan "
    "situasi."
)


def whole_office(scope: Scope) -> bool:
    """Whether the user may read the office's own documents: they see the whole office area."""
    return sees_whole_office(scope)


def require_whole_office(scope: Scope) -> None:
    """403 for a user who sees only part of the office area."""
    if not whole_office(scope):
        raise Forbidden(OFFICE_ONLY.format(codes=", ".join(scope.see)))
