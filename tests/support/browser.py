"""Driving Posko in a phone-sized Chromium."""

from tests.conftest import PASSWORD

ARTIFACTS = "test-artifacts"
PHONE = {"width": 360, "height": 740}


def log_in(page, base: str, username: str) -> None:
    page.goto(base + "/masuk")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/")


def fits_the_screen(page) -> bool:
    # Wide tables scroll inside their own box; the page itself never scrolls sideways.
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
