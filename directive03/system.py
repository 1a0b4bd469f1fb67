"""What the machine must provide besides Python: WeasyPrint's system libraries (Pango, HarfBuzz).

Checked at start-up (a Django system check, so runserver, migrate and check print it) and by /healthz.
"""

from __future__ import annotations

import functools

from django.core import checks

#: What Debian and Ubuntu call the libraries WeasyPrint loads (the Dockerfile installs the same).
DEBIAN_PACKAGES = ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0")
INSTALL_HINT = "On Debian/Ubuntu: sudo apt-get install " + " ".join(DEBIAN_PACKAGES)


@functools.cache
def document_libraries() -> tuple[bool, str]:
    """(True, 'Pango 1.50.12') when WeasyPrint can load its libraries, else (False, what to install).

    Libraries do not appear or vanish while a process runs: the answer is kept for the process.
    """
    try:
        from weasyprint.text.ffi import pango
    except (OSError, ImportError) as exc:
        return False, (
            f"PDF documents cannot be rendered: WeasyPrint cannot load its system libraries ({exc}). "
            f"{INSTALL_HINT}"
        )
    version = pango.pango_version()
    return True, f"Pango {version // 10000}.{version // 100 % 100}.{version % 100}"


@checks.register()
def check_document_libraries(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    ok, detail = document_libraries()
    if ok:
        return []
    return [checks.Warning(
        "WeasyPrint's system libraries are missing: reports cannot be rendered as PDF.",
        hint=detail, id="directive03.W001",
    )]
