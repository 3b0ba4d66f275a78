"""NIK and nomor KK validation: structure, region prefix, encoded birth date and sex."""

from datetime import date

import pytest

from logistics.core.errors import DomainError
from logistics.victims.nik import RegionCodes, parse_kk, parse_nik, region_codes

TODAY = date(2026, 11, 22)
# Province codes only: the spine holds no kecamatan (a fresh install).
BARE = RegionCodes.from_codes({"31", "32", "36"}, [])
# Kota Bekasi's 12 kecamatan are loaded.
BEKASI = RegionCodes.from_codes({"31", "32", "36"}, [f"32.75.{n:02d}" for n in range(1, 13)])


def test_valid_male_nik():
    info = parse_nik("3275011708850009", BEKASI, TODAY)
    assert info.sex == "L"
    assert info.birth_date == date(1985, 8, 17)
    assert info.region == "32.75.01"
    assert info.serial == "0009"


def test_valid_female_nik_day_plus_40():
    info = parse_nik("3275015708850002", BEKASI, TODAY)
    assert info.sex == "P"
    assert info.birth_date == date(1985, 8, 17)
    # 41 is the first of the month for a woman, 71 the 31st.
    assert parse_nik("3275014101900001", BEKASI, TODAY).birth_date == date(1990, 1, 1)
    assert parse_nik("3275017101900001", BEKASI, TODAY).birth_date == date(1990, 1, 31)


def test_century_is_the_most_recent_one_not_in_the_future():
    assert parse_nik("3275011503200001", BEKASI, TODAY).birth_date == date(2020, 3, 15)
    # 21 November 2026 is past, 23 November 2026 would be tomorrow: 1926.
    assert parse_nik("3275012111260001", BEKASI, TODAY).birth_date == date(2026, 11, 21)
    assert parse_nik("3275012311260001", BEKASI, TODAY).birth_date == date(1926, 11, 23)
    assert parse_nik("3275010101500001", BEKASI, TODAY).birth_date == date(1950, 1, 1)
    # 29 February 2000 existed (2000 was a leap year).
    assert parse_nik("3275012902000001", BEKASI, TODAY).birth_date == date(2000, 2, 29)


def test_spaces_and_dots_are_ignored():
    assert parse_nik("3275 0117 0885 0009", BEKASI, TODAY).nik == "3275011708850009"
    assert parse_nik("32.75.01.170885.0009", BEKASI, TODAY).nik == "3275011708850009"


@pytest.mark.parametrize(
    ("nik", "reason"),
    [
        ("327501170885009", "harus 16 digit; yang diisi 15 digit"),
        ("32750117088500091", "harus 16 digit; yang diisi 17 digit"),
        ("", "NIK kosong"),
        ("32750117088500A9", "hanya boleh berisi angka"),
        ("3275013102990001", "tanggal 31-02 tidak ada"),
        ("3275013002990001", "tanggal 30-02 tidak ada"),
        ("3275012902250001", "tanggal 29-02 tidak ada"),
        ("3275010013850001", "bukan tanggal lahir yang mungkin"),
        ("3275013501850001", "bukan tanggal lahir yang mungkin"),
        ("3275017201850001", "bukan tanggal lahir yang mungkin"),
        ("3275011713850001", "bukan tanggal lahir yang mungkin"),
        ("3275011708850000", "nomor urut (digit 13-16) tidak boleh 0000"),
        ("9975011708850009", "digit 1-2 (99) bukan kode provinsi"),
        ("3275991708850009", "digit 1-6 (32.75.99) bukan kode kecamatan yang dikenal"),
        ("3275001708850009", "digit 1-6 (32.75.00) bukan kode kecamatan yang sah"),
    ],
)
def test_invalid_niks_say_why(nik, reason):
    with pytest.raises(DomainError) as error:
        parse_nik(nik, BEKASI, TODAY)
    assert reason in error.value.message
    assert error.value.field == "nik"


def test_kecamatan_is_checked_only_where_the_spine_holds_the_kab_kota():
    # Kabupaten Bogor (32.01) is not loaded by a Kota Bekasi office: its NIKs are accepted.
    assert parse_nik("3201991708850009", BEKASI, TODAY).region == "32.01.99"
    # Without any kecamatan loaded, only the province is checked.
    assert parse_nik("3275991708850009", BARE, TODAY).region == "32.75.99"


def test_kk_number():
    assert parse_kk("3275010101200001", BEKASI) == "3275010101200001"
    for bad, reason in [
        ("327501010120001", "16 digit"),
        ("9975010101200001", "bukan kode provinsi"),
        ("3275990101200001", "bukan kode kecamatan yang dikenal"),
        ("3275010101200000", "tidak boleh 0000"),
    ]:
        with pytest.raises(DomainError, match=reason) as error:
            parse_kk(bad, BEKASI)
        assert error.value.field == "no_kk"


def test_region_codes_from_the_spine(db, bekasi):
    regions = region_codes()
    assert "32" in regions.provinsi and "96" in regions.provinsi
    assert "327501" in regions.kecamatan and len(regions.kecamatan) == 12
    with pytest.raises(DomainError, match="32.75.13"):
        parse_nik("3275131708850009", regions, TODAY)
