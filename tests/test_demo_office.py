"""The demo office that `make run` seeds: a working Kota Bekasi office during a flood."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from flask import current_app
from sqlalchemy import func, select

from logistics.admin.models import User
from logistics.areas.models import Area
from logistics.demo.seed import seed_demo
from logistics.events.impact import impact_matrix
from logistics.events.models import Event
from logistics.shelters.models import Shelter, ShelterCount
from logistics.stock.models import Warehouse
from logistics.tagana.models import Deployment, KampungSiagaBencana, TaganaMember, TaskReport
from logistics.victims.figures import registry_figures
from logistics.victims.models import Victim


def test_demo_seeds_a_flood_once(db, client, make_user, login):
    first = seed_demo()
    db.session.commit()
    # The letterhead is in force at once, though this process read the (empty) profile just now.
    assert {s["role"] for s in current_app.config["OFFICE_SIGNATORIES"]} >= {"kepala_dinas"}
    assert first["areas"] == 56 and first["users"] == 5 and first["events"] == 1
    again = seed_demo()
    db.session.commit()
    assert again == {"areas": 0, "users": 0, "events": 0}

    event = db.session.scalar(select(Event))
    today_in_bekasi = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    assert event.code.startswith("BJR-3275-")
    assert event.phase_on(today_in_bekasi) == "tanggap_darurat"
    assert len(event.areas) == 8
    assert db.session.scalar(select(func.count(Shelter.id))) == 6
    assert db.session.scalar(select(func.count(ShelterCount.id))) == 18
    victims = db.session.scalar(select(func.count(Victim.id)))
    assert victims == first["victims"] and victims > 100
    matrix = impact_matrix(event, terdata=registry_figures(event))
    # Both sources are there, so the event page shows the difference.
    summary = matrix.summary
    assert summary.jiwa("kaji_cepat") > 0 and summary.jiwa("terdata") == victims + 24
    assert db.session.scalar(select(func.count(User.id))) == 5
    # Tagana: the demo field account is a member with work to do; two shelters are gaps.
    member = db.session.scalar(select(TaganaMember).where(TaganaMember.user_id.is_not(None)))
    assert db.session.get(User, member.user_id).username == "tagana"
    assert db.session.scalar(select(func.count(Deployment.id))) == first["tagana_deployments"]
    assert db.session.scalar(select(func.count(TaskReport.id))) == 2
    ksb = db.session.scalar(
        select(KampungSiagaBencana).where(KampungSiagaBencana.name.like("%Jatirasa%"))
    )
    assert db.session.get(Warehouse, ksb.warehouse_id).tier == "lumbung_sosial"
    assert (
        db.session.scalar(
            select(func.count(Deployment.id)).where(Deployment.warehouse_id.is_not(None))
        )
        == 1
    )
    assert db.session.scalar(select(func.count(Area.id)).where(Area.level == "kelurahan")) == 56

    login(make_user("pimpinan"))
    page = client.get(f"/kejadian/{event.id}")
    assert page.status_code == 200 and "Banjir luapan Kali Bekasi" in page.get_data(as_text=True)


def test_demo_roster_board_shows_who_is_where_and_the_gaps(db, client, make_user, login):
    seed_demo()
    db.session.commit()
    event = db.session.scalar(select(Event))
    login(make_user("pimpinan"))
    page = client.get(f"/kejadian/{event.id}").get_data(as_text=True)
    assert f"/tagana/kejadian/{event.id}/papan" in page  # the event page leads to its roster
    board = client.get(f"/tagana/kejadian/{event.id}/papan").get_data(as_text=True)
    assert "Budi Santoso" in board and "GOR Patriot Candrabhaga" in board
    gaps = board.split('<section id="kosong">', 1)[1].split("</section>", 1)[0]
    assert "Balai Warga RW 07 Jatiasih" in gaps and "Aula Kantor Kelurahan Margahayu" in gaps
    assert "Masjid Al-Ikhlas Pondok Gede Permai" not in gaps  # Siti is on duty there


def test_demo_logistics_balance_and_show_on_the_pages(db, client, make_user, login):
    from logistics.budget.models import BudgetRealisation
    from logistics.distributions.models import Distribution, DistributionRecipient
    from logistics.kitchens.models import KitchenMeal
    from logistics.spm.models import SpmTarget
    from logistics.stock.models import StockDocument, StockLot, StockMovement

    done = seed_demo()
    db.session.commit()
    assert done["distributions"] > 40 and done["kitchen_meals"] == 6
    # Every lot's balance is the sum of its movements, and none is negative.
    movements = dict(
        db.session.execute(
            select(StockMovement.lot_id, func.sum(StockMovement.quantity)).group_by(
                StockMovement.lot_id
            )
        ).all()
    )
    lots = db.session.scalars(select(StockLot)).all()
    assert lots and all(lot.quantity == movements.get(lot.id, 0) >= 0 for lot in lots)
    kinds = set(db.session.scalars(select(StockDocument.kind)))
    assert {"receipt", "transfer", "dispatch", "adjustment", "kitchen", "distribution"} <= kinds
    in_transit = db.session.scalar(
        select(StockDocument).where(StockDocument.status == "in_transit")
    )
    assert in_transit is not None and in_transit.to_warehouse.code == "LBS-3275-09-01"
    overridden = db.session.scalar(
        select(func.count(Distribution.id)).where(Distribution.override_reason.is_not(None))
    )
    assert overridden == 1
    assert db.session.scalar(select(func.count(DistributionRecipient.id))) > 100
    assert db.session.scalar(select(func.count(KitchenMeal.id))) == 6
    assert db.session.scalar(select(func.count(BudgetRealisation.id))) == done["budget_payments"]
    # Every sheltered family got a mat (tempat penampungan), and this year's targets are set.
    sheltered = db.session.scalar(
        select(func.count(Distribution.id)).where(Distribution.component == "tempat_penampungan")
    )
    assert sheltered >= 15
    # Six SPM targets and four preparedness outputs (Tagana, KSB, lumbung sosial, % dibantu).
    assert db.session.scalar(select(func.count(SpmTarget.id))) == 10

    login(make_user("pimpinan"))
    gudang = db.session.scalar(select(Warehouse).where(Warehouse.code == "GDG-3275-01"))
    stock = client.get(f"/logistik/gudang/{gudang.id}/stok")
    assert stock.status_code == 200 and "Makanan siap saji" in stock.get_data(as_text=True)
    listing = client.get("/penyaluran/")
    assert listing.status_code == 200 and "permakanan" in listing.get_data(as_text=True).lower()
    batch = db.session.scalar(select(StockDocument).where(StockDocument.kind == "distribution"))
    pdf = client.get(f"/logistik/dokumen/{batch.id}/bast.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    # Last year's budget as published: the pagu awal for the program only, the tree page shows
    # each level from it, with capaian kinerja and efisiensi per level.
    last_year = datetime.now(ZoneInfo("Asia/Jakarta")).year - 1
    tree = client.get(f"/anggaran/?tahun={last_year}").get_data(as_text=True)
    assert "Rp 2.600.000.000" in tree and "Rp 1.443.650.000" in tree  # 1.181,25 + 262,4 million
    assert "Capaian kinerja" in tree and "Indikator: Persentase korban bencana" in tree


def test_demo_areas_are_the_real_kelurahan_outlines(db, boundaries_dir):
    import geopandas as gpd

    seed_demo()
    db.session.commit()
    real = gpd.read_file(boundaries_dir / "kota_bekasi.geojson").set_index("kode")
    areas = db.session.scalars(select(Area).where(Area.level == "kelurahan")).all()
    assert {a.code for a in areas} == set(real.index)
    sample = next(a for a in areas if a.code == "32.75.01.1001")
    # The stored outline is the file's (within rounding), not a Voronoi cell around a point.
    assert abs(sample.area_km2 - real.loc["32.75.01.1001"].geometry.area * 12_300) < 0.2 * (
        real.loc["32.75.01.1001"].geometry.area * 12_300
    )


def test_no_demo_in_production(app, db):
    from logistics.demo.seed import DemoRefused

    app.config["ENV_NAME"] = "production"
    with pytest.raises(DemoRefused, match="produksi"):
        seed_demo()
    assert db.session.scalar(select(func.count(User.id))) == 0
    assert db.session.scalar(select(func.count(Area.id)).where(Area.level == "kelurahan")) == 0


def test_no_demo_once_the_office_has_its_own_data(db, make_user, boundaries_dir):
    from logistics.areas.services import load_boundary_file
    from logistics.demo.seed import DemoRefused

    make_user("admin", username="kadis")
    with pytest.raises(DemoRefused, match="kadis"):
        seed_demo()
    db.session.rollback()
    assert db.session.scalar(select(func.count(Event.id))) == 0

    db.session.execute(User.__table__.delete())
    load_boundary_file(boundaries_dir / "kota_binjai.geojson", office_code="12.75")
    db.session.commit()
    with pytest.raises(DemoRefused, match="di luar Kota Bekasi"):
        seed_demo()


def test_remove_demo_leaves_the_reference_lists_and_nothing_else(db):
    from logistics.demo.seed import remove_demo
    from logistics.events.models import HazardType
    from logistics.stock.models import Item, StockMovement

    seed_demo()
    db.session.commit()
    hazards = db.session.scalar(select(func.count(HazardType.id)))
    items = db.session.scalar(select(func.count(Item.id)))
    removed = remove_demo()
    db.session.commit()
    assert removed["users"] == 5 and removed["events"] == 1 and removed["stock_movements"] > 0
    for model in (User, Area, Event, Shelter, Victim, StockMovement, TaganaMember, Warehouse):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0, model
    assert db.session.scalar(select(func.count(HazardType.id))) == hazards > 0
    assert db.session.scalar(select(func.count(Item.id))) == items > 0
    # The instance is empty again: an office can load its own map and start.
    assert seed_demo()["users"] == 5


def test_remove_demo_refuses_when_the_office_has_data(db, make_user):
    from logistics.demo.seed import DemoRefused, remove_demo

    seed_demo()
    db.session.commit()
    make_user("operator", username="siti.linjamsos")
    with pytest.raises(DemoRefused, match="siti.linjamsos"):
        remove_demo()
    db.session.rollback()
    assert db.session.scalar(select(func.count(Event.id))) == 1


def test_demo_commands(app, db, make_user):
    runner = app.test_cli_runner()
    seeded = runner.invoke(args=["demo", "seed"])
    assert seeded.exit_code == 0, seeded.output
    assert db.session.scalar(select(func.count(Event.id))) == 1
    removed = runner.invoke(args=["demo", "remove", "--yes"])
    assert removed.exit_code == 0 and "demo removed" in removed.output
    assert db.session.scalar(select(func.count(User.id))) == 0

    make_user("admin", username="kadis")
    refused = runner.invoke(args=["demo", "seed"])
    assert refused.exit_code != 0 and "sudah berisi data kantor" in refused.output
    assert db.session.scalar(select(func.count(Event.id))) == 0


def test_the_demo_shows_a_scoped_operator(db, client_for):
    """operator.jatiasih sees Jatiasih's victims only: the API list holds no other kecamatan."""
    seed_demo()
    db.session.commit()
    user = db.session.scalar(select(User).where(User.username == "operator.jatiasih"))
    assert (user.record_areas, user.see_areas) == ("32.75.09", "32.75.09")
    user.set_password("rahasia-123")
    db.session.commit()
    body = client_for(user).get("/api/v1/victims?per_page=500").get_json()
    codes = {item["kelurahan_code"] for item in body["items"]}
    everyone = db.session.scalar(select(func.count(Victim.id)))
    assert codes and all(code.startswith("32.75.09.") for code in codes)
    assert 0 < body["count"] < everyone
