"""The demo flood's logistics: Kemensos buffer stock in, transfers to the posko, hand-outs, dapur umum."""

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import func, select

from logistics.admin.models import User
from logistics.bast import services as bast
from logistics.budget import imports as budget_import
from logistics.budget import rules as budget_math
from logistics.budget import services as budget
from logistics.core.config import ROOT
from logistics.core.database import transaction
from logistics.core.extensions import db
from logistics.distributions.services import parse_hand_out, record_distribution
from logistics.events.models import Event
from logistics.kitchens import meals as kitchen_meals
from logistics.kitchens import services as kitchens
from logistics.shelters.models import Shelter
from logistics.spm import settings as spm_settings
from logistics.stock import counts as stock_counts
from logistics.stock import documents as stock_documents
from logistics.stock import ledger, transfers
from logistics.stock.models import StockDocument, Warehouse
from logistics.tagana.models import Deployment
from logistics.victims.models import Person, Victim

GUDANG, LUMBUNG, POSKO = "GDG-3275-01", "LBS-3275-09-01", "PSK-3275-04-01"
GOR, MASJID = "GOR Patriot Candrabhaga", "Masjid Al-Ikhlas Pondok Gede Permai"
KEPALA_GUDANG = "Dedi Kurniawan (Kepala Gudang Dinsos)"
BUDGET_PLAN = ROOT / "data" / "budget_demo_2026.csv"


def _lines(*rows) -> list[dict]:
    return [
        dict(zip(("item_id", "quantity", "lot_code", "expiry_date"), r, strict=False)) for r in rows
    ]


def _submit(action, values: dict):
    """One stock document, committed on its own as the office would save it."""
    with transaction():
        return stock_documents.submit(action, values)


def _receive(warehouse: Warehouse, on: date, source: str, document: str, giver: str, rows):
    _submit(
        stock_documents.record_receipt,
        {
            "warehouse_id": warehouse.id,
            "doc_date": on.isoformat(),
            "source": source,
            "source_document": document,
            "giver_name": giver,
            "receiver_name": KEPALA_GUDANG,
            "lines": _lines(*rows),
        },
    )


def _households(event: Event) -> dict[int | None, dict[int, list[Person]]]:
    """Registered households per shelter (None: still at home), with their members."""
    rows = db.session.execute(
        select(Victim.shelter_id, Person)
        .join(Person, Victim.person_id == Person.id)
        .where(Victim.event_id == event.id, Person.household_id.is_not(None))
        .order_by(Person.household_id, Person.id)
    ).all()
    places: dict[int | None, dict[int, list[Person]]] = defaultdict(lambda: defaultdict(list))
    for shelter_id, person in rows:
        places[shelter_id][person.household_id].append(person)
    return places


def seed_logistics_demo(event: Event, start_day: date, today: date) -> dict:
    """Stock, documents, hand-outs and field-kitchen meals of the demo flood's first days."""
    store = {
        w.code: w
        for w in db.session.scalars(
            select(Warehouse).where(Warehouse.code.in_((GUDANG, LUMBUNG, POSKO)))
        )
    }
    shelters = {
        s.name: s for s in db.session.scalars(select(Shelter).where(Shelter.event_id == event.id))
    }
    operator = db.session.scalar(select(User).where(User.username == "operator"))
    tagana = db.session.scalar(select(User).where(User.username == "tagana"))
    gudang, posko = store[GUDANG], store[POSKO]

    _receive_deliveries(gudang, start_day, today)
    masjid = shelters[MASJID]
    _move_stock(event, store, masjid, start_day, today)

    # The tree first, so every hand-out is charged to its component's sub-kegiatan.
    budget.seed_structure()
    handed = _hand_outs(event, shelters, posko, gudang, start_day, today, tagana, operator)
    meals = _kitchen(event, masjid, gudang, start_day, today)
    with transaction():
        batch = bast.create_distribution_batch(
            event,
            start_day + timedelta(days=1),
            shelter=shelters[GOR],
            giver_name="Rina Marlina (Posko logistik GOR Patriot)",
            receiver_name="Perwakilan pengungsi GOR Patriot",
        )
    with transaction():
        paid = _budget(start_day, today)
        _targets(today.year)
    # The Tagana sent to the flood are paid from the Taruna Siaga Bencana sub-kegiatan.
    with transaction():
        tagana_node = budget.get_sub_kegiatan("1.06.06.2.02.0002")
        deployments = db.session.scalars(select(Deployment).where(Deployment.event_id == event.id))
        for deployment in deployments:
            deployment.sub_kegiatan_id = tagana_node.id
    documents = db.session.scalar(select(func.count(StockDocument.id)))
    return {
        "stock_documents": documents,
        "distributions": handed,
        "kitchen_meals": meals,
        "batch": batch.number,
        "budget_payments": paid,
    }


