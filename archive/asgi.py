"""The ASGI application that gunicorn serves (archive/gunicorn_conf.py: gunicorn's asyncio worker).

Requests are read by the event loop, so a client that sends its request slowly holds a socket, not a worker;
Django runs the views themselves in its thread as usual.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")

application = get_asgi_application()
