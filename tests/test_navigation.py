"""The menu by role (one mapping in core.nav), its markup, and the breadcrumb trail."""

import re

import pytest

from logistics.core.nav import MENUS, MODULES


def menu_labels(html: str) -> list[str]:
    nav = html.split('id="main-nav"', 1)[1].split("</nav>", 1)[0]
    return [
        re.sub(r"\s+", " ", label).strip()
        for label in re.findall(r"<li>(?:<a[^>]*>|<span[^>]*>)([^<]+)", nav)
    ]


def test_every_menu_key_is_a_module_and_every_endpoint_exists(app):
    for sections in MENUS.values():
        for _title, keys in sections:
            assert len(keys) == len(set(keys))
            for key in keys:
                assert MODULES[key][1] in app.view_functions, key


def test_tagana_menu_starts_with_their_tasks_and_leaves_out_office_modules(as_role):
    labels = menu_labels(as_role("tagana").get("/").get_data(as_text=True))
    assert labels[0] == "Tugas saya"
    assert {"Aplikasi lapangan", "Catat penyaluran", "Pengungsian"} <= set(labels)
    assert not {"Anggaran", "Wilayah", "Pekerjaan latar", "Pengguna", "Log audit"} & set(labels)


def test_pimpinan_menu_has_reports_events_spm_and_no_field_or_admin_items(as_role):
    labels = menu_labels(as_role("pimpinan").get("/").get_data(as_text=True))
    assert labels[:4] == ["Beranda", "Kejadian Bencana", "Laporan", "Dasbor SPM"]
    assert not {"Catat penyaluran", "Aplikasi lapangan", "Wilayah", "Pengguna"} & set(labels)


@pytest.mark.parametrize(("role", "admin_items"), [("operator", False), ("admin", True)])
def test_office_menus(as_role, role, admin_items):
    html = as_role(role).get("/").get_data(as_text=True)
    labels = menu_labels(html)
    assert {"Anggaran", "Wilayah", "Pekerjaan latar", "Perlu ditinjau"} <= set(labels)
    assert ("Log audit" in labels) is admin_items
    assert ("Administrasi" in html) is admin_items


def test_current_page_is_marked_and_the_menu_is_toggled_by_a_button(as_role):
    html = as_role("operator").get("/kejadian/").get_data(as_text=True)
    assert re.search(r'<a href="/kejadian/" aria-current="page">Kejadian Bencana</a>', html)
    assert 'aria-controls="main-nav"' in html and 'aria-expanded="false"' in html


def test_no_menu_for_anonymous_visitors(client):
    assert 'id="main-nav"' not in client.get("/masuk").get_data(as_text=True)


def trail_of(html: str) -> list[tuple[str, str | None]]:
    """(label, href or None) of each breadcrumb step."""
    trail = html.split('aria-label="Jejak halaman"', 1)[1].split("</nav>", 1)[0]
    steps = re.findall(
        r'<li>(?:<a href="([^"]*)">([^<]*)</a>|<span aria-current="page">([^<]*))', trail
    )
    return [(link_label or here, href or None) for href, link_label, here in steps]


def test_event_page_has_a_breadcrumb_trail(as_role, make_event):
    event = make_event()
    html = as_role("pimpinan").get(f"/kejadian/{event.id}").get_data(as_text=True)
    assert trail_of(html) == [
        ("Beranda", "/"),
        ("Kejadian Bencana", "/kejadian/"),
        ("Banjir Kali Bekasi", None),
    ]


def test_shelter_trail_goes_through_its_event(as_role, make_event, db):
    from tests.support.shelters import shelter_factory

    event = make_event()
    shelter = shelter_factory(db)(name="GOR <Bekasijaya>", event_id=event.id)
    html = as_role("operator").get(f"/pengungsian/{shelter.id}").get_data(as_text=True)
    assert trail_of(html) == [
        ("Beranda", "/"),
        ("Kejadian Bencana", "/kejadian/"),
        ("Banjir Kali Bekasi", f"/kejadian/{event.id}"),
        ("Pengungsian", "/pengungsian/"),
        ("GOR &lt;Bekasijaya&gt;", None),
    ]


def test_list_pages_have_no_trail(as_role):
    assert "Jejak halaman" not in as_role("operator").get("/kejadian/").get_data(as_text=True)
