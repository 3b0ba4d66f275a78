"""The area picker on a phone in a provinsi office (Bengkulu, 1,513 desa): type part of a desa
name in the new-event form, choose it with the keyboard, submit; without JavaScript the code
field still submits."""

import re
from collections import Counter

import pytest
from sqlalchemy import select

from tests.support.areas import insert_spine, spine_rows
from tests.support.browser import PHONE, fits_the_screen, log_in

pytestmark = pytest.mark.browser


def _unique_desa(rows) -> tuple[dict, str]:
    """A desa and a part of its name that no other area's name holds."""
    names = [r["name"].lower() for r in rows]
    counts = Counter(names)
    for row in rows:
        name = row["name"].lower()
        if row["level"] != "kelurahan" or counts[name] > 1 or len(name) < 8:
            continue
        part = name[1:7]
        if sum(part in other for other in names) == 1:
            return row, part
    raise AssertionError("no desa with a name part of its own")


def _event_areas(db, title: str) -> list[str]:
    from logistics.events.models import Event

    db.session.remove()
    event = db.session.scalar(select(Event).where(Event.title == title))
    return [a.kelurahan_code for a in event.areas]


def _fill_event(page, base: str, hazard: str, title: str) -> None:
    page.goto(base + "/kejadian/baru")
    page.select_option("select[name=hazard_type_id]", value=hazard)
    page.fill("input[name=title]", title)


def test_pick_a_desa_by_keyboard_at_360_px_and_without_script(
    browser, live_server, make_user, db, boundaries_dir
):
    from logistics.events.models import HazardType

    rows = spine_rows(boundaries_dir / "prov_bengkulu.geojson.gz")
    insert_spine(rows)
    desa, part = _unique_desa(rows)
    hazard = str(db.session.scalar(select(HazardType.id).where(HazardType.code == "BJR")))
    make_user("operator", "prov-op")
    db.session.commit()
    db.session.remove()

    page = browser.new_context(viewport=PHONE).new_page()
    page.set_default_timeout(30_000)
    log_in(page, live_server, "prov-op")
    _fill_event(page, live_server, hazard, "Banjir dipilih dengan papan ketik")
    combo = page.locator("[role=combobox]#kelurahan_text")
    combo.click()
    combo.press_sequentially(part)
    option = page.locator("[role=listbox] [role=option]")
    page.wait_for_function(
        "part => [...document.querySelectorAll('[role=option]')].length === 1 && "
        "document.querySelector('[role=option]').textContent.toLowerCase().includes(part)",
        arg=part,
    )
    assert combo.get_attribute("aria-expanded") == "true"
    assert option.first.bounding_box()["height"] >= 44
    combo.press("ArrowDown")
    active = combo.get_attribute("aria-activedescendant")
    assert active and page.locator(f"#{active}").get_attribute("aria-selected") == "true"
    combo.press("Enter")
    assert combo.get_attribute("aria-expanded") == "false"
    chip = page.locator(".area-picker-chips li")
    assert chip.count() == 1 and desa["name"] in chip.inner_text()
    assert chip.locator("button").bounding_box()["height"] >= 44
    assert page.input_value("input[name=kelurahan_text]") == desa["code"]
    assert fits_the_screen(page)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/kejadian/\d+$"))
    assert _event_areas(db, "Banjir dipilih dengan papan ketik") == [desa["code"]]

    # Without JavaScript the same field is a text input for the code.
    plain = browser.new_context(viewport=PHONE, java_script_enabled=False).new_page()
    plain.set_default_timeout(30_000)
    log_in(plain, live_server, "prov-op")
    _fill_event(plain, live_server, hazard, "Banjir tanpa skrip")
    assert plain.locator("[role=combobox]").count() == 0
    plain.fill("input[name=kelurahan_text]", desa["code"])
    plain.click("main form button[type=submit]")
    plain.wait_for_url(re.compile(r".*/kejadian/\d+$"))
    assert _event_areas(db, "Banjir tanpa skrip") == [desa["code"]]
