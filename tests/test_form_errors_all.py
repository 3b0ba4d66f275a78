"""Every error of a submit at once: the form's own validators and the services' checks together,
each beside its field and in the summary, the entered values kept, nothing written; the API
returns the same refusals as one list."""

import html as markup
import re

import pytest
from sqlalchemy import func, select

from tests.support.budget import PERMAKANAN
from tests.support.shelters import shelter_factory

YEAR = 2026
KEL = "32.75.01.1001"
NIK_MAN = "3275011708850009"

pytestmark = pytest.mark.usefixtures("bekasi_office")


def _summary(html: str) -> str:
    match = re.search(r'<div class="form-summary"[^>]*role="alert".*?</div>', html, re.S)
    assert match, "no error summary at the top of the form"
    return markup.unescape(match.group(0))


def assert_refused(html: str, expected: dict[str, str]) -> None:
    """Each field's message beside it (named by the input) and linked from the summary."""
    summary = _summary(html)
    for field_id, message in expected.items():
        error = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', html)
        assert error, f"no error beside {field_id}"
        assert message in markup.unescape(error.group(1)), field_id
        assert f'href="#{field_id}"' in summary, field_id
        assert message in summary, field_id
        assert re.search(rf'id="{field_id}"[^>]*aria-invalid="true"', html) or re.search(
            rf'aria-invalid="true"[^>]*id="{field_id}"', html
        ), field_id


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def office(as_role):
    return as_role("operator")


@pytest.fixture
def tree(db):
    from logistics.budget import services as budget

    budget.seed_structure()
    budget.set_budget(PERMAKANAN, YEAR, pagu_awal=100_000_000, plan=[25_000_000] * 4)
    db.session.commit()
    return budget


# --- budget ----------------------------------------------------------------------------------


def test_budget_code_form_shows_every_refusal(db, office):
    from logistics.budget.models import BudgetNode

    response = office.post(
        "/anggaran/kode/baru",
        data={"code": "1.06.x", "name": "", "spm_component": "obat", "indicator": "apa"},
    )
    assert response.status_code == 422
    assert_refused(
        response.text,
        {
            "code": "Kode anggaran '1.06.x' tidak dikenali",
            "name": "Nama wajib diisi.",
            "spm_component": "Komponen SPM 'obat' tidak dikenal.",
            "indicator": "Indikator 'apa' tidak dikenal.",
        },
    )
    assert 'value="1.06.x"' in response.text
    assert count(db, BudgetNode) == 0


def test_pagu_form_shows_value_and_plan_refusals_together(db, tree, office):
    from logistics.budget.models import BudgetLine

    form = {
        "code": PERMAKANAN,
        "fiscal_year": "20",
        "pagu_awal": "banyak",
        "pagu_perubahan": "-5",
        "plan_q1": "x",
        "plan_q2": "",
        "plan_q3": "",
        "plan_q4": "",
        "funding_source": "arisan",
    }
    response = office.post("/anggaran/pagu", data=form)
    assert response.status_code == 422
    assert_refused(
        response.text,
        {
            "fiscal_year": "Tahun anggaran 20 tidak wajar",
            "pagu_awal": "Pagu awal harus berupa angka rupiah",
            "pagu_perubahan": "Pagu perubahan tidak boleh negatif",
            "plan_q1": "Rencana triwulan I harus berupa angka rupiah",
            "funding_source": "Sumber dana 'arisan' tidak dikenal",
        },
    )
    assert 'value="banyak"' in response.text and 'value="x"' in response.text
    # A plan over the pagu is refused in the same submit as a value refused on its own.
    over = {**form, "fiscal_year": str(YEAR), "pagu_awal": "100.000.000", "pagu_perubahan": ""}
    response = office.post("/anggaran/pagu", data=over | {"plan_q1": "200.000.000"})
    assert response.status_code == 422
    assert_refused(
        response.text,
        {
            "plan_q1": "melebihi pagu awal Rp 100.000.000",
            "funding_source": "Sumber dana 'arisan' tidak dikenal",
        },
    )
    line = db.session.scalar(select(BudgetLine))
    db.session.refresh(line)
    assert (line.pagu_awal, line.plan_q1, line.funding_source) == (100_000_000, 25_000_000, None)


