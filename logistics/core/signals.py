"""Signals a domain sends about its writes, for domains above it to follow without being imported."""

from blinker import Namespace

_signals = Namespace()

# Hand-outs written with Core statements, which the session's flush hooks cannot see.
# Sent with the session as sender and the keywords event_id and day (a date, or None).
handouts_written = _signals.signal("handouts-written")
