"""Errors the pledges services raise besides ValidationError and PermissionDenied."""

from __future__ import annotations


class ConcurrencyError(Exception):
    """The record changed since the user opened it (optimistic lock); nothing was written."""

    def __init__(self, message: str, *, current_version: int, expected_version: int) -> None:
        super().__init__(message)
        self.message = message
        self.current_version = current_version
        self.expected_version = expected_version

    def __str__(self) -> str:
        return self.message
