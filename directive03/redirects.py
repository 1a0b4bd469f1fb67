"""The one check for a `next` value from a request: only a path on this site is followed.

`next` comes from the client (a hidden field, a query string), so it is anything: "foo", "-1",
"a b", "//evil.example", "https://evil.example", "javascript:…". Only an absolute path on this host
without whitespace or control characters is kept; anything else falls back to a known page, never a
500 (shortcuts.redirect would try "foo" as a URL name) and never another site.
"""

from __future__ import annotations

from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

MAX_LENGTH = 2000


def safe_next_url(request, value: object) -> str | None:
    """`value` if it is a path on this site (starting with a single "/"), else None."""
    if not isinstance(value, str) or not value or len(value) > MAX_LENGTH:
        return None
    if not value.startswith("/") or value.startswith(("//", "/\\")):
        return None
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value):
        return None
    if not url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return None
    return value


def redirect_next(request, value: object, fallback: str, *args) -> HttpResponseRedirect:
    """Redirect to `value` when safe_next_url keeps it, else to `fallback` (a URL name or path)."""
    return HttpResponseRedirect(safe_next_url(request, value) or resolve_url(fallback, *args))
