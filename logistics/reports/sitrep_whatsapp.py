"""The daily sitrep as a short WhatsApp message for the mayor's office and BPBD groups."""

from logistics.core.formatting import angka, persen, tanggal
from logistics.core.spm_components import SPM_COMPONENTS
from logistics.core.wording import istilah
from logistics.reports.sitrep import NOTE_FIELDS


def whatsapp_text(data: dict) -> str:
    """A short plain-text summary to paste into the WhatsApp groups of the mayor's office and BPBD."""
    ev = data["event"]
    lines = [
        "*LAPORAN SITUASI HARIAN*",
        f"*{ev['title']}* ({ev['code']})",
        f"{tanggal(data['day'])} — hari ke-{ev['day_number']} kejadian",
        f"Status: {_status(data)}",
    ]
    if data.get("scope_label"):
        lines.append(data["scope_label"])
    lines.append("")
    lines += _impact_lines(data)
    lines += _aid_lines(data)
    lines += _attention_lines(data)
    lines.append("")
    lines.append(f"— {data['office_name']}")
    return "\n".join(lines)


def _status(data: dict) -> str:
    """The phase, its day number and the decree in force on the report's day."""
    ev = data["event"]
    status = ev["phase_label"]
    tanggap = ev["tanggap_darurat"]
    if tanggap and tanggap["day_number"]:
        status += f", hari ke-{tanggap['day_number']}"
        if tanggap["days"]:
            status += f" dari {tanggap['days']}"
    in_force = [
        d for d in ev["decrees"]
        if d["starts_on"] <= data["day"] and (d["ends_on"] is None or data["day"] <= d["ends_on"])
    ]  # fmt: skip
    if in_force:
        status += f" (SK {in_force[-1]['decree_number']})"
    return status


def _impact_lines(data: dict) -> list[str]:
    """Affected kelurahan and people, casualties, and the shelters."""
    impact = data["impact"]["totals"]
    shelters = data["shelters"]["totals"]
    lines = []
    lines.append(
        f"*Dampak:* {angka(data['impact']['kelurahan'])} {istilah('wilayah')}, "
        f"{angka(impact['jiwa_terdampak'])} jiwa ({angka(impact['kk_terdampak'])} KK) terdampak, "
        f"{angka(impact['mengungsi'])} jiwa mengungsi"
    )
    # A provinsi office reads the event per kab/kota.
    for group in data["impact"].get("groups") or ():
        totals = group["totals"]
        lines.append(
            f"- {group['name']}: {angka(totals['jiwa_terdampak'])} jiwa terdampak, "
            f"{angka(totals['mengungsi'])} mengungsi"
        )
    casualties = [
        f"{angka(impact[k])} {label}"
        for k, label in (("meninggal", "meninggal"), ("hilang", "hilang"), ("terluka", "luka"))
        if impact[k]
    ]
    if casualties:
        lines.append("Korban jiwa: " + ", ".join(casualties))
    shelter_line = (
        f"*Pengungsian:* {angka(shelters['units'])} lokasi, {angka(shelters['persons'])} jiwa"
    )
    if shelters["capacity"]:
        shelter_line += (
            f" / kapasitas {angka(shelters['capacity'])} ({persen(shelters['occupancy'], 0)})"
        )
    if shelters["over_capacity"]:
        shelter_line += f"; {angka(shelters['over_capacity'])} lokasi melebihi kapasitas"
    lines.append(shelter_line)
    return lines


def _aid_lines(data: dict) -> list[str]:
    """The day's and the cumulative hand-outs per component, and the field kitchens."""
    lines = []
    today_aid = [
        f"{_short(c['label'])} {angka(c['day']['persons_served'])} orang"
        for c in data["aid"]["components"]
        if c["day"]["handouts"]
    ]
    lines.append("*Bantuan hari ini:* " + ("; ".join(today_aid) if today_aid else "belum ada"))
    total_aid = [
        f"{_short(c['label'])} {angka(c['cumulative']['persons_served'])} orang"
        for c in data["aid"]["components"]
        if c["cumulative"]["handouts"]
    ]
    if total_aid:
        lines.append("*Kumulatif:* " + "; ".join(total_aid))
    kitchens = data["aid"]["kitchens"]
    if kitchens["day"]["meals"]:
        lines.append(
            f"*Dapur umum:* {angka(kitchens['day']['portions_served'])} porsi hari ini "
            f"({angka(kitchens['cumulative']['portions_served'])} porsi kumulatif)"
        )
    return lines


def _attention_lines(data: dict) -> list[str]:
    """What still needs doing: gaps, Tagana on duty, low stock, and the day's notes."""
    lines = []
    gaps = [
        f"{_short(t['component_label'])} {angka(t['gap'])} jiwa"
        for t in data["needs"]["totals"]
        if t["gap"] > 0
    ]
    if gaps:
        lines.append("*Belum terlayani:* " + "; ".join(gaps))
    tagana = data["tagana"]
    if tagana["members"]:
        lines.append(
            f"*Tagana bertugas:* {angka(tagana['members'])} orang di {angka(tagana['places'])} lokasi"
        )
    low = [
        f"{r['item_name']} "
        + (
            f"cukup {angka(r['days_of_cover'], 1)} hari"
            if r["days_of_cover"] is not None
            else f"{persen(r['share'], 0)} kebutuhan"
        )
        for r in data["stock"]
        if r["warning"]
    ]
    if low:
        lines.append("*Stok perlu ditambah:* " + "; ".join(low))
    for name, label in NOTE_FIELDS.items():
        text = " ".join(data["notes"][name].split())
        if text:
            lines.append(f"*{label}:* {text}")
    return lines


def _short(label: str) -> str:
    """'Penyediaan makanan (permakanan)' -> 'Permakanan' for the short message."""
    short = {
        "permakanan": "Permakanan",
        "sandang": "Sandang",
        "tempat_penampungan": "Penampungan",
        "kelompok_rentan": "Kelompok rentan",
        "psikososial": "Psikososial",
    }
    for code, name in SPM_COMPONENTS.items():
        if name == label:
            return short[code]
    return label
