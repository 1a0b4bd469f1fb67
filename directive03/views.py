from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.views import i18n

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