def _receive_deliveries(gudang: Warehouse, start_day: date, today: date) -> None:
    """Buffer stock bought in the year, then the Kemensos and CSR deliveries once the flood hit."""
    _receive(
        gudang,
        start_day - timedelta(days=75),
        "apbd",
        "SPK 027/PPK-LINJAMSOS/IX/2026",
        "CV Bekasi Mandiri Logistik",
        [
            ("mi_instan", 120, "MI-2609", (today + timedelta(days=190)).isoformat()),
            ("velbed", 30, "", None),
            ("matras", 150, "", None),
            ("beras", 600, "BRS-2609", (today + timedelta(days=250)).isoformat()),
        ],
    )
    _receive(
        gudang,
        start_day,
        "apbn",
        "BAST/118/LJS-KBS/XI/2026 (buffer stock Kemensos)",
        "Direktorat Perlindungan Sosial Korban Bencana Alam, Kemensos",
        [
            ("makanan_siap_saji", 400, "MSS-2608", (today + timedelta(days=140)).isoformat()),
            ("lauk_pauk_siap_saji", 150, "LP-2607", (today + timedelta(days=110)).isoformat()),
            ("makanan_anak", 60, "MA-2605", (today + timedelta(days=21)).isoformat()),
            ("family_kit", 80, "", None),
            ("kids_ware", 40, "", None),
            ("selimut", 300, "", None),
            ("sandang_dewasa", 120, "", None),
            ("sandang_anak", 80, "", None),
            ("tenda_gulung", 40, "", None),
        ],
    )
    _receive(
        gudang,
        start_day + timedelta(days=1),
        "csr",
        "Surat hibah 14/CSR-SR/XI/2026",
        "PT Sumber Rejeki Bekasi (program CSR)",
        [("air_mineral", 150, "AM-2611", (today + timedelta(days=330)).isoformat())],
    )


