"""Strict readers for settings taken from the environment.

An unset variable gives the caller's default; a set but malformed one raises
ImproperlyConfigured with a message that names the variable, so start-up stops.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}

#: Every variable the settings read, so the compose test can check that the
#: compose file sets nothing the app ignores.
KNOWN: set[str] = set()


class Env:
    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def _raw(self, name: str) -> str | None:
        KNOWN.add(name)
        value = self.environ.get(name)
        if value is None or value.strip() == "":
            return None
        return value.strip()

    def is_set(self, name: str) -> bool:
        return self._raw(name) is not None

    def str(self, name: str, default: str | None = None) -> str | None:
        value = self._raw(name)
        return default if value is None else value

    def bool(self, name: str, default: bool) -> bool:
        value = self._raw(name)
        if value is None:
            return default
        low = value.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise ImproperlyConfigured(f"{name}: expected true or false, got {value!r}")

    def int(self, name: str, default: int, *, minimum: int | None = None) -> int:
        value = self._raw(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name}: expected an integer, got {value!r}") from None
        if minimum is not None and number < minimum:
            raise ImproperlyConfigured(f"{name}: must be at least {minimum}, got {number}")
        return number

    def list(self, name: str, default: list[str] | None = None,
             item: Callable[[str], str] | None = None) -> list[str]:
        value = self._raw(name)
        if value is None:
            return list(default or [])
        items = [part.strip() for part in value.split(",")]
        if any(not part for part in items):
            raise ImproperlyConfigured(f"{name}: empty item in comma-separated list {value!r}")
        if item is not None:
            items = [item(part) for part in items]
        return items

    def choice(self, name: str, default: str, choices: set[str]) -> str:
        value = self._raw(name)
        if value is None:
            return default
        if value not in choices:
            raise ImproperlyConfigured(
                f"{name}: expected one of {', '.join(sorted(choices))}, got {value!r}"
            )
        return value

    def url(self, name: str, schemes: set[str], default: str | None = None) -> str | None:
        value = self._raw(name)
        if value is None:
            return default
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises ValueError on a malformed port
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}: malformed URL {value!r} ({exc})") from None
        if parts.scheme not in schemes:
            raise ImproperlyConfigured(
                f"{name}: scheme must be one of {', '.join(sorted(schemes))}, got {value!r}"
            )
        if parts.scheme != "sqlite" and not parts.hostname:
            raise ImproperlyConfigured(f"{name}: no host in {value!r}")
        return value


def origin(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ImproperlyConfigured(f"CSRF_TRUSTED_ORIGINS: not an origin: {value!r}")
    return value
