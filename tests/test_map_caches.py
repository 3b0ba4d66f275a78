"""The event maps' kept impact matrix: reused while nothing changes, recomputed after a write."""

from datetime import date

from sqlalchemy import select

from logistics.events import impact as impact_service
from logistics.victims.figures import event_matrix
from logistics.victims.persons import PersonInput
from logistics.victims.services import register_victim

DESA = "32.75.09.1004"
OTHER_DESA = "32.75.01.1001"


def _victim(event, name: str) -> None:
    register_victim(
        event,
        PersonInput(name=name, no_nik_reason="lainnya", sex="P", birth_date=date(1990, 1, 1)),
        status="mengungsi",
        kelurahan_code=DESA,
    )


def test_the_matrix_is_kept_until_a_write_and_the_public_map_follows(client, db, make_event):
    event = make_event(kelurahan_codes=[DESA])
    impact_service.set_impact(event, DESA, {"menderita.dewasa.L": 0})
    _victim(event, "Warga Satu")
    db.session.commit()
    first = event_matrix(event)
    assert event_matrix(event) is first  # nothing written: the same matrix, not recounted
    assert '"jiwa":1' in client.get(f"/kejadian/{event.id}/peta-publik").get_data(as_text=True)
    _victim(event, "Warga Dua")
    db.session.commit()
    assert event_matrix(event) is not first
    page = client.get(f"/kejadian/{event.id}/peta-publik").get_data(as_text=True)
    assert '"jiwa":2' in page and '"jiwa":1' not in page


def test_the_pimpinan_home_follows_new_figures(client, db, make_user, login, make_event):
    event = make_event(kelurahan_codes=[DESA])
    impact_service.set_impact(event, DESA, {"menderita.dewasa.L": 42})
    db.session.commit()
    login(make_user("pimpinan"))
    assert '"jiwa":42' in client.get("/").get_data(as_text=True)
    assert '"jiwa":42' in client.get("/").get_data(as_text=True)
    impact_service.set_impact(event, DESA, {"menderita.dewasa.L": 77})
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert '"jiwa":77' in page and '"jiwa":42' not in page


def test_a_new_process_reads_the_kept_matrix_until_a_write(app, db, make_event, monkeypatch):
    from logistics.victims import figures

    event = make_event(kelurahan_codes=[DESA])
    _victim(event, "Warga Satu")
    db.session.commit()
    counted = event_matrix(event)
    app.extensions["event_matrices"].clear()  # as after a restart: the instance folder only

    def recount(*args, **kwargs):
        raise AssertionError("recounted although nothing changed")

    monkeypatch.setattr(figures, "impact_matrix", recount)
    kept = event_matrix(event)
    assert kept is not counted and kept == counted
    monkeypatch.undo()
    _victim(event, "Warga Dua")
    db.session.commit()
    app.extensions["event_matrices"].clear()
    assert event_matrix(event).rows[0].jiwa("terdata") == 2


def test_the_public_map_shows_a_new_events_areas_after_the_write(client, db, make_event):
    from logistics.areas.models import Area
    from logistics.events.maps import active_affected_areas

    names = dict(db.session.execute(select(Area.code, Area.name)).all())
    make_event(kelurahan_codes=[DESA])
    db.session.commit()
    first = client.get("/peta").get_data(as_text=True)
    assert names[DESA] in first and names[OTHER_DESA] not in first
    assert active_affected_areas() is active_affected_areas()  # kept while nothing changes
    make_event(kelurahan_codes=[OTHER_DESA], title="Longsor Bantar Gebang")
    db.session.commit()
    page = client.get("/peta").get_data(as_text=True)
    assert names[OTHER_DESA] in page and "Longsor Bantar Gebang" in page


def test_the_spm_job_after_a_write_counts_the_matrix_for_the_pages(
    app, db, make_event, monkeypatch
):
    from logistics.victims import figures
    from workers.jobs import spm_recompute

    event = make_event(kelurahan_codes=[DESA])
    _victim(event, "Warga Satu")
    db.session.commit()
    spm_recompute(event.id)
    app.extensions["event_matrices"].clear()  # a web process that never counted it

    def recount(*args, **kwargs):
        raise AssertionError("the page counted the matrix the job had counted")

    monkeypatch.setattr(figures, "impact_matrix", recount)
    assert event_matrix(event).rows[0].jiwa("terdata") == 1
