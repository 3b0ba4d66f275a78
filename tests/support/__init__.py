"""Helpers shared by the tests: databases, factories and scenarios. No tests here."""
