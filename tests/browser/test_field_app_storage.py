"""Storage full on the phone: when IndexedDB refuses to keep a new record (QuotaExceededError),
the volunteer is told so in words they can act on, the form keeps what they typed, the records
already queued are untouched, and the same hand-out saves and goes out once space is back."""

import pytest
from sqlalchemy import func, select

from tests.support.browser import PHONE, log_in
from tests.support.field_app import (
    APP,
    cut_network,
    field_world,
    open_signed_in,
    phone_store,
    record_hand_out,
    restore_network,
    wait_until_settled,
)

pytestmark = pytest.mark.browser

# What a full disk looks like to the page: a new record for the outbox (one without its key yet)
# fails as Chromium fails it, with a DOMException named QuotaExceededError, while records already
# kept can still be updated in place (their send attempts) and other stores keep working, as
# with a little room left. The test switches it off again with the page's poskoDiskFull flag.
FULL_DISK = """() => {
  const original = { put: IDBObjectStore.prototype.put, add: IDBObjectStore.prototype.add };
  for (const name of ["put", "add"]) {
    IDBObjectStore.prototype[name] = function (...args) {
      const growing = this.name === "outbox" && args[0] && args[0].seq === undefined;
      if (globalThis.poskoDiskFull && growing) {
        throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
      }
      return original[name].apply(this, args);
    };
  }
  globalThis.poskoDiskFull = true;
}"""


# What the volunteer recorded; the phone itself updates the rest (send attempts, state).
KEPT = ("client_id", "kind", "made_at", "user_id", "payload", "summary", "seq")


def _recorded(records: list[dict]) -> list[dict]:
    return [{key: record[key] for key in KEPT} for record in records]


def _fill_hand_out(page, base: str) -> None:
    page.goto(base + APP + "penyaluran")
    page.wait_for_function("() => document.body.dataset.ready === '1'")
    page.fill("input[name=q]", "siti aminah")
    page.click(".candidate button")
    page.select_option("select[name=component]", "sandang")
    row = page.locator(".line-row").first
    row.locator("select").select_option(label="Selimut (stok 50 lembar)")
    row.locator("input").fill("2")


def test_storage_full_says_so_and_loses_nothing(browser, live_server, make_event, make_user, db):
    from logistics.distributions.models import Distribution

    world, _user, _shelter = field_world(db, make_event, make_user)
    event_id = world.event.id
    db.session.remove()
    context = browser.new_context(viewport=PHONE, timezone_id="Asia/Jakarta")
    page = context.new_page()
    page.set_default_timeout(60_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server, "wawan")
    open_signed_in(page, live_server)
    cut_network(context)
    record_hand_out(
        page, live_server, "budi", "permakanan", "Makanan siap saji (stok 100 paket)", "5"
    )
    queued = phone_store(page, "outbox")
    assert len(queued) == 1

    _fill_hand_out(page, live_server)
    page.evaluate(FULL_DISK)
    page.click("[data-handout-form] button[type=submit]")
    error = page.locator("[data-handout-form] [data-form-error]")
    error.wait_for(state="visible")
    assert "Tidak tersimpan di ponsel: penyimpanan ponsel penuh" in error.inner_text()
    assert "Hapus foto atau aplikasi lain, lalu simpan lagi" in error.inner_text()
    # Nothing lost: what was typed is still in the form, the earlier record is as it was.
    assert page.locator(".line-row").first.locator("input").input_value() == "2"
    assert _recorded(phone_store(page, "outbox")) == _recorded(queued)
    assert "1 menunggu dikirim" in page.inner_text("[data-pending]")

    # Room again (the volunteer deleted photos): the same form, family still chosen, saves.
    page.evaluate("() => { globalThis.poskoDiskFull = false; }")
    page.click("[data-handout-form] button[type=submit]")
    page.wait_for_selector("[data-notice]:has-text('Tersimpan di ponsel')")
    assert "2 menunggu dikirim" in page.inner_text("[data-pending]")
    kept = _recorded(phone_store(page, "outbox"))
    assert kept[0] == _recorded(queued)[0] and len(kept) == 2

    page.goto(live_server + APP + "kotak-keluar")
    page.wait_for_function("() => document.querySelectorAll('.record').length === 2")
    restore_network(context)
    wait_until_settled(page)
    handed_out = db.session.scalar(
        select(func.count(Distribution.id)).where(Distribution.event_id == event_id)
    )
    assert handed_out == 2
    assert errors == []
    context.close()
