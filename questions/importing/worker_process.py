"""The importer's parser worker process: what it runs when it starts. Standard library only: the worker
imports no Django."""

from __future__ import annotations

import os
import threading
import time

PARENT_CHECK_SECONDS = 0.5


def exit_with_parent(parent_pid: int) -> None:
    """Exit as soon as the importer that started this process is gone, however it died (a SIGKILL gives it no
    chance to stop its workers). Without this the worker, and multiprocessing's resource tracker with it,
    would wait forever for work."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
