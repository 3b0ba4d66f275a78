"""The home page and the public map."""
