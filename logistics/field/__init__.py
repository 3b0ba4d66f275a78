"""Field work recorded on phones without signal: device credentials, the sync of queued records and the phone app."""
