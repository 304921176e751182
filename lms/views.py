from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.admin.views import account as wagtail_account

from lms.tasks import password_reset_email_queue
from lms.throttle import login_attempt, password_reset_attempt, wait_text


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


class ThrottledPasswordResetMixin:
    """A password-reset form throttled per client and per e-mail address, whose e-mails are
    sent by a Celery task (inline when REDIS_URL is unset)."""

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        attempt = password_reset_attempt(request=self.request, email=email)
        if attempt.refused:
            message = _("Too many requests to reset a password. Please try again in %(wait)s.") % {
                "wait": wait_text(seconds=attempt.wait)
            }
            return _refused(self, form, message, attempt.wait)
        password_reset_email_queue(
            user_ids=[user.pk for user in form.get_users(email)],
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            language=translation.get_language() or "vi",
        )
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetView(ThrottledPasswordResetMixin, auth_views.PasswordResetView):
    pass


class AdminPasswordResetView(ThrottledPasswordResetMixin, wagtail_account.PasswordResetView):
    """Wagtail's admin form, which would otherwise send reset e-mails unthrottled."""
