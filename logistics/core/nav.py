"""The main navigation per role and the breadcrumb trail of detail pages: the one place for both."""

from flask import current_app, request, url_for
from flask_login import current_user

from logistics.core.wording import office_level

# Every module a menu may show: key -> (label, endpoint). An endpoint the app does not (yet)
# have shows as "segera" instead of a broken link.
MODULES = {
    "home": ("Beranda", "main.index"),
    "my_tasks": ("Tugas saya", "tagana.my_tasks"),
    "field_app": ("Aplikasi lapangan", "field_app.home"),
    "field_handout": ("Catat penyaluran", "distributions.field"),
    "shelters": ("Pengungsian", "shelters.index"),
    "events": ("Kejadian Bencana", "events.index"),
    "victims": ("Korban", "victims.index"),
    "stock": ("Logistik", "stock.index"),
    "distributions": ("Penyaluran", "distributions.index"),
    "review": ("Perlu ditinjau", "field_review.to_review"),
    "tagana": ("Tagana", "tagana.index"),
    "spm": ("Dasbor SPM", "spm.dashboard"),
    "budget": ("Anggaran", "budget.index"),
    "reports": ("Laporan", "reports.index"),
    "province_recap": ("Rekap kab/kota", "province_recap.index"),
    "areas": ("Wilayah", "wilayah.index"),
    "jobs": ("Pekerjaan latar", "jobs.index"),
    "users": ("Pengguna", "admin.users"),
    "office": ("Profil kantor", "office.profile"),
    "devices": ("Perangkat lapangan", "field_review.device_list"),
    "audit": ("Log audit", "admin.audit"),
}
# Modules that exist at one office level only: a kab/kota office has no kab/kota to recap.
LEVEL_ONLY = {"province_recap": "provinsi"}

# What each role works with, in the order it reaches for it, as (section heading or None, keys).
# Tagana work in the field: their own tasks, the phone forms, head counts and hand-outs.
# Pimpinan read: events, reports and SPM first. The office roles see every module.
_OFFICE = (
    "home",
    "events",
    "victims",
    "shelters",
    "stock",
    "distributions",
    "field_handout",
    "field_app",
    "review",
    "tagana",
    "spm",
    "budget",
    "reports",
    "province_recap",
    "areas",
    "jobs",
)
MENUS = {
    "tagana": (
        (
            None,
            (
                "my_tasks",
                "home",
                "field_app",
                "field_handout",
                "shelters",
                "victims",
                "events",
                "tagana",
            ),
        ),
    ),
    "pimpinan": (
        (
            None,
            (
                "home",
                "events",
                "reports",
                "province_recap",
                "spm",
                "shelters",
                "victims",
                "stock",
                "distributions",
                "tagana",
                "budget",
            ),
        ),
    ),
    "operator": ((None, _OFFICE),),
    "admin": ((None, _OFFICE), ("Administrasi", ("users", "office", "devices", "audit"))),
}


def menu_for(role: str, level: str) -> list[tuple[str | None, list[str]]]:
    """The menu sections of a role in an office of that level as (heading, module keys); an
    unknown role gets Beranda only."""
    return [
        (title, [key for key in keys if LEVEL_ONLY.get(key, level) == level])
        for title, keys in MENUS.get(role, ((None, ("home",)),))
    ]


def navigation() -> list[dict]:
    """The signed-in user's menu: sections with their items (label, url or None, active)."""
    if not current_user or not current_user.is_authenticated:
        return []
    sections = []
    for title, keys in menu_for(current_user.role, office_level()):
        items = []
        for key in keys:
            label, endpoint = MODULES[key]
            ready = endpoint in current_app.view_functions
            items.append(
                {
                    "label": label,
                    "url": url_for(endpoint) if ready else None,
                    "active": request.endpoint == endpoint,
                }
            )
        sections.append({"title": title, "items": items})
    return sections


def crumb(label: str, endpoint: str | None = None, **values) -> tuple[str, str | None]:
    """One breadcrumb step: its label and link (None for the page itself)."""
    return label, url_for(endpoint, **values) if endpoint else None


def breadcrumbs(*steps: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    """A detail page's trail, Beranda first; the last step is the page itself and has no link."""
    trail = [crumb("Beranda", "main.index"), *steps]
    label, _url = trail[-1]
    return [*trail[:-1], (label, None)]
