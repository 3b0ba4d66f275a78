"""The event's chronology: dated lines of what happened."""

from datetime import datetime

from logistics.core import inputs
from logistics.core.errors import DomainError
from logistics.core.extensions import db
from logistics.events.models import (
    ChronologyEntry,
    Event,
)


def add_chronology(
    event: Event, *, occurred_at: datetime | None, text: str, author_id: int | None = None
) -> ChronologyEntry:
    """One line in the event's chronology; occurred_at is naive UTC."""
    if occurred_at is None:
        raise DomainError("Waktu wajib diisi.", field="occurred_at")
    text = inputs.text(text, "text", "Isi kronologi", 5000, required=True)
    entry = ChronologyEntry(
        event_id=event.id, occurred_at=occurred_at, text=text, author_id=author_id
    )
    db.session.add(entry)
    db.session.flush()
    db.session.refresh(event, ["chronology"])
    return entry
