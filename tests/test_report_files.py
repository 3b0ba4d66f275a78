"""Generated report files: stored in the database, newest first, downloadable only after login."""

from logistics.reports import files as report_files


def test_newest_file_of_a_report_is_offered_and_downloads_byte_for_byte(app, db, as_role):
    older = report_files.save("sitrep", "event:1:2026-11-21", "pdf", "sitrep-lama.pdf", b"%PDF-old")
    newer = report_files.save("sitrep", "event:1:2026-11-21", "pdf", "sitrep.pdf", b"%PDF-new")
    report_files.save("sitrep", "event:1:2026-11-21", "xlsx", "sitrep.xlsx", b"PK-sheet")
    db.session.commit()

    assert report_files.latest("sitrep", "event:1:2026-11-21", "pdf").id == newer.id != older.id
    assert set(report_files.latest_of_kind("sitrep", "event:1:2026-11-21")) == {"pdf", "xlsx"}
    assert newer.size == len(b"%PDF-new")

    client = as_role("pimpinan")
    response = client.get(f"/laporan/berkas/{newer.id}")
    assert response.status_code == 200
    assert response.data == b"%PDF-new"
    assert response.mimetype == "application/pdf"
    assert "sitrep.pdf" in response.headers["Content-Disposition"]

    index = client.get("/laporan/").get_data(as_text=True)
    assert "sitrep-lama.pdf" in index and "sitrep.xlsx" in index


def test_download_needs_login_and_an_existing_file(app, db, as_role):
    record = report_files.save("year_end", "year:2026", "xlsx", "laporan-2026.xlsx", b"PK")
    db.session.commit()
    assert app.test_client().get(f"/laporan/berkas/{record.id}").status_code in (302, 401)
    assert as_role("operator").get("/laporan/berkas/999999").status_code == 404
