from django.conf import settings
from django.contrib.auth import views as auth_views
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage


def _login_limited(request, increment: bool) -> bool:
    """Failed logins are counted per IP address and per user name, in the shared cache."""
    rate = f"{settings.LOGIN_RATE_LIMIT}/{settings.LOGIN_RATE_WINDOW}s"
    limited = False
    for group, key in (
        ("login-ip", "ip"),
        ("login-user", lambda group, req: (req.POST.get("username") or "").strip().lower()),
    ):
        usage = get_usage(
            request, group=group, key=key, rate=rate, method="POST", increment=increment
        )
        if usage and usage["count"] >= usage["limit"]:
            limited = True
    return limited


class LoginView(auth_views.LoginView):
    """Django's login view, with brute force throttled: too many failures give a 429."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if _login_limited(request, increment=False):
            form = self.get_form()
            form.errors.clear()
            form.add_error(
                None,
                _("Too many failed sign-in attempts. Please wait a few minutes and try again."),
            )
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        _login_limited(self.request, increment=True)
        return super().form_invalid(form)
