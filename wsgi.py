"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi run``."""

from app import create_app
from app.heap import freeze_startup_objects

app = create_app()
freeze_startup_objects()
