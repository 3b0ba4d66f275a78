"""The one definition of every victim figure: its key, its Indonesian label and what it counts."""

from dataclasses import dataclass

from logistics.core.wording import istilah


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    text: str  # "{wilayah}" stands for the office's word for its smallest areas

    @property
    def definition(self) -> str:
        return self.text.replace("{wilayah}", istilah("wilayah"))


_FIGURES = (
    Figure(
        "kaji_cepat",
        "Kaji cepat",
        "Angka kaji cepat (asesmen awal) per {wilayah} yang dilaporkan petugas; "
        "perkiraan, bukan nama per nama.",
    ),
    Figure(
        "terdata",
        "Terdata di registri",
        "Orang yang tercatat nama per nama di registri korban kejadian, dihitung sekali per "
        "orang (duplikat yang digabung dihitung satu), ditambah jumlah jiwa korban lembaga.",
    ),
    Figure(
        "terdampak",
        "Terdampak",
        "Per {wilayah}: angka registri bila ada korban terdaftar di sana, selain itu angka "
        "kaji cepat; meninggal, hilang, terluka, menderita dan mengungsi.",
    ),
    Figure(
        "tertangani",
        "Tertangani",
        "Korban terdaftar yang menerima paling sedikit satu penyaluran atau layanan pada "
        "kejadian yang sama; korban lembaga tertangani bila lembaganya menerima penyaluran.",
    ),
    Figure(
        "kk",
        "KK",
        "Kartu keluarga berbeda dengan paling sedikit satu anggota terdaftar sebagai korban "
        "(apa pun statusnya); KK tertangani: paling sedikit satu anggota tertangani.",
    ),
    Figure(
        "jiwa",
        "Jiwa",
        "Orang berbeda (per NIK, atau KK + nama + tanggal lahir) ditambah jumlah jiwa korban "
        "lembaga (panti, yayasan) menurut jumlah penghuninya.",
    ),
    Figure(
        "lembaga",
        "Lembaga",
        "Panti, yayasan atau kelompok yang menjadi korban sebagai satu kelompok; jiwanya "
        "dihitung menurut jumlah penghuni dan termasuk dalam jumlah jiwa.",
    ),
)

FIGURES = {figure.key: figure for figure in _FIGURES}


def label(key: str) -> str:
    return FIGURES[key].label


def definition(key: str) -> str:
    return FIGURES[key].definition


def notes(*keys: str) -> list[str]:
    """'Label: definition' lines for a report's notes, in the order asked."""
    return [f"{FIGURES[key].label}: {FIGURES[key].definition}" for key in keys]
