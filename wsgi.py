"""WSGI entry point: the application object for gunicorn and `flask --app wsgi`."""

from logistics import create_app

app = create_app()
