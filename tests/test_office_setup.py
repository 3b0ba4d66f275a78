"""First-run setup of an empty office, from the command line and through the browser wizard."""

import io

import pytest
from sqlalchemy import func, select

from logistics.admin.models import User
from logistics.areas.models import Area
from logistics.office.models import OfficeProfile
from tests.support.office import HEAD_NAME, HEAD_NIP, STRONG_PASSWORD, png_logo


def cli_args(tmp_path, password=STRONG_PASSWORD, **changes):
    password_file = tmp_path / "sandi.txt"
    password_file.write_text(password + "\n", encoding="utf-8")
    options = {
        "--name": "Dinas Sosial Kabupaten Serang",
        "--level": "kabupaten",
        "--code": "36.04",
        "--timezone": "Asia/Jakarta",
        "--admin": "kepala.admin",
        "--password-file": str(password_file),
        "--head-name": HEAD_NAME,
        "--head-nip": HEAD_NIP,
    }
    options.update(changes)
    args = ["setup"]
    for key, value in options.items():
        if value is not None:
            args += [key, value]
    return args


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_cli_sets_up_an_office_with_its_boundaries(app, db, tmp_path, boundaries_dir):
    runner = app.test_cli_runner()
    args = cli_args(
        tmp_path,
        **{"--boundaries": str(boundaries_dir / "kab_serang.geojson.gz")},
    ) + ["--signatory", "pengelola_gudang=Rina Wulandari;198811032010012004"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "326 areas loaded" in result.output
    profile = db.session.scalar(select(OfficeProfile))
    assert (profile.name, profile.level, profile.area_code) == (
        "Dinas Sosial Kabupaten Serang",
        "kabupaten",
        "36.04",
    )
    assert profile.area_name == "Kabupaten Serang"
    assert {s.role: s.nip for s in profile.signatories} == {
        "kepala_dinas": HEAD_NIP,
        "pengelola_gudang": "198811032010012004",
    }
    user = db.session.scalar(select(User))
    assert (user.username, user.role) == ("kepala.admin", "admin")
    assert user.check_password(STRONG_PASSWORD)
    assert count(db, Area) > 326
    # The app now reads the profile, not the config defaults.
    with app.app_context():
        from logistics.office.services import refresh_office_config

        refresh_office_config(app, force=True)
        assert app.config["OFFICE_AREA_CODE"] == "36.04"
        assert app.config["OFFICE_NAME"] == "Dinas Sosial Kabupaten Serang"

    again = runner.invoke(args=cli_args(tmp_path, **{"--admin": "orang.lain"}))
    assert again.exit_code != 0
    assert "sudah disiapkan" in again.output
    assert count(db, User) == 1


@pytest.mark.parametrize(
    ("changes", "password", "message"),
    [
        ({"--code": "36.60"}, STRONG_PASSWORD, "tidak ada dalam daftar Kemendagri"),
        ({"--code": "36.74"}, STRONG_PASSWORD, "bukan kode kabupaten"),
        ({"--code": "3604"}, STRONG_PASSWORD, "salah format"),
        ({"--head-nip": "19680512199403100"}, STRONG_PASSWORD, "harus 18 angka"),
        ({"--head-nip": "196813121994031007"}, STRONG_PASSWORD, "tanggal lahir"),
        ({}, "rahasia12", "minimal 10 karakter"),
        ({}, "password1234", "mudah ditebak"),
        ({"--admin": "Kepala Admin!"}, STRONG_PASSWORD, "Nama pengguna"),
    ],
)
def test_cli_refuses_bad_input_and_writes_nothing(app, db, tmp_path, changes, password, message):
    result = app.test_cli_runner().invoke(args=cli_args(tmp_path, password=password, **changes))
    assert result.exit_code != 0
    assert message in result.output
    assert count(db, OfficeProfile) == 0
    assert count(db, User) == 0


def test_cli_refuses_a_file_of_another_region(app, db, tmp_path, boundaries_dir):
    args = cli_args(tmp_path, **{"--boundaries": str(boundaries_dir / "kota_binjai.geojson")})
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code != 0
    assert "di luar wilayah kantor (36.04)" in result.output and "12.75." in result.output
    assert count(db, OfficeProfile) == 0 and count(db, Area) == 0 and count(db, User) == 0


# --- the browser wizard through the test client ------------------------------------------


@pytest.fixture
def fresh(app):
    app.config["FIRST_RUN_SETUP"] = True
    return app.test_client()


def step_one(**changes) -> dict:
    data = {
        "name": "Dinas Sosial Kabupaten Serang",
        "level": "kabupaten",
        "area_code": "36.04",
        "timezone": "Asia/Jakarta",
        "address": "Jl. Veteran No. 1, Serang",
        "kepala_dinas_name": HEAD_NAME,
        "kepala_dinas_nip": HEAD_NIP,
        "kepala_dinas_position": "Kepala Dinas Sosial Kabupaten Serang",
        "username": "admin.serang",
        "full_name": "Admin Serang",
        "password": STRONG_PASSWORD,
        "password_confirm": STRONG_PASSWORD,
    }
    data.update(changes)
    return data


def test_every_page_of_an_empty_office_leads_to_the_wizard(fresh):
    for path in ("/", "/masuk", "/kejadian/", "/admin/pengguna"):
        response = fresh.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].endswith("/siapkan"), path
    assert fresh.get("/sehat").status_code == 200
    page = fresh.get("/siapkan")
    assert page.status_code == 200
    assert "Siapkan Posko untuk kantor Anda" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"area_code": "36.61"}, "tidak ada dalam daftar Kemendagri"),
        ({"kepala_dinas_nip": "1968-0512"}, "harus 18 angka"),
        ({"kepala_dinas_name": ""}, "Nama Kepala Dinas wajib diisi"),
        ({"password": "serang2026", "password_confirm": "serang2026"}, "mudah ditebak"),
        ({"password_confirm": "lain-sekali-99"}, "Ulangi kata sandi"),
        ({"name": ""}, "Nama kantor wajib diisi"),
    ],
)
def test_wizard_refuses_bad_input(fresh, db, changes, message):
    response = fresh.post("/siapkan", data=step_one(**changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(db, OfficeProfile) == 0 and count(db, User) == 0


def test_wizard_refuses_a_logo_that_is_not_an_image(fresh, db):
    data = step_one(logo=(io.BytesIO(b"%PDF-1.4 not an image"), "logo.png"))
    response = fresh.post("/siapkan", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "bukan gambar PNG atau JPEG" in response.get_data(as_text=True)


def test_wizard_previews_then_sets_up_and_closes_for_ever(fresh, app, db, boundaries_dir):
    data = step_one(logo=(io.BytesIO(png_logo()), "logo.png"))
    response = fresh.post("/siapkan", data=data, content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith("/siapkan/batas")
    assert count(db, OfficeProfile) == 0

    upload = (boundaries_dir / "kab_serang.geojson.gz").read_bytes()
    preview = fresh.post(
        "/siapkan/batas",
        data={"boundaries": (io.BytesIO(upload), "kab_serang.geojson.gz")},
        content_type="multipart/form-data",
    )
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html
    assert '<strong class="area-count">326</strong>' in html
    assert "326 baru" in html
    assert "leaflet" in html.lower()
    # Nothing stored before the confirmation.
    assert count(db, Area) == 0 and count(db, OfficeProfile) == 0 and count(db, User) == 0

    done = fresh.post("/siapkan/selesai")
    assert done.status_code == 302
    assert count(db, OfficeProfile) == 1 and count(db, User) == 1
    assert (
        db.session.scalar(select(func.count()).select_from(Area).where(Area.level == "kelurahan"))
        == 326
    )
    home = fresh.get("/")
    assert home.status_code == 200
    assert "Dinas Sosial Kabupaten Serang" in home.get_data(as_text=True)
    assert fresh.get("/kantor/logo").data == png_logo()

    assert fresh.get("/siapkan").status_code == 404
    assert fresh.post("/siapkan", data=step_one(username="kedua")).status_code == 404
    assert fresh.post("/siapkan/selesai").status_code == 404
    assert count(db, User) == 1


def test_wizard_refuses_a_boundary_file_of_another_region(fresh, db, boundaries_dir):
    fresh.post("/siapkan", data=step_one())
    upload = (boundaries_dir / "kota_binjai.geojson").read_bytes()
    response = fresh.post(
        "/siapkan/batas",
        data={"boundaries": (io.BytesIO(upload), "kota_binjai.geojson")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "12.75" in response.get_data(as_text=True)
    assert count(db, Area) == 0
