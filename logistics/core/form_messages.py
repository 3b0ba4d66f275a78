"""The form base class: WTForms' own validator messages in Bahasa Indonesia (it ships none)."""

from flask_wtf import FlaskForm

MESSAGES = {
    "Invalid field name '%s'.": "Nama isian '%s' tidak dikenal.",
    "Field must be equal to %(other_name)s.": "Isian harus sama dengan %(other_name)s.",
    "Field must be at least %(min)d character long.": "Isian paling sedikit %(min)d karakter.",
    "Field cannot be longer than %(max)d character.": "Isian paling banyak %(max)d karakter.",
    "Field must be exactly %(max)d character long.": "Isian harus tepat %(max)d karakter.",
    "Field must be between %(min)d and %(max)d characters long.": (
        "Isian harus %(min)d sampai %(max)d karakter."
    ),
    "Number must be at least %(min)s.": "Angka paling kecil %(min)s.",
    "Number must be at most %(max)s.": "Angka paling besar %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Angka harus antara %(min)s dan %(max)s.",
    "Date must be at least %(min)s.": "Tanggal paling awal %(min)s.",
    "Date must be at most %(max)s.": "Tanggal paling akhir %(max)s.",
    "Date must be between %(min)s and %(max)s.": "Tanggal harus antara %(min)s dan %(max)s.",
    "This field is required.": "Wajib diisi.",
    "Invalid input.": "Isian tidak valid.",
    "Invalid email address.": "Alamat email tidak valid.",
    "Invalid IP address.": "Alamat IP tidak valid.",
    "Invalid Mac address.": "Alamat MAC tidak valid.",
    "Invalid URL.": "Alamat URL tidak valid.",
    "Invalid UUID.": "UUID tidak valid.",
    "Invalid value, must be one of: %(values)s.": "Nilai tidak valid, harus salah satu dari: %(values)s.",
    "Invalid value, can't be any of: %(values)s.": "Nilai tidak valid, tidak boleh: %(values)s.",
    "This field cannot be edited.": "Isian ini tidak dapat diubah.",
    "This field is disabled and cannot have a value.": "Isian ini nonaktif dan tidak boleh diisi.",
    "Invalid CSRF Token.": "Token formulir tidak valid. Muat ulang halaman lalu kirim lagi.",
    "CSRF token missing.": "Token formulir tidak ada. Muat ulang halaman lalu kirim lagi.",
    "CSRF failed.": "Pemeriksaan formulir gagal. Muat ulang halaman lalu kirim lagi.",
    "CSRF token expired.": "Formulir kedaluwarsa. Muat ulang halaman lalu kirim lagi.",
    "Invalid Choice: could not coerce.": "Pilihan tidak valid.",
    "Choices cannot be None.": "Pilihan belum tersedia.",
    "Not a valid choice.": "Pilihan tidak valid; pilih salah satu dari daftar.",
    "Invalid choice(s): one or more data inputs could not be coerced.": "Ada pilihan yang tidak valid.",
    "'%(value)s' is not a valid choice for this field.": "'%(value)s' bukan pilihan yang valid.",
    "Not a valid datetime value.": "Tanggal dan jam tidak valid.",
    "Not a valid date value.": "Tanggal tidak valid.",
    "Not a valid time value.": "Jam tidak valid.",
    "Not a valid week value.": "Minggu tidak valid.",
    "Not a valid integer value.": "Harus bilangan bulat, tanpa titik atau koma.",
    "Not a valid decimal value.": "Harus berupa angka.",
    "Not a valid float value.": "Harus berupa angka.",
}


class IndonesianMessages:
    """The translations object WTForms asks (gettext/ngettext); the plural reads as the singular in
    Indonesian, and an unknown message passes through."""

    def gettext(self, string: str) -> str:
        return MESSAGES.get(string, string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return MESSAGES.get(singular, singular if n == 1 else plural)


INDONESIAN = IndonesianMessages()


class Form(FlaskForm):
    """Every form of the application: Flask-WTF's form, its messages in Indonesian."""

    class Meta:
        def get_translations(self, form):
            return INDONESIAN
