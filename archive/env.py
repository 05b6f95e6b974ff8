"""Read settings from environment variables, refusing nonsense with a message that says what is wrong."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value.strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false, 1/0, yes/no, on/off; got {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    if not raw.strip():
        return []
    items = [item.strip() for item in raw.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(f"{name} is a comma-separated list without empty items; got {raw!r}")
    return items


def env_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if not raw.strip():
        raise ImproperlyConfigured(f"{name} must name a folder; it is empty")
    path = Path(raw.strip()).expanduser()
    if path.exists() and not path.is_dir():
        raise ImproperlyConfigured(f"{name} must name a folder; {path} is a file")
    return path.resolve()


def _env_number(name: str, default, *, parse, kind: str, minimum, maximum):
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = parse(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be {kind}; got {raw!r}") from None
    if not minimum <= value <= maximum:
        raise ImproperlyConfigured(f"{name} must be between {minimum} and {maximum}; got {value}")
    return value


def env_int(name: str, default: int, *, minimum: int, maximum: int) -> int:
    return _env_number(name, default, parse=int, kind="a whole number", minimum=minimum, maximum=maximum)


def env_float(name: str, default: float, *, minimum: float, maximum: float) -> float:
    return _env_number(name, default, parse=float, kind="a number", minimum=minimum, maximum=maximum)
