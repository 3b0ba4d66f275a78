"""The victim registry: households, persons, institution victims, NIK checks and imports."""
