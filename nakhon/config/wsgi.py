"""WSGI entry point (``nakhon serve`` uses it with waitress; gunicorn works too)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nakhon.config.settings")
application = get_wsgi_application()
