"""The link from sub-kegiatan to SPM component: made whatever the order, visible and changeable."""

from logistics.budget import services as budget
from logistics.budget import tree_cache
from logistics.budget.imports import import_plan
from tests.support.budget import GOOD_ROWS, PERMAKANAN, SANDANG, YEAR, xlsx


def _links(db):
    return {node.code: node.spm_component for node in budget.list_nodes() if node.spm_component}


def test_a_plan_imported_before_the_tree_is_seeded_is_linked(db):
    report = import_plan(xlsx(GOOD_ROWS), fiscal_year=YEAR, source_name="rencana.xlsx")
    assert report.applied, report.errors
    assert _links(db) == {PERMAKANAN: "permakanan", SANDANG: "sandang"}
    budget.seed_structure()
    db.session.commit()
    links = _links(db)
    assert links[PERMAKANAN] == "permakanan" and links["1.06.06.2.01.0005"] == "psikososial"
    assert tree_cache.default_sub_kegiatan("permakanan") == budget.get_node(PERMAKANAN).id


def test_a_node_made_by_hand_before_seeding_is_linked_by_the_seed(db):
    budget.save_node("1.06.06", "Program Penanganan Bencana", "")
    budget.save_node("1.06.06.2.01", "Perlindungan Sosial Korban Bencana", "")
    budget.save_node(PERMAKANAN, "Penyediaan Makanan", "")  # explicitly without a link
    assert _links(db) == {}
    budget.seed_structure()
    assert _links(db)[PERMAKANAN] == "permakanan"


def test_an_operator_sees_and_moves_the_link(db, as_role):
    budget.seed_structure()
    budget.save_node("1.06.06.2.01.0099", "Permakanan Tambahan")
    db.session.commit()
    client = as_role("operator")
    page = client.get("/anggaran/").get_data(as_text=True)
    assert "SPM Penyediaan makanan" in page and "ubah kaitan SPM" in page
    form = client.get("/anggaran/kode/baru?kode=1.06.06.2.01.0099").get_data(as_text=True)
    assert "Permakanan Tambahan" in form
    response = client.post(
        "/anggaran/kode/baru",
        data={
            "code": "1.06.06.2.01.0099",
            "name": "Permakanan Tambahan",
            "spm_component": "permakanan",
        },
    )
    assert response.status_code == 302
    links = _links(db)
    assert links["1.06.06.2.01.0099"] == "permakanan" and PERMAKANAN not in links
    assert tree_cache.default_sub_kegiatan("permakanan") == budget.get_node("1.06.06.2.01.0099").id
