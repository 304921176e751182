from django.contrib.auth import views as auth_views
from django.utils.translation import gettext as _

from lms.throttle import login_attempt, wait_text


def _refused(view, form, message: str, wait: int):
    form.add_error(None, message)
    response = view.render_to_response(view.get_context_data(form=form))
    response.status_code = 429
    response["Retry-After"] = str(wait)
    return response


class LoginView(auth_views.LoginView):
    """Django's login view, throttled (lms/throttle.py): too many failures give a 429."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        self.attempt = login_attempt(request=request, username=request.POST.get("username", ""))
        if self.attempt.refused:
            # The form without the password: a refused attempt does not check it at all.
            kwargs = self.get_form_kwargs()
            kwargs["data"] = {"username": request.POST.get("username", "")}
            form = self.get_form_class()(**kwargs)
            form.errors.clear()
            message = _("Too many failed sign-in attempts. Please try again in %(wait)s.") % {
                "wait": wait_text(seconds=self.attempt.wait)
            }
            return _refused(self, form, message, self.attempt.wait)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        self.attempt.succeed()
        return super().form_valid(form)
