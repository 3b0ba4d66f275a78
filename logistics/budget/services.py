"""Budget use cases: budget codes, the standard tree, pagu and cash plan, realisation, the year tree."""

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from logistics.budget import funding
from logistics.budget import rules as budget_math
from logistics.budget.models import (
    BUDGET_LEVELS,
    TOTAL_FIELDS,
    BudgetLine,
    BudgetNode,
    BudgetRealisation,
    BudgetTotalFlag,
)
from logistics.budget.rules import Amounts
from logistics.core import inputs
from logistics.core.errors import Conflict, DomainError, NotFound
from logistics.core.extensions import db
from logistics.core.formatting import rupiah, tanggal
from logistics.core.spm_components import INDICATORS, SPM_COMPONENTS
from logistics.core.time import office_today

# A sub-kegiatan of a kota's Dinas Sosial runs to billions; a trillion rupiah is a typing error.
MAX_RUPIAH = 1_000_000_000_000
FIRST_YEAR, LAST_YEAR = 2000, 2100
QUARTER_NAMES = ("I", "II", "III", "IV")
# Segments of a Kepmendagri 050-5889/2021 code and the width each is shown with:
# urusan 1, bidang 06, program 06, kegiatan 2.01, sub-kegiatan 0001.
_WIDTHS = (1, 2, 2, 1, 2, 4)
_LEVEL_BY_SEGMENTS = {3: "program", 5: "kegiatan", 6: "sub_kegiatan"}
_MONEY_PLAIN = re.compile(r"^\d+$")
_MONEY_DOTTED = re.compile(r"^\d{1,3}(\.\d{3})+$")

# Program Penanganan Bencana as every kab/kota Dinas Sosial carries it (DOMAIN.md section 8).
STANDARD_TREE = (
    ("1.06.06", "Program Penanganan Bencana", None),
    ("1.06.06.2.01", "Perlindungan Sosial Korban Bencana Alam dan Sosial Kabupaten/Kota", None),
    ("1.06.06.2.01.0001", "Penyediaan Makanan", "permakanan"),
    ("1.06.06.2.01.0002", "Penyediaan Sandang", "sandang"),
    ("1.06.06.2.01.0003", "Penyediaan Tempat Penampungan Pengungsi", "tempat_penampungan"),
    ("1.06.06.2.01.0004", "Penanganan Khusus bagi Kelompok Rentan", "kelompok_rentan"),
    ("1.06.06.2.01.0005", "Pelayanan Dukungan Psikososial", "psikososial"),
    (
        "1.06.06.2.02",
        "Penyelenggaraan Pemberdayaan Masyarakat terhadap Kesiapsiagaan Bencana Kabupaten/Kota",
        None,
    ),
    ("1.06.06.2.02.0001", "Kampung Siaga Bencana", None),
    ("1.06.06.2.02.0002", "Taruna Siaga Bencana", None),
)
# The SPM component each standard sub-kegiatan pays for, whichever way its node was created.
STANDARD_COMPONENTS = {code: component for code, _name, component in STANDARD_TREE if component}
# The indicator each standard program and kegiatan reports on (its LKIP capaian kinerja): the
# Renstra outcome of the program, the SPM indicator of the protection kegiatan, KSB formed for
# the preparedness kegiatan (DOMAIN.md sections 8 and 9). An operator can change each link.
STANDARD_INDICATORS = {
    "1.06.06": "persen_korban_dibantu",
    "1.06.06.2.01": "capaian_spm",
    "1.06.06.2.02": "ksb",
}


# --- values --------------------------------------------------------------------------------------


