from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from . import views
from .health import healthz
from .pwa import manifest, service_worker

admin.site.site_header = _("Chỉ thị 03 – Quản trị")
admin.site.site_title = _("Chỉ thị 03")

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="todo"), name="home"),
    path("todo/", include("reports.todo_urls")),
    path("healthz", healthz, name="healthz"),
    path("sw.js", service_worker, name="service_worker"),
    path("manifest.webmanifest", manifest, name="manifest"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("units/", include("organizations.urls")),
    path("rounds/", include("reports.urls")),
    path("dashboard/", include("reports.dashboard_urls")),
    path("cells/", include("pledges.urls")),
    path("documents/", include("reports.document_urls")),
    path("admin/", admin.site.urls),
]