def _move_stock(event: Event, store: dict, masjid: Shelter, start_day: date, today: date) -> None:
    """Transfers to the posko store and the lumbung sosial, a dispatch and a write-off."""
    gudang, posko = store[GUDANG], store[POSKO]
    # The posko store at GOR Patriot is stocked by transfer; two blankets got soaked on the way.
    sent, _ = _submit(
        transfers.send_transfer,
        {
            "warehouse_id": gudang.id,
            "to_warehouse_id": posko.id,
            "doc_date": start_day.isoformat(),
            "event_id": event.id,
            "giver_name": KEPALA_GUDANG,
            "receiver_name": "Rina Marlina (Posko logistik GOR Patriot)",
            "lines": _lines(
                ("makanan_siap_saji", 90),
                ("family_kit", 40),
                ("selimut", 100),
                ("sandang_anak", 30),
            ),
        },
    )
    blankets = next(m for m in sent.movements if m.item.code == "selimut")
    _submit(
        lambda values, actor: transfers.receive_transfer(sent.id, values, actor),
        {
            "received_on": start_day.isoformat(),
            "receiver_name": "Rina Marlina (Posko logistik GOR Patriot)",
            "lines": [{"line_id": blankets.id, "quantity": 98}],
        },
    )
    # The lumbung sosial's share is still on the truck.
    _submit(
        transfers.send_transfer,
        {
            "warehouse_id": gudang.id,
            "to_warehouse_id": store[LUMBUNG].id,
            "doc_date": today.isoformat(),
            "event_id": event.id,
            "giver_name": KEPALA_GUDANG,
            "receiver_name": "Ketua KSB Jatirasa",
            "lines": _lines(("makanan_siap_saji", 40), ("family_kit", 15), ("selimut", 60)),
        },
    )
    _submit(
        stock_documents.record_dispatch,
        {
            "warehouse_id": gudang.id,
            "shelter_id": masjid.id,
            "doc_date": (start_day + timedelta(days=1)).isoformat(),
            "event_id": event.id,
            "giver_name": KEPALA_GUDANG,
            "receiver_name": "Ust. Hasan Basri (DKM Al-Ikhlas)",
            "lines": _lines(("matras", 60), ("air_mineral", 40), ("tenda_gulung", 10)),
        },
    )
    _submit(
        stock_counts.record_adjustment,
        {
            "warehouse_id": gudang.id,
            "reason": "rusak",
            "doc_date": (start_day + timedelta(days=1)).isoformat(),
            "note": "Kemasan sobek terkena air saat bongkar muat.",
            "lines": [
                {
                    "lot_id": ledger.lots_in_stock(
                        gudang.id, ledger.get_item("makanan_siap_saji").id
                    )[0].id,
                    "change": -3,
                }
            ],
        },
    )


def _hand_outs(event, shelters, posko, gudang, start_day, today, tagana, operator) -> int:
    """Rations and family kits in every shelter, rations for families at home, baby food for
    toddlers and trauma-healing sessions for children."""
    giver = _Giver(event, gudang, start_day, today, tagana, operator)
    gor = shelters[GOR]
    children = []
    for shelter_id, households in _households(event).items():
        at_home = shelter_id is None
        source = posko if shelter_id == gor.id else gudang
        for n, (household_id, members) in enumerate(households.items()):
            if at_home and n >= 12:
                break
            common = {
                "household_id": household_id,
                "shelter_id": shelter_id,
                "warehouse_id": source.id,
                "receiver_name": members[0].name,
            }
            giver.household(household_id, members, common, at_home)
            if at_home:
                continue
            if n == 0 and shelter_id == gor.id:
                giver.second_ration(household_id, common)
            children += [(p, shelter_id) for p in members if giver.is_child(p)]
    for child, shelter_id in children[:10]:
        giver.psikososial(child, shelter_id)
    return giver.count


