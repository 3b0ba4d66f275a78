"""Reports: daily sitrep, year-end report, open data and the generated files."""
