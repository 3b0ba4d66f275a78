"""The demo office that `make run` seeds: a working Kota Bekasi office during a flood."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from logistics.models import Area, Event, Shelter, ShelterCount, User, Victim
from logistics.services.demo import seed_demo
from logistics.services.events import impact_matrix


def test_demo_seeds_a_flood_once(db, client, make_user, login):
    first = seed_demo()
    db.session.commit()
    assert first["areas"] == 56 and first["users"] == 4 and first["events"] == 1
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
    matrix = impact_matrix(event)
    # Both sources are there, so the event page shows the difference.
    summary = matrix.summary
    assert summary.jiwa("kaji_cepat") > 0 and summary.jiwa("terdata") == victims + 24
    assert db.session.scalar(select(func.count(User.id))) == 4
    assert db.session.scalar(select(func.count(Area.id)).where(Area.level == "kelurahan")) == 56

    login(make_user("pimpinan"))
    page = client.get(f"/kejadian/{event.id}")
    assert page.status_code == 200 and "Banjir luapan Kali Bekasi" in page.get_data(as_text=True)
