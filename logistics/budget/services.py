"""Budget use cases: budget codes, the standard tree, pagu and cash plan, realisation, the year tree."""

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select

from logistics.budget import funding
from logistics.budget import rules as budget_math
from logistics.budget.models import (
    BUDGET_LEVELS,
    BudgetLine,
    BudgetNode,
    BudgetRealisation,
    BudgetTotalFlag,
)

# Values and the year's tree live in their own modules; callers reach them through here.
from logistics.budget.tree import (  # noqa: F401
    TreeRow,
    line_amounts,
    node_levels,
    year_amounts,
    year_tree,
)
from logistics.budget.values import (  # noqa: F401
    FIRST_YEAR,
    LAST_YEAR,
    MAX_RUPIAH,
    QUARTER_NAMES,
    amount,
    fiscal_year,
    normalize_code,
    parent_code,
    split_code,
)
from logistics.core import inputs
from logistics.core.errors import Collector, Conflict, DomainError, NotFound
from logistics.core.extensions import db
from logistics.core.formatting import rupiah, tanggal
from logistics.core.spm_components import INDICATORS, SPM_COMPONENTS
from logistics.core.time import office_today

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
    removes it. Every refused value is reported together.
    """
    errors = Collector()
    split = errors.check(split_code, code)
    name = errors.check(inputs.text, name, "name", "Nama", 255, required=True)
    if spm_component and spm_component not in SPM_COMPONENTS:
        errors.add(
            DomainError(f"Komponen SPM '{spm_component}' tidak dikenal.", field="spm_component")
        )
    elif spm_component and split is not None and split[1] != "sub_kegiatan":
        errors.add(_not_sub_kegiatan(split[0]))
    if indicator and indicator not in INDICATORS:
        errors.add(DomainError(f"Indikator '{indicator}' tidak dikenal.", field="indicator"))
    node = parent = None
    if split is not None:
        canonical, level = split
        node = db.session.scalar(select(BudgetNode).where(BudgetNode.code == canonical))
        if node is None:
            parent = errors.check(_parent, canonical, level)
    errors.raise_any()
    if node is None:
        node = BudgetNode(code=canonical, level=level, name=name, parent=parent)
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


def _not_sub_kegiatan(code: str) -> DomainError:
    return DomainError(
        f"{code} bukan sub-kegiatan; komponen SPM dikaitkan ke sub-kegiatan.",
        field="spm_component",
    )


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
        raise _not_sub_kegiatan(node.code)
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
    node: BudgetNode | str,
    year,
    *,
    pagu_awal,
    pagu_perubahan=None,
    plan: Sequence | None = None,
    note: str | None = None,
    funding_source=None,
) -> BudgetLine:
    """Set a level's pagu (awal, and perubahan when the APBD-P changed it) and, for a
    sub-kegiatan, its cash plan. node is the node or its code as the person wrote it.

    Any level may carry its own pagu; a blank one takes the sum of its parts (program,
    kegiatan) or, for a sub-kegiatan, is covered by the figure of a level above. A plan left out
    keeps the plan already set; it must still fit the pagu in force. A funding source (sumber
    dana) left out keeps the one already set. Every refused value is reported together.
    """
    errors = Collector()
    if not isinstance(node, BudgetNode):
        node = errors.check(get_node, node)
    year = errors.check(fiscal_year, year)
    awal = errors.check(amount, pagu_awal, "pagu_awal", "Pagu awal")
    perubahan = errors.check(amount, pagu_perubahan, "pagu_perubahan", "Pagu perubahan")
    source = errors.check(funding.parse, funding_source)
    if note is not None:
        note = errors.check(inputs.text, note, "note", "Catatan", 255)
    line = get_line(node, year) if node is not None and year is not None else None
    quarters = _quarters(node, line, plan, errors) if node is not None else None
    # The checks between values only run on values that were each well formed.
    if year is not None and quarters is not None and _fine(errors, "pagu_awal", "pagu_perubahan"):
        if node.level == "sub_kegiatan" and awal is None and perubahan is None:
            covered = own_pagu_above(node.code, year) is not None
            errors.check(check_blank_pagu, node.code, node.level, awal, perubahan, covered)
        realised = realised_under(node.code, year)
        errors.check(check_plan, node.code, awal, perubahan, quarters, realised)
    errors.raise_any()
    if line is None:
        line = BudgetLine(node_id=node.id, fiscal_year=year)
        db.session.add(line)
    line.pagu_awal = awal
    line.pagu_perubahan = perubahan
    line.plan_q1, line.plan_q2, line.plan_q3, line.plan_q4 = quarters
    if note is not None:
        line.note = note
    if source is not None:
        line.funding_source = source
    db.session.flush()
    return line


def _fine(errors: Collector, *fields: str) -> bool:
    return not any(errors.errors_for(field) for field in fields)


def _quarters(
    node: BudgetNode, line: BudgetLine | None, plan: Sequence | None, errors: Collector
) -> list[int] | None:
    """The four quarters of the cash plan to store (None when one was refused): the plan given
    for a sub-kegiatan, else the one already set."""
    if plan is None or node.level != "sub_kegiatan":
        if plan is not None and any(not inputs.is_blank(v) and v not in (0, "0") for v in plan):
            errors.add(
                DomainError(
                    f"{node.code} adalah {BUDGET_LEVELS[node.level].lower()}; rencana triwulan "
                    "diisi pada sub-kegiatan dan dijumlahkan otomatis.",
                    field="plan_q1",
                )
            )
            return None
        return [line.plan_q1, line.plan_q2, line.plan_q3, line.plan_q4] if line else [0] * 4
    if len(plan) != 4:
        errors.add(DomainError("Rencana penarikan dana terdiri dari empat triwulan.", field="plan"))
        return None
    before = len(errors.errors)
    quarters = [
        errors.check(amount, value, f"plan_q{q}", f"Rencana triwulan {QUARTER_NAMES[q - 1]}") or 0
        for q, value in enumerate(plan, start=1)
    ]
    return quarters if len(errors.errors) == before else None


# --- realisation ---------------------------------------------------------------------------------


def record_realisation(
    node: BudgetNode | str,
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
    """Record one payment (SP2D) against a sub-kegiatan's pagu for the fiscal year; node is the
    sub-kegiatan or its code as the person wrote it. Every refused value is reported together.

    actor is the signed-in user who records it (none for the demo office and imports). The
    payment's funding source (sumber dana) is the line's unless given (e.g. BTT in an emergency).
    """
    errors = Collector()
    if not isinstance(node, BudgetNode):
        node = errors.check(get_node, node)
    if node is not None and node.level != "sub_kegiatan":
        errors.add(
            DomainError(
                f"{node.code} bukan sub-kegiatan; realisasi dicatat pada sub-kegiatan.",
                field="code",
            )
        )
        node = None
    year = errors.check(fiscal_year, year)
    day = errors.check(
        inputs.day, paid_on, "paid_on", "Tanggal realisasi", required=True, day_first=True
    )
    if day is not None:
        errors.check(_check_paid_on, day, year, today or office_today())
    value = errors.check(
        amount, amount_value, "amount", "Jumlah realisasi", required=True, positive=True
    )
    number = errors.check(inputs.text, document_number, "document_number", "Nomor SP2D/dokumen", 80)
    note = errors.check(inputs.text, note, "note", "Catatan", 255)
    source = errors.check(funding.parse, funding_source)
    line = None
    if node is not None and year is not None:
        # The row lock makes a second payment wait for the first on PostgreSQL, so two clerks
        # cannot both fit a payment into the same remaining pagu.
        line = db.session.scalar(
            select(BudgetLine)
            .where(BudgetLine.node_id == node.id, BudgetLine.fiscal_year == year)
            .with_for_update(of=BudgetLine)
        )
        errors.check(_check_remaining, node, line, year, value)
    errors.raise_any()
    if line is None:
        # The payment still belongs to this sub-kegiatan: it gets a line without a pagu.
        line = BudgetLine(node_id=node.id, fiscal_year=year, pagu_awal=None)
        db.session.add(line)
        db.session.flush()
    _check_document(node, line, number)
    entry = BudgetRealisation(
        line_id=line.id,
        paid_on=day,
        amount=value,
        document_number=number,
        note=note,
        funding_source=source or line.funding_source,
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def _check_paid_on(day: date, year: int | None, today: date) -> None:
    """A payment falls in its fiscal year and has already happened."""
    if year is not None and day.year != year:
        raise DomainError(
            f"Tanggal {tanggal(day)} di luar tahun anggaran {year} (1 Januari–31 Desember {year}).",
            field="paid_on",
        )
    if day > today:
        raise DomainError(
            f"Tanggal {tanggal(day)} belum terjadi; realisasi dicatat setelah dibayar.",
            field="paid_on",
        )


def _check_remaining(node: BudgetNode, line: BudgetLine | None, year: int, value: int | None):
    """The level the payment draws on has a pagu, and the payment fits what is left of it."""
    holder, pagu = _paying_level(node, line, year)
    if not pagu:
        raise DomainError(
            f"Pagu {node.code} {node.name} tahun {year} belum diisi; isi pagu sebelum realisasi.",
            field="code",
        )
    already = realised_under(holder, year)
    if value is not None and already + value > pagu:
        raise DomainError(
            f"Realisasi {rupiah(value)} melebihi sisa pagu {holder}: pagu {rupiah(pagu)}, "
            f"sudah terealisasi {rupiah(already)}, sisa {rupiah(pagu - already)}.",
            field="amount",
        )


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
    # The kegiatan's or program's line is the one to wait on, so payments on two blank
    # sub-kegiatan cannot both fit into what it has left.
    db.session.execute(
        select(BudgetLine.id)
        .join(BudgetNode, BudgetNode.id == BudgetLine.node_id)
        .where(BudgetNode.code == holder, BudgetLine.fiscal_year == year)
        .with_for_update(of=BudgetLine)
    )
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


def realisation_code(entry: BudgetRealisation) -> str:
    """The code of the sub-kegiatan a payment was recorded on."""
    return db.session.get(BudgetLine, entry.line_id).node.code


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
