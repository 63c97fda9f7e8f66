"""Celery entry point: ``celery -A worker worker -B`` (``-B`` also runs the hourly schedule).

It builds the Flask app from the environment, like ``wsgi.py``, and exposes the
app's Celery app; every task runs inside the Flask app's context.
"""

from celery import Celery

from app import create_app
from app.heap import freeze_startup_objects

flask_app = create_app()
freeze_startup_objects()
celery_app: Celery = flask_app.extensions["celery"]
