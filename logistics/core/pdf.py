"""PDF rendering of HTML documents (task reports, BAST, sitreps, year reports)."""


def html_to_pdf(html: str, base_url: str) -> bytes:
    """A PDF of an HTML document (WeasyPrint); imported here so app start-up stays light."""
    import weasyprint

    return weasyprint.HTML(string=html, base_url=base_url).write_pdf()