def test_realisation_form_shows_every_refusal_beside_its_field(db, tree, office):
    from logistics.budget.models import BudgetRealisation

    response = office.post(
        "/anggaran/realisasi",
        data={
            "code": PERMAKANAN,
            "fiscal_year": str(YEAR),
            "paid_on": "2025-12-31",
            "amount_value": "0",
            "document_number": "SP2D-1",
            "funding_source": "arisan",
        },
    )
    assert response.status_code == 422
    assert_refused(
        response.text,
        {
            "paid_on": "di luar tahun anggaran 2026",
            # The service names the amount "amount"; the form's field shows it all the same.
            "amount_value": "Jumlah realisasi harus lebih dari nol.",
            "funding_source": "Sumber dana 'arisan' tidak dikenal",
        },
    )
    assert 'value="SP2D-1"' in response.text and 'value="2025-12-31"' in response.text
    assert count(db, BudgetRealisation) == 0


def test_budget_api_returns_every_refusal_in_one_list(db, tree, office):
    from logistics.budget.models import BudgetRealisation

    response = office.post(
        "/api/v1/budget/realisations",
        json={
            "code": "9.99.99",
            "fiscal_year": 1999,
            "paid_on": "31-02-2026",
            "amount": 5,
            "funding_source": "arisan",
        },
    )
    assert response.status_code == 422
    fields = {error["field"]: error["message"] for error in response.get_json()["errors"]}
    assert set(fields) == {"code", "fiscal_year", "paid_on", "funding_source"}
    assert "belum ada dalam pohon anggaran" in fields["code"]
    # What the API document itself refuses is listed whole as well.
    pagu = office.post(
        "/api/v1/budget/pagu",
        json={"code": PERMAKANAN, "fiscal_year": YEAR, "pagu_awal": "x", "plan": [1, "y", 0, 0]},
    )
    assert pagu.status_code == 422
    assert [e["field"] for e in pagu.get_json()["errors"]] == ["pagu_awal", "plan[1]"]
    assert count(db, BudgetRealisation) == 0


# --- victim registration ---------------------------------------------------------------------


def test_household_step_shows_validator_and_service_errors_together(db, make_event, office):
    from logistics.victims.models import Household

    make_event()
    response = office.post(
        "/korban/daftar",
        data={
            "event_id": "",
            "kelurahan_code": KEL,
            "no_kk": "32750101",
            "head_name": "Budi",
            "rt": "tiga",
            "rw": "12345",
            "status": "mengungsi",
        },
    )
    assert response.status_code == 422
    assert_refused(
        response.text,
        {
            "event_id": "Wajib diisi.",
            "no_kk": "Nomor KK harus 16 digit",
            "rt": "RT ditulis dengan angka",
            "rw": "Isian paling banyak 4 karakter.",
        },
    )
    assert 'value="32750101"' in response.text and 'value="Budi"' in response.text
    assert count(db, Household) == 0


def _draft_member_url(office, event) -> str:
    response = office.post(
        "/korban/daftar",
        data={"event_id": str(event.id), "kelurahan_code": KEL, "no_kk": "", "head_name": "Siti",
              "status": "mengungsi"},
    )  # fmt: skip
    assert response.status_code == 302
    return response.headers["Location"]


def test_member_step_shows_every_refusal_and_writes_no_household(db, make_event, office):
    from logistics.victims.models import Household, Person, Victim

    member_url = _draft_member_url(office, make_event())
    response = office.post(
        member_url,
        data={
            "name": "",
            "nik": "3275",
            "sex": "L",
            "birth_date": "2999-01-01",
            "relation": "istri",
            "pregnant": "y",
            "status": "mengungsi",
            "client_id": "web-1",
        },
    )
    assert response.status_code == 422
    assert_refused(
        response.text,
        {
            "name": "Wajib diisi.",
            "nik": "NIK harus 16 digit",
            "birth_date": "Tanggal lahir tidak boleh di masa depan.",
            "pregnant": "Hamil atau menyusui hanya dapat ditandai untuk perempuan.",
        },
    )
    assert 'value="3275"' in response.text and 'value="2999-01-01"' in response.text
    assert (count(db, Household), count(db, Person), count(db, Victim)) == (0, 0, 0)
    # The draft is still there: the corrected screen registers the household and its member.
    fixed = {"name": "Siti Aminah", "nik": "", "no_nik_reason": "dokumen_hilang",
             "sex": "P", "relation": "kepala_keluarga", "status": "mengungsi", "client_id": "web-2"}  # fmt: skip
    assert office.post(member_url, data=fixed).status_code == 302
    assert (count(db, Household), count(db, Victim)) == (1, 1)