def split_code(value, field: str = "code") -> tuple[str, str]:
    """(canonical code, level) of a program, kegiatan or sub-kegiatan code.

    1.06.06.02.01.0001 and 1.06.06.2.01.0001 are the same sub-kegiatan; the one-digit kegiatan
    group is the canonical form (Kepmendagri 050-5889/2021), so codes also sort in tree order.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    raw = inputs.text(value, field, "Kode anggaran", 40, required=True)
    parts = [part.strip() for part in raw.strip(". ").split(".")]
    level = _LEVEL_BY_SEGMENTS.get(len(parts))
    example = "1.06.06 (program), 1.06.06.2.01 (kegiatan) atau 1.06.06.2.01.0001 (sub-kegiatan)"
    if level is None or not all(part.isdigit() for part in parts):
        raise DomainError(
            f"Kode anggaran '{raw}' tidak dikenali; tulis seperti {example}.", field=field
        )
    canonical = []
    for part, width in zip(parts, _WIDTHS, strict=False):
        number = int(part)
        # Offices pad the kegiatan group to two digits (02); anything wider is another code.
        if len(part) > max(width, 2) or len(str(number)) > width:
            raise DomainError(
                f"Kode anggaran '{raw}' tidak dikenali: bagian '{part}' terlalu panjang; "
                f"tulis seperti {example}.",
                field=field,
            )
        canonical.append(str(number).zfill(width))
    return ".".join(canonical), level


def normalize_code(value, field: str = "code") -> str:
    """The canonical form of a budget code (see split_code)."""
    return split_code(value, field)[0]


def parent_code(code: str) -> str | None:
    """The program of a kegiatan, the kegiatan of a sub-kegiatan; None for a program."""
    parts = code.split(".")
    if len(parts) == 3:
        return None
    return ".".join(parts[:3] if len(parts) == 5 else parts[:5])


def fiscal_year(value, field: str = "fiscal_year") -> int:
    """A fiscal year (tahun anggaran) between 2000 and 2100."""
    year = inputs.whole_number(value, field, "Tahun anggaran", required=True, maximum=LAST_YEAR)
    if year < FIRST_YEAR:
        raise DomainError(
            f"Tahun anggaran {year} tidak wajar; tulis empat angka, mis. 2026.", field=field
        )
    return year


def amount(
    value, field: str, label: str, *, required: bool = False, positive: bool = False
) -> int | None:
    """Whole rupiah from an int, an integral float, or text such as 2324516984, 2.324.516.984,
    Rp 2.324.516.984 or 2.324.516.984,00; None when empty and not required."""
    if inputs.is_blank(value) or (isinstance(value, str) and value.strip() == "-"):
        if required:
            raise DomainError(f"{label} wajib diisi.", field=field)
        return None
    number = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float | Decimal) and math.isfinite(value) and value == int(value):
        number = int(value)
    elif isinstance(value, str):
        cleaned = re.sub(r"^rp\.?", "", value.strip().lower().replace("\xa0", " ")).strip()
        cleaned = cleaned.replace(" ", "")
        negative = cleaned.startswith("-")
        cleaned = cleaned.lstrip("-")
        whole, _, cents = cleaned.partition(",")
        if (_MONEY_PLAIN.match(whole) or _MONEY_DOTTED.match(whole)) and (
            not cents or (cents.isdigit() and int(cents) == 0)
        ):
            number = int(whole.replace(".", "")) * (-1 if negative else 1)
        elif whole and cents.isdigit():
            raise DomainError(f"{label} dalam rupiah bulat, tanpa sen ('{value}').", field=field)
    if number is None:
        raise DomainError(
            f"{label} harus berupa angka rupiah, mis. 2.324.516.984, bukan '{value}'.", field=field
        )
    if number < 0:
        raise DomainError(f"{label} tidak boleh negatif ({rupiah(number)}).", field=field)
    if positive and number == 0:
        raise DomainError(f"{label} harus lebih dari nol.", field=field)
    if number > MAX_RUPIAH:
        raise DomainError(
            f"{label} {rupiah(number)} tidak wajar (lebih dari {rupiah(MAX_RUPIAH)}); "
            "periksa jumlah angka nolnya.",
            field=field,
        )
    return number


# --- the tree ------------------------------------------------------------------------------------


def get_node(value, field: str = "code") -> BudgetNode:
    """A budget node by id or code (either written form)."""
    node = None
    if isinstance(value, int) and not isinstance(value, bool):
        node = db.session.get(BudgetNode, value)
    else:
        code = normalize_code(value, field)
        node = db.session.scalar(select(BudgetNode).where(BudgetNode.code == code))
    if node is None:
        raise NotFound(f"Kode anggaran '{value}' belum ada dalam pohon anggaran.", field=field)
    return node


def get_sub_kegiatan(value, field: str = "code") -> BudgetNode:
    """A sub-kegiatan: pagu and realisation are entered only there, never on a total."""
    node = get_node(value, field)
    if node.level != "sub_kegiatan":
        raise DomainError(
            f"{node.code} adalah {BUDGET_LEVELS[node.level].lower()}; pagu dan realisasi diisi "
            "pada sub-kegiatan, jumlah kegiatan dan program dihitung otomatis.",
            field=field,
        )
    return node


def save_node(
    code, name, spm_component: str | None = None, indicator: str | None = None
) -> BudgetNode:
    """Add a node, or rename the one with this code; its parent must already exist.

    spm_component links the node to the SPM component it pays for: None keeps the link (a new
    standard sub-kegiatan gets its standard component when no other node has it, so a plan
    imported before the standard tree was seeded is linked all the same), '' removes it, and a
    component linked elsewhere moves here. indicator is the performance indicator the level
    reports on, the same way: None keeps it (a new standard node gets its standard one), ''
    removes it.
    """
    canonical, level = split_code(code)
    name = inputs.text(name, "name", "Nama", 255, required=True)
    if spm_component and spm_component not in SPM_COMPONENTS:
        raise DomainError(f"Komponen SPM '{spm_component}' tidak dikenal.", field="spm_component")
    if indicator and indicator not in INDICATORS:
        raise DomainError(f"Indikator '{indicator}' tidak dikenal.", field="indicator")
    node = db.session.scalar(select(BudgetNode).where(BudgetNode.code == canonical))
    if node is None:
        node = BudgetNode(code=canonical, level=level, name=name, parent=_parent(canonical, level))
        db.session.add(node)
        if spm_component is None and _component_free(STANDARD_COMPONENTS.get(canonical)):
            spm_component = STANDARD_COMPONENTS[canonical]
        if indicator is None:
            indicator = STANDARD_INDICATORS.get(canonical)
    if indicator is not None:
        node.indicator = indicator or None
    node.name = name
    if spm_component is not None:
        link_component(node, spm_component or None)
    db.session.flush()
    return node


def _parent(canonical: str, level: str) -> BudgetNode | None:
    upper = parent_code(canonical)
    if upper is None:
        return None
    parent = db.session.scalar(select(BudgetNode).where(BudgetNode.code == upper))
    if parent is None:
        kind = "program" if level == "kegiatan" else "kegiatan"
        raise DomainError(
            f"Tambahkan dulu {kind} {upper} sebelum {BUDGET_LEVELS[level].lower()} {canonical}.",
            field="code",
        )
    return parent


def _component_free(component: str | None) -> bool:
    return component is not None and not db.session.scalar(
        select(BudgetNode.id).where(BudgetNode.spm_component == component)
    )


def link_component(node: BudgetNode, component: str | None) -> None:
    """Link a sub-kegiatan to the SPM component it pays for (None unlinks); a component can be
    linked to one node only, so it leaves the node that had it (both changes are audited)."""
    if component is not None and node.level != "sub_kegiatan":
        raise DomainError(
            f"{node.code} bukan sub-kegiatan; komponen SPM dikaitkan ke sub-kegiatan.",
            field="spm_component",
        )
    if component is not None:
        holder = db.session.scalar(
            select(BudgetNode).where(
                BudgetNode.spm_component == component, BudgetNode.id != node.id
            )
        )
        if holder is not None:
            holder.spm_component = None
            db.session.flush()  # the unique link is free before this node takes it
    node.spm_component = component


def seed_structure() -> int:
    """Add the standard Program Penanganan Bencana nodes the office lacks; returns how many.

    Standard sub-kegiatan that already exist (an imported plan) without an SPM link get their
    standard component when no other node has it."""
    existing = {node.code: node for node in db.session.scalars(select(BudgetNode))}
    added = 0
    for code, name, component in STANDARD_TREE:
        node = existing.get(code)
        if node is None:
            save_node(code, name)
            added += 1
        elif node.spm_component is None and _component_free(component):
            link_component(node, component)
    db.session.flush()
    return added


def list_nodes() -> list[BudgetNode]:
    return list(db.session.scalars(select(BudgetNode).order_by(BudgetNode.code)))


def sub_kegiatan_choices() -> list[tuple[str, str]]:
    return [(n.code, f"{n.code} {n.name}") for n in list_nodes() if n.level == "sub_kegiatan"]


# --- pagu and cash plan --------------------------------------------------------------------------


def get_line(node: BudgetNode, year: int) -> BudgetLine | None:
    return db.session.scalar(
        select(BudgetLine).where(BudgetLine.node_id == node.id, BudgetLine.fiscal_year == year)
    )


def realised_total(line: BudgetLine | None) -> int:
    if line is None or line.id is None:
        return 0
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(BudgetRealisation.amount), 0)).where(
                BudgetRealisation.line_id == line.id
            )
        )
    )


def realised_under(code: str, year: int) -> int:
    """What was paid in the year on a sub-kegiatan, or on every sub-kegiatan under a level."""
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(BudgetRealisation.amount), 0))
            .join(BudgetLine, BudgetLine.id == BudgetRealisation.line_id)
            .join(BudgetNode, BudgetNode.id == BudgetLine.node_id)
            .where(
                BudgetLine.fiscal_year == year,
                (BudgetNode.code == code) | BudgetNode.code.startswith(code + "."),
            )
        )
    )


def check_plan(
    code: str,
    pagu_awal: int | None,
    pagu_perubahan: int | None,
    plan: Sequence[int],
    realised: int,
) -> None:
    """The cash plan fits the pagu in force, and the pagu covers what was already paid.

    A level left blank (the level above carries the pagu) has nothing to check here.
    """
    pagu = budget_math.pagu_in_force(pagu_awal, pagu_perubahan)
    if pagu is None:
        return
    which = "pagu perubahan" if pagu_perubahan is not None else "pagu awal"
    if sum(plan) > pagu:
        raise DomainError(
            f"Rencana penarikan dana {code} empat triwulan berjumlah {rupiah(sum(plan))}, "
            f"melebihi {which} {rupiah(pagu)} sebesar {rupiah(sum(plan) - pagu)}. "
            "Kurangi rencana triwulan atau isi pagu perubahan.",
            field="plan_q1",
        )
    if realised > pagu:
        raise DomainError(
            f"Realisasi {code} yang sudah dicatat {rupiah(realised)} melebihi {which} "
            f"{rupiah(pagu)}; pagu tidak boleh lebih kecil dari yang sudah dibayar.",
            field="pagu_perubahan" if pagu_perubahan is not None else "pagu_awal",
        )


def ancestor_codes(code: str) -> list[str]:
    """The kegiatan and program above a code, nearest first."""
    found = []
    upper = parent_code(code)
    while upper is not None:
        found.append(upper)
        upper = parent_code(upper)
    return found


def check_blank_pagu(code: str, level: str, pagu_awal, pagu_perubahan, covered: bool) -> None:
    """A sub-kegiatan may leave its pagu blank only below a level that has a figure."""
    if level != "sub_kegiatan" or pagu_awal is not None or pagu_perubahan is not None:
        return
    if not covered:
        raise DomainError(
            f"Pagu awal sub-kegiatan {code} wajib diisi (tulis 0 bila tidak ada), atau isi "
            "pagu awal kegiatan/programnya bila dokumen anggaran hanya mencantumkan pagu di sana.",
            field="pagu_awal",
        )


def own_pagu_above(code: str, year: int) -> str | None:
    """The nearest kegiatan/program above a code with a pagu of its own in the year."""
    for upper in ancestor_codes(code):
        line = db.session.scalar(
            select(BudgetLine)
            .join(BudgetNode, BudgetNode.id == BudgetLine.node_id)
            .where(BudgetNode.code == upper, BudgetLine.fiscal_year == year)
        )
        if line is not None and (
            budget_math.pagu_in_force(line.pagu_awal, line.pagu_perubahan) is not None
        ):
            return upper
    return None


def set_budget(
    node: BudgetNode,
    year,
    *,
    pagu_awal,
    pagu_perubahan=None,
    plan: Sequence | None = None,
    note: str | None = None,
    funding_source=None,
) -> BudgetLine:
    """Set a level's pagu (awal, and perubahan when the APBD-P changed it) and, for a
    sub-kegiatan, its cash plan.

    Any level may carry its own pagu; a blank one takes the sum of its parts (program,
    kegiatan) or, for a sub-kegiatan, is covered by the figure of a level above. A plan left out
    keeps the plan already set; it must still fit the pagu in force. A funding source (sumber
    dana) left out keeps the one already set.
    """
    year = fiscal_year(year)
    awal = amount(pagu_awal, "pagu_awal", "Pagu awal")
    source = funding.parse(funding_source)
    perubahan = amount(pagu_perubahan, "pagu_perubahan", "Pagu perubahan")
    if node.level == "sub_kegiatan" and awal is None and perubahan is None:
        check_blank_pagu(node.code, node.level, awal, perubahan, own_pagu_above(node.code, year))
    line = get_line(node, year)
    if plan is None or node.level != "sub_kegiatan":
        if plan is not None and any(not inputs.is_blank(v) and v not in (0, "0") for v in plan):
            raise DomainError(
                f"{node.code} adalah {BUDGET_LEVELS[node.level].lower()}; rencana triwulan "
                "diisi pada sub-kegiatan dan dijumlahkan otomatis.",
                field="plan_q1",
            )
        quarters = [line.plan_q1, line.plan_q2, line.plan_q3, line.plan_q4] if line else [0] * 4
    else:
        if len(plan) != 4:
            raise DomainError("Rencana penarikan dana terdiri dari empat triwulan.", field="plan")
        quarters = [
            amount(value, f"plan_q{q}", f"Rencana triwulan {QUARTER_NAMES[q - 1]}") or 0
            for q, value in enumerate(plan, start=1)
        ]
    check_plan(node.code, awal, perubahan, quarters, realised_under(node.code, year))
    if line is None:
        line = BudgetLine(node_id=node.id, fiscal_year=year)
        db.session.add(line)
    line.pagu_awal = awal
    line.pagu_perubahan = perubahan
    line.plan_q1, line.plan_q2, line.plan_q3, line.plan_q4 = quarters
    if note is not None:
        line.note = inputs.text(note, "note", "Catatan", 255)
    if source is not None:
        line.funding_source = source
    db.session.flush()
    return line


# --- realisation ---------------------------------------------------------------------------------


def record_realisation(
    node: BudgetNode,
    year,
    *,
    paid_on,
    amount_value,
    document_number=None,
    note=None,
    today: date | None = None,
    actor=None,
    funding_source=None,
) -> BudgetRealisation:
    """Record one payment (SP2D) against a sub-kegiatan's pagu for the fiscal year.

    actor is the signed-in user who records it (none for the demo office and imports). The
    payment's funding source (sumber dana) is the line's unless given (e.g. BTT in an emergency).
    """
    if node.level != "sub_kegiatan":
        raise DomainError(
            f"{node.code} bukan sub-kegiatan; realisasi dicatat pada sub-kegiatan.", field="code"
        )
    year = fiscal_year(year)
    day = inputs.day(paid_on, "paid_on", "Tanggal realisasi", required=True, day_first=True)
    if day.year != year:
        raise DomainError(
            f"Tanggal {tanggal(day)} di luar tahun anggaran {year} (1 Januari–31 Desember {year}).",
            field="paid_on",
        )
    today = today or office_today()
    if day > today:
        raise DomainError(
            f"Tanggal {tanggal(day)} belum terjadi; realisasi dicatat setelah dibayar.",
            field="paid_on",
        )
    value = amount(amount_value, "amount", "Jumlah realisasi", required=True, positive=True)
    number = inputs.text(document_number, "document_number", "Nomor SP2D/dokumen", 80)
    source = funding.parse(funding_source)
    # The row lock makes a second payment wait for the first on PostgreSQL, so two clerks
    # cannot both fit a payment into the same remaining pagu.
    line = db.session.scalar(
        select(BudgetLine)
        .where(BudgetLine.node_id == node.id, BudgetLine.fiscal_year == year)
        .with_for_update(of=BudgetLine)
    )
    holder, pagu = _paying_level(node, line, year)
    if not pagu:
        raise DomainError(
            f"Pagu {node.code} {node.name} tahun {year} belum diisi; isi pagu sebelum realisasi.",
            field="code",
        )
    if line is None:
        # The pagu is the kegiatan's or program's; the payment still belongs to this sub-kegiatan.
        line = BudgetLine(node_id=node.id, fiscal_year=year, pagu_awal=None)
        db.session.add(line)
        db.session.flush()
    _check_document(node, line, number)
    already = realised_under(holder, year)
    if already + value > pagu:
        raise DomainError(
            f"Realisasi {rupiah(value)} melebihi sisa pagu {holder}: pagu {rupiah(pagu)}, "
            f"sudah terealisasi {rupiah(already)}, sisa {rupiah(pagu - already)}.",
            field="amount",
        )
    entry = BudgetRealisation(
        line_id=line.id,
        paid_on=day,
        amount=value,
        document_number=number,
        note=inputs.text(note, "note", "Catatan", 255),
        funding_source=source or line.funding_source,
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def _paying_level(node: BudgetNode, line: BudgetLine | None, year: int) -> tuple[str, int | None]:
    """(code, pagu in force) of the level whose pagu a payment on this sub-kegiatan draws on:
    its own when it has one, else the nearest kegiatan/program with a pagu of its own."""
    if line is not None:
        own = budget_math.pagu_in_force(line.pagu_awal, line.pagu_perubahan)
        if own is not None:
            return node.code, own
    holder = own_pagu_above(node.code, year)
    if holder is None:
        return node.code, None
    return holder, year_amounts(year)[holder][0].pagu


def _check_document(node: BudgetNode, line: BudgetLine, number: str) -> None:
    """One SP2D/document number is recorded once per line."""
    if not number:
        return
    duplicate = db.session.scalar(
        select(BudgetRealisation).where(
            BudgetRealisation.line_id == line.id,
            func.lower(BudgetRealisation.document_number) == number.lower(),
        )
    )
    if duplicate is not None:
        raise Conflict(
            f"SP2D/dokumen {number} sudah dicatat untuk {node.code} pada "
            f"{tanggal(duplicate.paid_on)} sebesar {rupiah(duplicate.amount)}.",
            field="document_number",
        )


def get_realisation(realisation_id: int) -> BudgetRealisation:
    entry = db.session.get(BudgetRealisation, realisation_id)
    if entry is None:
        raise NotFound(f"Realisasi #{realisation_id} tidak ditemukan.")
    return entry


def delete_realisation(entry: BudgetRealisation) -> tuple[str, int]:
    """Remove a mistyped entry (the audit log keeps what it was); returns (code, fiscal year)."""
    line = db.session.get(BudgetLine, entry.line_id)
    db.session.delete(entry)
    db.session.flush()
    return line.node.code, line.fiscal_year


def realisations(node: BudgetNode, year: int) -> list[BudgetRealisation]:
    line = get_line(node, year)
    if line is None:
        return []
    return list(
        db.session.scalars(
            select(BudgetRealisation)
            .where(BudgetRealisation.line_id == line.id)
            .order_by(BudgetRealisation.paid_on, BudgetRealisation.id)
        )
    )


# --- the year's tree -----------------------------------------------------------------------------


@dataclass
class TreeRow:
    """One row of the year's tree: a level's own pagu where it has one, else its parts' sum."""

    code: str
    name: str
    level: str
    amounts: Amounts
    node_id: int | None = None
    spm_component: str | None = None
    flags: list[BudgetTotalFlag] = field(default_factory=list)
    funding: str = ""  # sumber dana as printed: 'DAU', or every source of a total's parts
    # Own pagu figures that are not the sum of the parts' figures.
    disagreements: list[budget_math.Disagreement] = field(default_factory=list)
    indicator: str | None = None  # the performance indicator the level reports on

    @property
    def depth(self) -> int:
        return {"program": 0, "kegiatan": 1, "sub_kegiatan": 2}[self.level]


