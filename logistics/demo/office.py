"""The demo office's profile: Dinas Sosial Kota Bekasi with fictitious signatories and NIPs."""

from flask import current_app

from logistics.office.services import save_profile

PROFILE = {
    "name": "Dinas Sosial Kota Bekasi",
    "level": "kota",
    "area_code": "32.75",
    "timezone": "Asia/Jakarta",
    "address": "Jl. Jenderal Ahmad Yani No. 1, Marga Jaya, Bekasi Selatan, Kota Bekasi 17141",
    "phone": "(021) 8841 0000",
    "email": "dinsos@bekasi.example",
}
# Plausible but fictitious people: a NIP is birth date, appointment month, sex, sequence.
SIGNATORIES = [
    {
        "role": "kepala_dinas",
        "name": "Drs. Hendra Gunawan, M.Si.",
        "nip": "197003151995031002",
        "position": "Kepala Dinas Sosial Kota Bekasi",
    },
    {
        "role": "kabid_linjamsos",
        "name": "Sri Mulyani Rahayu, S.Sos., M.M.",
        "nip": "197808212003122004",
        "position": "Kepala Bidang Perlindungan dan Jaminan Sosial",
    },
    {
        "role": "kasi",
        "name": "Agus Setiawan, S.E.",
        "nip": "198204102009011005",
        "position": "Kepala Seksi Perlindungan Sosial Korban Bencana Alam",
    },
    {
        "role": "pengelola_gudang",
        "name": "Dewi Anggraini, A.Md.",
        "nip": "199001172015032001",
        "position": "Pengelola Gudang Logistik",
    },
]


def seed_office_profile():
    """Give the demo its Kota Bekasi profile (letterhead and signatories of every document)."""
    return save_profile(PROFILE, SIGNATORIES, None, current_app.config["INSTANCE_DIR"])