class _Giver:
    """Records the demo's hand-outs one by one, each in its own transaction, and counts them."""

    def __init__(self, event, gudang, start_day, today, tagana, operator):
        self.event, self.gudang, self.today = event, gudang, today
        self.tagana, self.operator = tagana, operator
        self.day1 = (start_day + timedelta(days=1)).isoformat()
        self.toddler_born_after = today - timedelta(days=5 * 365)
        self.child_born_after = today - timedelta(days=12 * 365)
        self.count = 0

    def give(self, by, **values) -> None:
        with transaction():
            record_distribution(parse_hand_out({"event_id": self.event.id, **values}), by)
        self.count += 1

    def is_child(self, person) -> bool:
        return bool(person.birth_date and person.birth_date > self.child_born_after)

    def household(self, household_id: int, members: list, common: dict, at_home: bool) -> None:
        """A ration for each family; baby food where there are toddlers; in a shelter, a family
        kit with blankets and a mat for each member."""
        self.give(
            self.tagana,
            component="permakanan",
            phase="saat",
            distributed_on=self.today.isoformat() if at_home else self.day1,
            lines=[{"item_id": "makanan_siap_saji", "quantity": len(members)}],
            client_id=f"demo-pm-{household_id}",
            **common,
        )
        toddlers = [p for p in members if p.birth_date and p.birth_date > self.toddler_born_after]
        if toddlers:
            self.give(
                self.tagana,
                component="kelompok_rentan",
                phase="saat",
                distributed_on=self.today.isoformat(),
                lines=[{"item_id": "makanan_anak", "quantity": 2 * len(toddlers)}],
                client_id=f"demo-kr-{household_id}",
                **(common | {"warehouse_id": self.gudang.id}),
            )
        if at_home:
            return
        self.give(
            self.tagana,
            component="sandang",
            phase="saat",
            distributed_on=self.day1,
            lines=[
                {"item_id": "family_kit", "quantity": 1},
                {"item_id": "selimut", "quantity": len(members)},
            ],
            client_id=f"demo-sd-{household_id}",
            **common,
        )
        self.give(
            self.tagana,
            component="tempat_penampungan",
            phase="saat",
            distributed_on=self.day1,
            lines=[{"item_id": "matras", "quantity": len(members)}],
            client_id=f"demo-tp-{household_id}",
            **(common | {"warehouse_id": self.gudang.id}),
        )

    def second_ration(self, household_id: int, common: dict) -> None:
        """A second ration the same day, let through by the operator with a reason."""
        self.give(
            self.operator,
            component="permakanan",
            phase="saat",
            distributed_on=self.day1,
            lines=[{"item_id": "makanan_siap_saji", "quantity": 2}],
            override_reason="Jatah pertama ikut hanyut saat evakuasi ulang malam hari.",
            client_id=f"demo-pm2-{household_id}",
            **common,
        )

    def psikososial(self, child, shelter_id: int | None) -> None:
        self.give(
            self.tagana,
            component="psikososial",
            phase="saat",
            person_id=child.id,
            shelter_id=shelter_id,
            distributed_on=self.today.isoformat(),
            service_note="Sesi dukungan psikososial anak (bermain dan bercerita) oleh Tagana",
            client_id=f"demo-ps-{child.id}",
        )


