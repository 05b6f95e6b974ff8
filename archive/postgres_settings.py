"""The PostgreSQL settings the archive's embedded server runs with: sized to the machine, overridable.

Pure functions: settings.py computes them once (and refuses nonsense in the overrides), and
archive/embedded_postgres.py writes them into the data directory. docs/operations.md gives the reason for each;
docker-compose.yml passes the same to its PostgreSQL.
"""

from __future__ import annotations

import re
from pathlib import Path

MiB = 2**20
GiB = 2**30

_NAME = re.compile(r"^[a-z][a-z0-9_.]*$")
_VALUE = re.compile(r"^[A-Za-z0-9_.+\-:/ ]+$")


def _megabytes(size: int) -> str:
    return f"{max(1, size // MiB)}MB"


def for_machine(memory: int) -> dict[str, str]:
    """Settings for a machine with ``memory`` bytes of RAM that serves the archive (and little else)."""
    return {
        # A quarter of the memory, as the PostgreSQL manual advises for a dedicated server, up to 8 GB: the
        # operating system's cache holds the rest of what is read often.
        "shared_buffers": _megabytes(min(max(memory // 4, 128 * MiB), 8 * GiB)),
        # What the planner may assume is cached (shared buffers and the OS cache): about half the memory.
        "effective_cache_size": _megabytes(max(memory // 2, 256 * MiB)),
        # Facet counts and rankings group and sort in memory rather than on disk.
        "work_mem": _megabytes(min(max(memory // 400, 8 * MiB), 64 * MiB)),
        "maintenance_work_mem": _megabytes(min(max(memory // 20, 64 * MiB), 1 * GiB)),
        # JIT compilation costs 50 to 200 ms on the search statements that the planner thinks are large, and
        # those run in tens of milliseconds without it.
        "jit": "off",
        # Solid-state disks and cached data: a random read costs little more than a sequential one.
        "random_page_cost": "1.1",
        "effective_io_concurrency": "200",
        # Imports write much at once: fewer, larger checkpoints.
        "max_wal_size": "4GB",
    }


def parse(text: str, source: str) -> dict[str, str]:
    """``name=value`` pairs separated by newlines, commas or semicolons (``#`` starts a comment), as written
    in ARCHIVE_PG_SETTINGS or in a postgresql.conf-style file. Raises ValueError naming ``source``."""
    settings: dict[str, str] = {}
    for raw in re.split(r"[\n;,]", text):
        item = raw.split("#", 1)[0].strip()
        if not item:
            continue
        name, separator, value = item.partition("=")
        name, value = name.strip().lower(), value.strip().strip("'\"").strip()
        if not separator or not _NAME.match(name) or not value or not _VALUE.match(value):
            raise ValueError(f"{source}: {raw.strip()!r} is not a PostgreSQL setting as name=value")
        settings[name] = value
    return settings


def parse_file(path: Path) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ValueError(f"{path}: cannot read it ({error.strerror or error})") from None
    return parse(text, str(path))


def to_conf(settings: dict[str, str]) -> str:
    lines = ["# Written by the archive on every start (archive/postgres_settings.py); edits are lost."]
    lines += [f"{name} = '{value}'" for name, value in sorted(settings.items())]
    return "\n".join(lines) + "\n"
