"""The main navigation: every module of the office, including those not built yet."""

from flask import request, url_for
from flask_login import current_user

# (label, endpoint or None while the module is not built yet, roles that see it or None for all)
MODULES = [
    ("Beranda", "main.index", None),
    ("Kejadian Bencana", None, None),
    ("Korban & Pengungsian", None, None),
    ("Logistik", None, None),
    ("Tagana", None, None),
    ("Dasbor SPM", None, None),
    ("Laporan", None, None),
    ("Wilayah", "wilayah.index", None),
    ("Pekerjaan latar", "jobs.index", None),
    ("Pengguna", "admin.users", ("admin",)),
    ("Log audit", "admin.audit", ("admin",)),
]


def navigation() -> list[dict]:
    if not current_user or not current_user.is_authenticated:
        return []
    items = []
    for label, endpoint, roles in MODULES:
        if roles and current_user.role not in roles:
            continue
        items.append(
            {
                "label": label,
                "url": url_for(endpoint) if endpoint else None,
                "active": bool(endpoint) and request.endpoint == endpoint,
            }
        )
    return items