def _kitchen(event, masjid, gudang, start_day, today) -> int:
    """The Tagana field kitchen at Masjid Al-Ikhlas: two and a half days of meals."""
    with transaction():
        kitchen = kitchens.create_kitchen(
            event,
            name="Dapur umum lapangan Tagana",
            shelter_id=masjid.id,
            warehouse_id=gudang.id,
            pic_name="Budi Santoso",
        )
    periods = [(0, "siang"), (0, "malam"), (1, "pagi"), (1, "siang"), (1, "malam"), (2, "pagi")]
    counts = [95, 95, 130, 130, 130, 110]
    for (offset, period), head_count in zip(periods, counts, strict=True):
        served = head_count - 4
        with transaction():
            kitchen_meals.record_meal(
                kitchen,
                served_on=(start_day + timedelta(days=offset)).isoformat(),
                period=period,
                head_count=head_count,
                portions_cooked=head_count + 10,
                portions_served=served,
                # 400 g of rice per person a day, so about 135 g a meal; one box of noodles feeds 40.
                ingredients=[
                    {"item_id": "beras", "quantity": round(served * 0.135, 1)},
                    {"item_id": "mi_instan", "quantity": max(1, served // 40)},
                ],
                known="shelter",
                client_id=f"demo-dapur-{offset}-{period}",
            )
    return len(periods)


def _budget(start_day: date, today: date) -> int:
    """This year's Program Penanganan Bencana plan and the payments made so far."""
    budget.seed_structure()
    budget_import.import_plan(
        BUDGET_PLAN.read_bytes(), fiscal_year=today.year, source_name=BUDGET_PLAN.name
    )
    db.session.flush()
    payments = [
        ("1.06.06.2.01.0001", 0.55, "Belanja makanan siap saji dan bahan dapur umum"),
        ("1.06.06.2.01.0002", 0.48, "Belanja paket sandang dewasa dan anak"),
        ("1.06.06.2.01.0003", 0.40, "Sewa tenda dan perlengkapan pengungsian"),
        ("1.06.06.2.01.0005", 0.30, "Honor konselor dukungan psikososial"),
    ]
    paid_on = max(start_day, date(today.year, 1, 1))
    for number, (code, share, note) in enumerate(payments, start=1):
        node = budget.get_node(code)
        line = budget.get_line(node, today.year)
        pagu = budget_math.pagu_in_force(line.pagu_awal, line.pagu_perubahan)
        amount = int(pagu * share) // 1000 * 1000
        budget.record_realisation(
            node,
            today.year,
            paid_on=paid_on.isoformat(),
            amount_value=amount,
            document_number=f"{number:04d}/SP2D-LS/DINSOS/{today.year}",
            note=note,
            today=today,
        )
    return len(payments) + _last_year_budget(today)


def _last_year_budget(today: date) -> int:
    """Last year as its published budget gave it: the pagu awal for the program only, the pagu
    perubahan per changed sub-kegiatan; the tree reports each level from those figures."""
    year = today.year - 1
    budget.set_budget(budget.get_node("1.06.06"), year, pagu_awal=2_600_000_000)
    paid = (
        ("1.06.06.2.01.0001", 1_300_000_000, 1_181_250_000),
        ("1.06.06.2.01.0002", 300_000_000, 262_400_000),
    )
    for number, (code, perubahan, amount) in enumerate(paid, start=1):
        node = budget.get_node(code)
        budget.set_budget(
            node, year, pagu_awal=None, pagu_perubahan=perubahan, funding_source="DAU"
        )
        budget.record_realisation(
            node,
            year,
            paid_on=date(year, 12, 15).isoformat(),
            amount_value=amount,
            document_number=f"{number:04d}/SP2D-LS/DINSOS/{year}",
            note="Realisasi tahun lalu",
            today=today,
        )
    return len(paid)


# Kota Bekasi's plan 2025-2030, second year (DOMAIN.md section 9): persons served per component.
PLAN_TARGETS = {
    "permakanan": 700,
    "sandang": 350,
    "tempat_penampungan": 200,
    "kelompok_rentan": 300,
    "psikososial": 200,
}


PLAN_OUTPUTS = [
    ("tagana", "orang", "sum", (65, 65, 65, 65, 65, 65)),
    ("ksb", "KSB", "sum", (3, 2, 2, 2, 3, 3)),
    ("lumbung_sosial", "kelurahan", "year_end", (0, 6, 8, 10, 12, 12)),
    ("persen_korban_dibantu", "%", "level", (100, 100, 100, 100, 100, 100)),
]


def _targets(year: int) -> None:
    """This year's SPM targets: persons per component, and 100% of victims served."""
    source = "Renstra Dinas Sosial Kota Bekasi 2025-2030"
    for indicator, value in PLAN_TARGETS.items():
        spm_settings.save_target(
            {
                "year": year,
                "indicator": indicator,
                "value": value,
                "unit": "orang",
                "source": source,
            }
        )
    spm_settings.save_target(
        {
            "year": year,
            "indicator": "capaian_spm",
            "value": 100,
            "unit": "%",
            "mode": "level",
            "source": "SK Wali Kota tentang penerapan SPM",
        }
    )
    # Preparedness outputs of the same plan, one value per plan year 2025-2030.
    column = min(max(year - 2025, 0), 5)
    for indicator, unit, mode, values in PLAN_OUTPUTS:
        spm_settings.save_target(
            {
                "year": year,
                "indicator": indicator,
                "value": values[column],
                "unit": unit,
                "mode": mode,
                "source": source,
            }
        )
