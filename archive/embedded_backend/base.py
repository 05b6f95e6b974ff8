"""A PostgreSQL backend that starts the embedded server on first connection.

Settings stay free of side effects: nothing starts until Django actually opens a connection, so commands
that need no database (``help``, ``check`` without database checks) never touch the server.
"""

import subprocess
from pathlib import Path

from django.db import OperationalError
from django.db.backends.postgresql import base

from archive.embedded_postgres import ensure_server


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict:
        params = super().get_connection_params()
        # Tests connect to a database ("test_archive") that Django creates itself; only the configured
        # database has to exist before the first connection.
        database = self.settings_dict["EMBEDDED_DATABASE"]
        try:
            server = ensure_server(
                Path(self.settings_dict["EMBEDDED_PGDATA"]), database, self.settings_dict.get("EMBEDDED_SETTINGS") or {}
            )
        except (OSError, subprocess.SubprocessError, ValueError, AssertionError) as error:
            # A server that is being restarted by another process: the database is unavailable for now (a 503
            # with Retry-After, archive/refusals.py), not an error of the application. The library's files
            # read halfway through another process's write give a ValueError (JSON) or its own assertion.
            raise OperationalError(f"the embedded PostgreSQL could not be started: {error}") from error
        params["host"] = server.socket_dir
        params["port"] = server.port
        return params
