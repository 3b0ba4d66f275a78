"""Signals a domain sends about its writes, for domains above it to follow without being imported."""

from blinker import Namespace

_signals = Namespace()

# Hand-outs written with Core statements, which the session's flush hooks cannot see.
# Sent with the session as sender and the keywords event_id and day (a date, or None).
handouts_written = _signals.signal("handouts-written")

# Victims written with Core statements (a spreadsheet import). Sent with the session as sender and
# the keywords event_id and day (None: the event's figures of every day).
victims_written = _signals.signal("victims-written")

# Writes that change a fiscal year's figures (its SPM year table recomputed, its budget, targets,
# Tagana outputs, decrees). Sent with the session as sender and the keyword years (a set of ints),
# inside the transaction that wrote them, so what it invalidates rolls back with it.
years_changed = _signals.signal("years-changed")
