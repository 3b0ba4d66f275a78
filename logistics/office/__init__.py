"""The office itself: its profile (name, level, area, time zone, letterhead, signatories) and first-run setup."""
