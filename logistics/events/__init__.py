"""Disaster events: hazards, decrees, chronology, affected areas and rapid-assessment figures."""
