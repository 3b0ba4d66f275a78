"""Field work from phones without signal: device credentials, batch sync, reference data, review."""