def line_amounts(year: int) -> dict[str, Amounts]:
    """code -> Amounts of every level with a budget line in the year (payments: sub-kegiatan)."""
    result: dict[str, Amounts] = {}
    lines = db.session.execute(
        select(BudgetNode.code, BudgetLine)
        .join(BudgetLine, BudgetLine.node_id == BudgetNode.id)
        .where(BudgetLine.fiscal_year == year)
    ).all()
    for code, line in lines:
        result[code] = Amounts(
            pagu_awal=line.pagu_awal,
            pagu_perubahan=line.pagu_perubahan,
            plan=[line.plan_q1, line.plan_q2, line.plan_q3, line.plan_q4],
        )
    paid = db.session.execute(
        select(BudgetNode.code, BudgetRealisation.paid_on, BudgetRealisation.amount)
        .join(BudgetLine, BudgetLine.node_id == BudgetNode.id)
        .join(BudgetRealisation, BudgetRealisation.line_id == BudgetLine.id)
        .where(BudgetLine.fiscal_year == year)
    ).all()
    for code, paid_on, value in paid:
        result[code].realised[budget_math.quarter_of(paid_on) - 1] += value
    return result


def node_levels() -> list[tuple[str, str]]:
    return [tuple(row) for row in db.session.execute(select(BudgetNode.code, BudgetNode.level))]


