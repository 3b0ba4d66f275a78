"""The administrative spine (provinsi to kelurahan), boundary loads and area maps."""
