"""An office profile for tests: Kab. Serang with fictitious signatories, and a tiny PNG logo."""

import io

import pytest

HEAD_NAME = "Drs. Ahmad Fauzi, M.Si."
HEAD_NIP = "196805121994031007"
STORE_NAME = "Rina Wulandari"
STORE_NIP = "198811032010012004"
STRONG_PASSWORD = "kuda-laut-biru-77"

SERANG = {
    "name": "Dinas Sosial Kabupaten Serang",
    "level": "kabupaten",
    "area_code": "36.04",
    "timezone": "Asia/Jakarta",
    "address": "Jl. Veteran No. 1, Kota Serang, Banten 42111",
    "phone": "(0254) 200123",
    "email": "dinsos@serangkab.example",
}


def signatories(head_nip: str = HEAD_NIP, head_name: str = HEAD_NAME) -> list[dict]:
    return [
        {"role": "kepala_dinas", "name": head_name, "nip": head_nip, "position": ""},
        {"role": "pengelola_gudang", "name": STORE_NAME, "nip": STORE_NIP, "position": ""},
    ]


def png_logo() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def save_serang_profile(app, db, logo: bool = True):
    """Save the Serang profile and put it into the app's config, as a save from the page does."""
    from logistics.office.services import refresh_office_config, save_profile

    profile = save_profile(
        SERANG,
        signatories(),
        ("logo.png", png_logo()) if logo else None,
        app.config["INSTANCE_DIR"],
    )
    db.session.commit()
    refresh_office_config(app, force=True)
    return profile


@pytest.fixture
def bekasi_office(app, db):
    """The demo's Kota Bekasi profile (signatories with names and NIPs), as the app reads it."""
    from logistics.demo.office import seed_office_profile
    from logistics.office.services import refresh_office_config

    profile = seed_office_profile()
    db.session.commit()
    refresh_office_config(app, force=True)
    return profile
