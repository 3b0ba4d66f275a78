"""Reading the test database back."""

from sqlalchemy import func, select


def count(db, model) -> int:
    """How many rows the model's table holds."""
    return db.session.scalar(select(func.count()).select_from(model))
