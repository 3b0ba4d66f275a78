"""Checks of a head count against the shelter's capacity, floor area and toilets."""

import math
from decimal import Decimal

from logistics.core.formatting import angka
from logistics.shelters.models import Shelter, ShelterCount

# --- Standards --------------------------------------------------------------------------------
# The one place these live until the office's editable standards table exists.
# Sphere Handbook (2018), Shelter and settlement standard 3 "Living space": at least 3.5 m2 of
# covered living space per person.
MIN_COVERED_M2_PER_PERSON = Decimal("3.5")
# Perka BNPB 7/2008 (pedoman tata cara pemberian bantuan pemenuhan kebutuhan dasar) and Sphere
# Handbook (2018), excreta management standard 3.2 "Access to and use of toilets": at most 20
# persons per shared toilet.
MAX_PERSONS_PER_TOILET = 20


# Short labels of the checks, for badges in lists (the full message says the numbers).
WARNING_BADGES = {
    "kapasitas": "Melebihi kapasitas",
    "tanpa_kapasitas": "Kapasitas belum diisi",
    "ruang": f"Ruang < {angka(MIN_COVERED_M2_PER_PERSON)} m²/orang",
    "toilet": "Toilet kurang",
}


def check_shelter(shelter: Shelter, count: ShelterCount | None) -> list[tuple[str, str]]:
    """(code, message) of each check a head count fails; codes are keys of WARNING_BADGES."""
    if count is None or count.persons <= 0:
        return []
    persons = count.persons
    found = []
    if shelter.capacity > 0 and persons > shelter.capacity:
        found.append(
            (
                "kapasitas",
                f"Melebihi kapasitas: {angka(persons)} jiwa di tempat berkapasitas "
                f"{angka(shelter.capacity)} jiwa (lebih {angka(persons - shelter.capacity)} jiwa).",
            )
        )
    elif shelter.capacity <= 0:
        found.append(
            ("tanpa_kapasitas", "Kapasitas belum diisi: tingkat keterisian tidak dapat dihitung.")
        )
    area = shelter.floor_area_m2
    if area is not None and persons * MIN_COVERED_M2_PER_PERSON > Decimal(area):
        per_person = Decimal(area) / persons
        fits = math.floor(Decimal(area) / MIN_COVERED_M2_PER_PERSON)
        found.append(
            (
                "ruang",
                f"Ruang tertutup {angka(per_person, 2)} m² per orang, di bawah standar "
                f"{angka(MIN_COVERED_M2_PER_PERSON)} m² per orang (Sphere); "
                f"{angka(area)} m² cukup untuk {angka(fits)} jiwa.",
            )
        )
    if persons > shelter.toilets * MAX_PERSONS_PER_TOILET:
        needed = math.ceil(persons / MAX_PERSONS_PER_TOILET)
        if shelter.toilets == 0:
            ratio = "Belum ada toilet tercatat"
        else:
            ratio = f"{angka(persons / shelter.toilets, 1)} orang per toilet"
        found.append(
            (
                "toilet",
                f"{ratio}; standar 1 toilet per {MAX_PERSONS_PER_TOILET} orang "
                f"(Perka BNPB 7/2008, Sphere): perlu {angka(needed)} toilet, "
                f"tersedia {angka(shelter.toilets)}.",
            )
        )
    return found


def warning_badges(shelter: Shelter, count: ShelterCount | None) -> list[tuple[str, str]]:
    """(short label, full message) of each failed check, for badges in tables."""
    return [(WARNING_BADGES[code], message) for code, message in check_shelter(shelter, count)]


def shelter_checks(shelter: Shelter, count: ShelterCount | None) -> list[str]:
    """Warnings on a head count against the shelter's capacity, floor area and toilets.

    Nothing is refused: people who have arrived are counted whatever the shelter holds.
    """
    return [message for _code, message in check_shelter(shelter, count)]
