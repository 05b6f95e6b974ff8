"""A PostgreSQL backend that starts the embedded server on first connection.

Settings stay free of side effects: nothing starts until Django actually opens a connection, so commands
that need no database (``help``, ``check`` without database checks) never touch the server.

With a pool (settings.DATABASE_POOL, the default) the pool is made for one run of the server: when the
server has stopped or another process started it again since, the pool's connections and address are stale,
so the next connection closes that pool and makes a new one for the server ``ensure_server`` gives.
"""

import subprocess
import threading
from pathlib import Path

from django.db import OperationalError
from django.db.backends.postgresql import base

from archive.embedded_postgres import EmbeddedServer, ensure_server

# The server each alias's pool was made for (pools are per process, like Django's own _connection_pools).
_pool_servers: dict[str, EmbeddedServer] = {}
_pool_change = threading.Lock()  # requests run in threads of their own (ASGI): one of them replaces the pool


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict:
        params = super().get_connection_params()
        # Django asks for the parameters just before each new connection: the server found here is the one
        # get_new_connection compares the pool's with.
        self._current_server = server = self._server()
        params["host"] = server.socket_dir
        params["port"] = server.port
        return params

    def get_new_connection(self, conn_params):
        if self.settings_dict["OPTIONS"].get("pool"):
            server = self._current_server
            with _pool_change:
                if _pool_servers.get(self.alias, server) != server:
                    # Made for a server that has stopped: super() makes a new one. (Not in django-stubs yet.)
                    self.close_pool()  # type: ignore[attr-defined]
                _pool_servers[self.alias] = server
        return super().get_new_connection(conn_params)

    def _server(self) -> EmbeddedServer:
        # Tests connect to a database ("test_archive") that Django creates itself; only the configured
        # database has to exist before the first connection.
        try:
            return ensure_server(
                Path(self.settings_dict["EMBEDDED_PGDATA"]),
                self.settings_dict["EMBEDDED_DATABASE"],
                self.settings_dict.get("EMBEDDED_SETTINGS") or {},
            )
        except (OSError, subprocess.SubprocessError, ValueError, AssertionError) as error:
            # A server that is being restarted by another process: the database is unavailable for now (a 503
            # with Retry-After, archive/refusals.py), not an error of the application. The library's files
            # read halfway through another process's write give a ValueError (JSON) or its own assertion.
            raise OperationalError(f"the embedded PostgreSQL could not be started: {error}") from error
