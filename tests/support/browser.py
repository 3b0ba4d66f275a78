"""Driving Posko in a phone-sized Chromium."""

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.conftest import PASSWORD

ARTIFACTS = "test-artifacts"
PHONE = {"width": 360, "height": 740}


def log_in(page, base: str, username: str) -> None:
    page.goto(base + "/masuk")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    try:
        # The page's own HTML is enough: waiting for "load" also waits on every map asset, which a
        # busy machine can hold back for a minute.
        page.wait_for_url(base + "/", wait_until="domcontentloaded")
    except PlaywrightTimeout as error:
        notice = page.locator(".flash").all_inner_texts()
        raise AssertionError(
            f"{username} not logged in: at {page.url}, notices {notice}"
        ) from error


def fits_the_screen(page) -> bool:
    # Wide tables scroll inside their own box; the page itself never scrolls sideways.
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
