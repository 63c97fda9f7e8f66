"""Celery entry point: ``celery -A worker worker -B`` (``-B`` also runs the hourly schedule).

It builds the Flask app from the environment, like ``wsgi.py``, and exposes the
app's Celery app; every task runs inside the Flask app's context.
"""

from celery import Celery

from app import create_app

flask_app = create_app()
celery_app: Celery = flask_app.extensions["celery"]
