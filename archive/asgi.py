"""The ASGI application that gunicorn serves (archive/gunicorn_conf.py: gunicorn's asyncio worker).

Requests are read by the event loop, so a client that sends its request slowly holds a socket, not a worker;
the middlewares and the view run in the request's thread, in one go (archive/asgi_handler.py).
"""

import os

import django

from archive.asgi_handler import OneThreadASGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
django.setup(set_prefix=False)
application = OneThreadASGIHandler()
