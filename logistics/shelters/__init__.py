"""Shelters (tempat pengungsian) and their daily head counts."""
