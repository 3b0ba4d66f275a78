"""Demo sitrep notes: what the office wrote into the first days of the Kali Bekasi flood."""

from datetime import date, timedelta

from sqlalchemy import select

from logistics.admin.models import User
from logistics.core.database import transaction
from logistics.core.extensions import db
from logistics.events.models import Event
from logistics.reports import sitrep

# (day offset from the start, kendala, upaya / tindak lanjut, kebutuhan mendesak)
NOTES = [
    (
        0,
        "Akses jalan tergenang 80-120 cm di Jatiasih (Perumahan Pondok Gede Permai) dan "
        "Jatirasa; truk logistik tidak bisa masuk. Listrik padam di sebagian Bekasi Timur.",
        "Evakuasi warga dengan perahu karet bersama BPBD dan Tagana; posko dibuka di masjid "
        "dan sekolah; dapur umum lapangan didirikan.",
        "Perahu karet tambahan 2 unit, selimut, makanan siap saji.",
    ),
    (
        1,
        "Kekurangan selimut dan popok bayi di pengungsian Jatiasih; sebagian pengungsi lansia "
        "mulai demam. Listrik masih padam di tiga RW.",
        "Distribusi beras dan makanan siap saji ke posko; koordinasi dengan Puskesmas untuk "
        "layanan kesehatan di pengungsian; permintaan genset ke gudang provinsi.",
        "Selimut 300 lembar, popok bayi 150 paket, genset 2 unit.",
    ),
    (
        2,
        "Air mulai surut di Bekasi Utara, tetapi Jatiasih masih tergenang 50 cm; sampah dan "
        "lumpur menumpuk di permukiman.",
        "Pembersihan rumah warga bersama relawan; layanan dukungan psikososial untuk anak di "
        "posko; pendataan rumah rusak.",
        "Alat kebersihan (sekop, sapu, karbol), air bersih, sandang anak.",
    ),
]


def seed_sitrep_demo(event: Event, start_day: date, today: date) -> int:
    """Write the day's notes for the flood's days so far; no report files are generated."""
    operator = db.session.scalar(select(User.id).where(User.username == "operator"))
    written = 0
    with transaction():
        for offset, problems, actions, needs in NOTES:
            day = start_day + timedelta(days=offset)
            if day > today:
                break
            sitrep.save_note(
                event, day, {"problems": problems, "actions": actions, "needs": needs}, operator
            )
            written += 1
    return written