def test_member_of_a_household_shows_nik_and_sex_refusals_together(db, make_event, office):
    from logistics.victims.models import Victim
    from logistics.victims.services import register_household

    event = make_event()
    household, _ = register_household(no_kk="", head_name="Budi", kelurahan_code=KEL)
    db.session.commit()
    url = f"/korban/kk/{household.id}/anggota?kejadian={event.id}"
    response = office.post(
        url,
        data={"name": "Budi", "nik": NIK_MAN, "sex": "P", "birth_date": "1990-01-01",
              "relation": "kepala_keluarga", "status": "entah", "client_id": "web-3"},
    )  # fmt: skip
    assert response.status_code == 422
    assert_refused(
        response.text,
        {
            "sex": "Jenis kelamin (P) tidak cocok dengan NIK",
            "birth_date": "Tanggal lahir (01-01-1990) tidak cocok dengan NIK (17-08-1985)",
            "status": "Pilihan tidak valid; pilih salah satu dari daftar.",
        },
    )
    assert count(db, Victim) == 0


def test_victims_api_returns_person_and_household_refusals_in_one_list(db, make_event, office):
    from logistics.victims.models import Household, Person

    event = make_event()
    response = office.post(
        "/api/v1/victims",
        json={
            "event_id": event.id,
            "status": "mengungsi",
            "kelurahan_code": "32.75.01.9999",
            "person": {"name": "", "nik": "123"},
            "household": {"no_kk": "1", "rt": "x"},
        },
    )
    assert response.status_code == 422
    fields = [error["field"] for error in response.get_json()["errors"]]
    assert fields == ["name", "nik", "kelurahan_code", "no_kk", "rt"]
    assert (count(db, Household), count(db, Person)) == (0, 0)


# --- other forms -----------------------------------------------------------------------------


def test_institution_form_shows_validator_and_service_errors(db, make_event, office):
    from logistics.victims.models import InstitutionVictim

    event = make_event()
    other = make_event(title="Longsor Bantargebang")
    shelter = shelter_factory(db)(event_id=other.id)
    response = office.post(
        "/korban/lembaga/baru",
        data={
            "event_id": str(event.id),
            "name": "",
            "kind": "panti_asuhan",
            "kelurahan_code": KEL,
            "headcount": "banyak",
            "status": "menderita",
            "shelter_id": str(shelter.id),
            "client_id": "web-i1",
        },
    )
    assert response.status_code == 422
    assert_refused(
        response.text,
        {
            "name": "Wajib diisi.",
            "headcount": "Harus bilangan bulat, tanpa titik atau koma.",
            "shelter_id": "milik kejadian lain",
        },
    )
    assert 'value="banyak"' in response.text
    assert count(db, InstitutionVictim) == 0


def test_person_edit_form_shows_validator_and_service_errors(db, make_event, office):
    from logistics.victims.models import Person
    from logistics.victims.persons import PersonInput
    from logistics.victims.services import register_person

    person, _ = register_person(PersonInput(name="Budi Santoso", nik=NIK_MAN))
    db.session.commit()
    response = office.post(
        f"/korban/orang/{person.id}/ubah",
        data={"name": "", "nik": "", "sex": "P", "birth_date": "1990-01-01",
              "relation": "lainnya", "pregnant": "y"},
    )  # fmt: skip
    assert response.status_code == 422
    assert_refused(
        response.text,
        {
            "name": "Wajib diisi.",
            "sex": "Jenis kelamin (P) tidak cocok dengan NIK",
            "birth_date": "tidak cocok dengan NIK",
        },
    )
    db.session.refresh(person)
    assert (person.name, person.sex) == ("Budi Santoso", "L")
    assert count(db, Person) == 1


