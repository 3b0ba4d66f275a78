"""Words that depend on the office's level: what its areas are called, who signs its decrees."""

from flask import current_app

LEVELS = {"kota": "Kota", "kabupaten": "Kabupaten", "provinsi": "Provinsi"}

# What pages call the office's smallest areas (wilayah, and short), the areas one level below
# the office (for summaries), and the head of its region who signs decrees.
_TERMS = {
    "kota": {
        "wilayah": "kelurahan",
        "wilayah_singkat": "kelurahan",
        "wilayah_bawah": "kecamatan",
        "kepala_daerah": "Wali Kota",
    },
    "kabupaten": {
        "wilayah": "kelurahan/desa",
        "wilayah_singkat": "desa",
        "wilayah_bawah": "kecamatan",
        "kepala_daerah": "Bupati",
    },
    "provinsi": {
        "wilayah": "kelurahan/desa",
        "wilayah_singkat": "desa",
        "wilayah_bawah": "kabupaten/kota",
        "kepala_daerah": "Gubernur",
    },
}


def office_level() -> str:
    """The office's level (kota, kabupaten, provinsi); from its area code when not set."""
    level = current_app.config.get("OFFICE_LEVEL")
    if level in LEVELS:
        return level
    code = str(current_app.config.get("OFFICE_AREA_CODE") or "")
    parts = code.split(".")
    if len(parts) < 2:
        return "provinsi"
    # Kemendagri numbers kota 71-99 and kabupaten 01-69 within a provinsi.
    return "kota" if parts[1].isdigit() and int(parts[1]) >= 71 else "kabupaten"


def istilah(key: str, level: str | None = None) -> str:
    """The office's word for `key` (wilayah, wilayah_singkat, wilayah_bawah, kepala_daerah)."""
    return _TERMS[level or office_level()][key]


def contoh_kode() -> str:
    """An example kelurahan/desa code inside the office's own area, for placeholders."""
    code = str(current_app.config.get("OFFICE_AREA_CODE") or "")
    parts = code.split(".")
    level = office_level()
    if level == "provinsi":
        return f"{parts[0]}.01.01.2001"
    return f"{parts[0]}.{parts[1]}.01.{'1001' if level == 'kota' else '2001'}"


def contoh_kantor() -> str:
    """The office's kab/kota digits for examples of office-numbered codes (3604 for 36.04)."""
    return contoh_kode()[:5].replace(".", "")


class LazyText:
    """Text worked out when it is shown (a form's placeholder that follows the office's profile)."""

    def __init__(self, make):
        self._make = make

    def __str__(self) -> str:
        return self._make()

    def __html__(self) -> str:
        from markupsafe import escape

        return str(escape(self._make()))


EXAMPLE_CODE = LazyText(contoh_kode)

# Column headers of exported lists, worked out when the list is downloaded.
AREA_HEADER = LazyText(lambda: istilah("wilayah").capitalize())
AREA_CODE_HEADER = LazyText(lambda: f"Kode {istilah('wilayah')}")
