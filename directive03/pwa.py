"""The installable web app: the service worker and the manifest, served from the site's root.

A service worker controls only the URLs under the folder it is served from, so it cannot live under
/static/: /sw.js controls the whole site (scope "/"). It is a template so that it names the static
files by their real (hashed, in production) URLs.
"""

from __future__ import annotations

import hashlib

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

#: Files every page needs, cached when the worker installs (the review page's own scripts included).
PRECACHE = (
    "vendor/bootstrap/bootstrap.min.css", "css/app.css", "vendor/htmx/htmx.min.js",
    "vendor/bootstrap/bootstrap.bundle.min.js", "js/app.js", "js/pledges.js", "js/review.js",
    "icons/icon-192.png",
)
#: Pages kept for offline use once visited: the cells' pages (the monthly record) and the to-do list.
OFFLINE_PAGES = r"^/(cells|todo)/"


@require_GET
@cache_control(no_cache=True, max_age=0)
def service_worker(request):
    assets = [static(path) for path in PRECACHE]
    body = render_to_string("pwa/sw.js", {
        "assets": assets, "static_prefix": static(""), "offline_pages": OFFLINE_PAGES,
        "version": hashlib.sha256("|".join(assets).encode()).hexdigest()[:12],
        "offline_title": _("Không có mạng"),
        "offline_text": _("Trang này chưa được mở trên máy này khi có mạng nên chưa xem được khi không có mạng."),
    })
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def manifest(request):
    data = {
        "name": _("Chỉ thị 03"),
        "short_name": _("Chỉ thị 03"),
        "description": _("Đăng ký, sinh hoạt chi bộ và báo cáo thực hiện Chỉ thị 03-CT/TW"),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("todo"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#b02a37",
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any maskable"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any maskable"},
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})
