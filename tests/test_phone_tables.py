"""Every table of a page scrolls in the one box for wide tables (.table-wrap), whose first (key)
column stays in view on a phone: one rule in posko.css, no page of its own."""

import re

from tests.conftest import ROOT

TEMPLATES = ROOT / "templates"
# Printed only (WeasyPrint on A4 paper, never a phone screen): they keep their plain tables.
PRINTED = {
    "bast/document_pdf.html",
    "tagana/report_pdf.html",
    "_signatures.html",
}
WRAPPED = re.compile(r'<div class="table-wrap"[^>]*>\s*$')


def test_every_page_table_sits_in_the_scroll_box():
    loose = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name in PRINTED:
            continue
        source = path.read_text(encoding="utf-8")
        for found in re.finditer(r"<table\b", source):
            if not WRAPPED.search(source[: found.start()]):
                line = source.count("\n", 0, found.start()) + 1
                loose.append(f"{name}:{line}")
    assert loose == [], f"tables outside <div class='table-wrap'>: {loose}"


def test_the_key_column_rule_is_in_one_stylesheet():
    static = ROOT / "logistics" / "static"
    sticky = [p.name for p in static.glob("*.css") if ".table-wrap td:first-child" in p.read_text()]
    assert sticky == ["posko.css"]
