from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views import i18n
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .redirects import safe_next_url


def csrf_failure(request, reason=""):
    """A Vietnamese page instead of Django's English CSRF failure page."""
    return render(request, "403_csrf.html", status=403)


class _SafeNext:
    """Django's auth views, with `next` checked by the project's one rule (redirects.safe_next_url)."""

    def get_redirect_url(self):
        name = self.redirect_field_name
        return safe_next_url(self.request, self.request.POST.get(name, self.request.GET.get(name))) or ""


class LoginView(_SafeNext, auth_views.LoginView):
    redirect_authenticated_user = True


class LogoutView(_SafeNext, auth_views.LogoutView):
    pass


def set_language(request):
    """The language switch: Django's view, with `next` checked by the project's rule ("/" otherwise)."""
    if request.method == "POST":
        post = request.POST.copy()
        post["next"] = safe_next_url(request, post.get("next")) or "/"
        request.POST = post
    return i18n.set_language(request)


@require_GET
@cache_control(max_age=86_400, public=True)
def favicon(request):
    """Browsers ask /favicon.ico whatever the page says: send them to the icon in static/."""
    return redirect(static("favicon.ico"), permanent=False)
