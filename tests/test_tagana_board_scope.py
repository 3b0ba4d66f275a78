"""The Tagana roster board of a province-wide event: per kab/kota for the provinsi office, one
kab/kota's places, gaps and suggested members for its own operator."""

import csv
import io
from datetime import datetime

from logistics.events.services import create_event
from logistics.tagana import duty
from tests.support.province import DESA_A, DESA_B
from tests.support.tagana import OFFICE, deploy, make_member, make_shelter, wib

NOW = datetime(2026, 11, 21, 3, 0)  # 10.00 WIB


def _province_event(app, db, province):
    """One flood over both kab/kota: a shelter in each, a member on duty in A's, B's empty."""
    app.config["OFFICE_LEVEL"] = "provinsi"
    event = create_event(
        hazard_type_id=province["hazard"],
        title="Banjir se-Provinsi",
        started_at=datetime(2026, 11, 20, 1, 0),
        kelurahan_codes=[DESA_A, DESA_B],
    )
    db.session.commit()
    in_a = make_shelter(event, "SD Manna", DESA_A, located=False)
    make_shelter(event, "SD Curup", DESA_B, located=False)
    on_duty = make_member("1701-001", "Andi Manna", home_kelurahan_code=DESA_A)
    make_member("1701-002", "Agus Manna", home_kelurahan_code=DESA_A)
    make_member("1702-001", "Budi Curup", home_kelurahan_code=DESA_B)
    arrived = deploy(on_duty, event, in_a, wib(2026, 11, 21, 7, 0))
    duty.check_in(arrived, OFFICE, now=wib(2026, 11, 21, 7, 5))
    db.session.commit()
    return event


def test_the_province_reads_the_board_per_kab_kota(app, db, province, client_for):
    from logistics.tagana.board import roster_board

    event = _province_event(app, db, province)
    board = roster_board(event.id, now=NOW)
    lines = {line.code: line for line in board.kab_kota_lines}
    assert set(lines) == {"17.01", "17.02"}
    assert (lines["17.01"].on_duty, lines["17.01"].gaps) == (1, 0)
    assert (lines["17.02"].on_duty, lines["17.02"].gaps) == (0, 1)
    assert lines["17.02"].name == "Rejang Lebong"

    viewer = client_for(province["viewer"])
    page = viewer.get(f"/tagana/kejadian/{event.id}/papan").get_data(as_text=True)
    assert "Per kabupaten/kota" in page and "Bengkulu Selatan" in page
    assert "SD Manna" in page and "SD Curup" in page
    only_b = viewer.get(f"/tagana/kejadian/{event.id}/papan?kab_kota=17.02").get_data(as_text=True)
    assert "SD Curup" in only_b and "SD Manna" not in only_b and "Andi Manna" not in only_b
    exported = viewer.get(f"/tagana/kejadian/{event.id}/papan?format=csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    assert rows[0][0] == "Kabupaten/kota"
    assert [row[0] for row in rows[1:]] == ["Bengkulu Selatan"]


def test_a_kab_kota_operator_sees_their_own_part_of_the_board(app, db, province, client_for):
    from logistics.tagana.board import roster_board

    event = _province_event(app, db, province)
    scope = province["op_b"].scope
    board = roster_board(event.id, now=NOW, scope=scope)
    assert [p.label.split(": ")[-1] for p in board.places] == ["SD Curup"]
    assert board.entries == []
    # The gap's suggestions are their own kab/kota's members, never the other's.
    (gap,) = board.gaps
    assert [s.member.name for s in gap.suggestions] == ["Budi Curup"]
    whole = roster_board(event.id, now=NOW)
    curup = next(p for p in whole.gaps if "SD Curup" in p.label)
    assert {s.member.name for s in curup.suggestions} == {"Agus Manna", "Budi Curup"}

    client = client_for(province["op_b"])
    page = client.get(f"/tagana/kejadian/{event.id}/papan").get_data(as_text=True)
    assert "SD Curup" in page and "SD Manna" not in page and "Andi Manna" not in page
    # Asking for the other kab/kota gives their own board, not the other's.
    other = client.get(f"/tagana/kejadian/{event.id}/papan?kab_kota=17.01").get_data(as_text=True)
    assert "SD Manna" not in other and "SD Curup" in other
    roster = client.get(f"/api/v1/tagana/events/{event.id}/roster").get_json()
    assert [p["kab_kota_code"] for p in roster["places"]] == ["17.02"]
