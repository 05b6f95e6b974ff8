"""Settings for the test suite: the real settings with a throw-away key, so tests need no environment."""

import os

os.environ.setdefault("SECRET_KEY", "test-suite-only-secret-key-0123456789abcdef")
os.environ.setdefault("DEBUG", "false")

from archive.settings import *  # noqa: E402,F403
from archive.settings import STORAGES  # noqa: E402

# The manifest storage needs collectstatic; tests render templates without running it.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Serve static files straight from the source folders, as runserver would; no collectstatic in tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# Every request of the suite comes from 127.0.0.1, in one process: the rate limits would count them all
# together. The rate-limit tests set their own (tests/test_errors_and_headers.py).
RATE_LIMITS = {name: 0 for name in RATE_LIMITS}  # noqa: F405