def year_amounts(
    year: int, lines: dict[str, Amounts] | None = None, extra: list[tuple[str, str]] = ()
) -> dict[str, tuple[Amounts, list[budget_math.Disagreement]]]:
    """code -> (amounts, disagreements) of every node for the year (see rules.tree_amounts);
    lines and extra nodes let an import see the tree as it will stand."""
    return budget_math.tree_amounts(
        [*node_levels(), *extra], line_amounts(year) if lines is None else lines
    )


def year_tree(year: int) -> list[TreeRow]:
    """Every node in code order with its amounts for the year and its flagged disagreements."""
    amounts = year_amounts(year)
    flags: dict[int, list[BudgetTotalFlag]] = {}
    for flag in db.session.scalars(
        select(BudgetTotalFlag).where(BudgetTotalFlag.fiscal_year == year)
    ):
        flags.setdefault(flag.node_id, []).append(flag)
    order = list(TOTAL_FIELDS)
    sources = funding.sources_by_code(year)
    return [
        TreeRow(
            code=node.code,
            name=node.name,
            level=node.level,
            amounts=amounts[node.code][0],
            node_id=node.id,
            spm_component=node.spm_component,
            flags=sorted(flags.get(node.id, []), key=lambda f: order.index(f.field)),
            funding=funding.label(node.code, sources),
            disagreements=amounts[node.code][1],
            indicator=node.indicator,
        )
        for node in list_nodes()
    ]


def years_with_budget() -> list[int]:
    return list(
        db.session.scalars(
            select(BudgetLine.fiscal_year).distinct().order_by(BudgetLine.fiscal_year.desc())
        )
    )


def replace_flags(year: int, flags: list[dict]) -> None:
    """A new plan file for the year replaces the disagreements found in the previous one."""
    # Row by row, not a bulk DELETE, so the audit log records which flags went away.
    for old in db.session.scalars(
        select(BudgetTotalFlag).where(BudgetTotalFlag.fiscal_year == year)
    ):
        db.session.delete(old)
    db.session.flush()
    for values in flags:
        db.session.add(BudgetTotalFlag(fiscal_year=year, **values))
    db.session.flush()
