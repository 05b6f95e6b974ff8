"""A PostgreSQL backend that starts the embedded server on first connection.

Settings stay free of side effects: nothing starts until Django actually opens a connection, so commands
that need no database (``help``, ``check`` without database checks) never touch the server.
"""

from pathlib import Path

from django.db.backends.postgresql import base

from archive.embedded_postgres import ensure_server


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict:
        params = super().get_connection_params()
        # Tests connect to a database ("test_archive") that Django creates itself; only the configured
        # database has to exist before the first connection.
        database = self.settings_dict["EMBEDDED_DATABASE"]
        server = ensure_server(
            Path(self.settings_dict["EMBEDDED_PGDATA"]), database, self.settings_dict.get("EMBEDDED_SETTINGS") or {}
        )
        params["host"] = server.socket_dir
        params["port"] = server.port
        return params