def test_victim_status_form_shows_its_errors_on_the_person_page(db, make_event, office):
    from logistics.victims.models import Victim
    from logistics.victims.persons import PersonInput
    from logistics.victims.services import register_victim

    event = make_event()
    other = make_event(title="Longsor Bantargebang")
    shelter = shelter_factory(db)(event_id=other.id)
    victim, _ = register_victim(
        event, PersonInput(name="Budi", nik=NIK_MAN), status="mengungsi", kelurahan_code=KEL
    )
    db.session.commit()
    prefix = f"v{victim.id}"
    response = office.post(
        f"/korban/data/{victim.id}/status",
        data={f"{prefix}-status": "meninggal", f"{prefix}-kelurahan_code": KEL,
              f"{prefix}-shelter_id": str(shelter.id), f"{prefix}-note": "x" * 2001},
    )  # fmt: skip
    assert response.status_code == 422
    assert_refused(
        response.text,
        {
            f"{prefix}-note": "Isian paling banyak 2000 karakter.",
            f"{prefix}-shelter_id": "milik kejadian lain",
        },
    )
    assert "<details open>" in response.text
    db.session.refresh(victim)
    assert (victim.status, victim.shelter_id) == ("mengungsi", None)
    assert count(db, Victim) == 1


def test_event_form_shows_validator_and_service_errors(db, office):
    from logistics.events.models import Event, HazardType

    hazard = db.session.scalar(select(HazardType.id).where(HazardType.code == "BJR"))
    response = office.post(
        "/kejadian/baru",
        data={
            "hazard_type_id": str(hazard),
            "title": "",
            "started_at": "2026-11-20T01:30",
            "ended_at": "2026-11-19T01:30",
            "lat": "utara",
            "lng": "107",
            "kelurahan_text": "32.75.01.9999",
        },
    )
    assert response.status_code == 422
    assert_refused(
        response.text,
        {
            "title": "Wajib diisi.",
            "ended_at": "Waktu selesai tidak boleh sebelum waktu mulai.",
            "lat": "Lintang harus berupa angka, bukan 'utara'.",
        },
    )
    assert "32.75.01.9999" in _summary(response.text)
    assert 'value="utara"' in response.text
    assert count(db, Event) == 0


def test_training_form_shows_every_refusal_on_the_member_page(db, office, bekasi):
    from logistics.tagana.models import Training
    from tests.support.tagana import make_member

    member = make_member("3275-001", "Budi Santoso")
    response = office.post(
        f"/tagana/anggota/{member.id}/pelatihan",
        data={"name": "", "organizer": "Kemensos", "started_on": "2026-11-10",
              "ended_on": "2026-11-01", "certificate_number": "C" * 121},
    )  # fmt: skip
    assert response.status_code == 422
    assert_refused(
        response.text,
        {
            "name": "Nama pelatihan wajib diisi.",
            "ended_on": "Tanggal selesai pelatihan tidak boleh sebelum tanggal mulai.",
            "certificate_number": "Nomor sertifikat paling panjang 120 karakter.",
        },
    )
    assert '<details class="card add-training" open>' in response.text
    assert 'value="Kemensos"' in response.text
    assert count(db, Training) == 0


def test_receipt_shows_a_bad_date_with_the_line_refusals(db, office, bekasi):
    from logistics.stock.models import StockDocument
    from logistics.stock.warehouses import create_warehouse
    from tests.support.areas import BEKASIJAYA
    from tests.support.ledger import item_id

    store = create_warehouse(name="Gudang Dinsos", tier="kab_kota", kelurahan_code=BEKASIJAYA)
    db.session.commit()
    response = office.post(
        "/logistik/penerimaan/baru",
        data={"warehouse_id": str(store.id), "source": "apbd", "doc_date": "kemarin",
              "item_id": [str(item_id("selimut"))], "lot_code": [""], "expiry_date": [""],
              "quantity": ["dua"]},
    )  # fmt: skip
    assert response.status_code == 422
    html = response.text
    assert_refused(html, {"doc_date": "Tanggal tidak valid."})
    # The date's own refusal does not hide what the ledger says about the lines.
    assert 'href="#line-0-quantity"' in _summary(html)
    assert "Jumlah Selimut harus berupa angka, bukan 'dua'." in _summary(html)
    assert 'value="kemarin"' in html
    assert count(db, StockDocument) == 0
