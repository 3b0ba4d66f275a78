"""The main navigation: every module of the office, including those not built yet."""

from flask import current_app, request, url_for
from flask_login import current_user

# (label, endpoint or None while the module is not built yet, roles that see it or None for all).
# An endpoint the app does not (yet) have shows as "segera" instead of a broken link.
MODULES = [
    ("Beranda", "main.index", None),
    ("Kejadian Bencana", "events.index", None),
    ("Korban", "victims.index", None),
    ("Pengungsian", "shelters.index", None),
    ("Logistik", "stock.index", None),
    ("Penyaluran", "distributions.index", None),
    ("Catat penyaluran", "distributions.field", ("admin", "operator", "tagana")),
    ("Aplikasi lapangan", "field_app.home", ("admin", "operator", "tagana")),
    ("Perlu ditinjau", "field_review.to_review", ("admin", "operator")),
    ("Tagana", "tagana.index", None),
    ("Dasbor SPM", "spm.dashboard", None),
    ("Anggaran", "budget.index", None),
    ("Laporan", "reports.index", None),
    ("Wilayah", "wilayah.index", None),
    ("Pekerjaan latar", "jobs.index", None),
    ("Pengguna", "admin.users", ("admin",)),
    ("Profil kantor", "office.profile", ("admin",)),
    ("Perangkat lapangan", "field_review.device_list", ("admin",)),
    ("Log audit", "admin.audit", ("admin",)),
]


def navigation() -> list[dict]:
    if not current_user or not current_user.is_authenticated:
        return []
    items = []
    for label, endpoint, roles in MODULES:
        if roles and current_user.role not in roles:
            continue
        ready = bool(endpoint) and endpoint in current_app.view_functions
        items.append(
            {
                "label": label,
                "url": url_for(endpoint) if ready else None,
                "active": bool(endpoint) and request.endpoint == endpoint,
            }
        )
    return items
