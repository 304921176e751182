"""Password-reset e-mails, written and sent by a Celery worker rather than the web request:
a slow or failing mail server holds up no one, and the answer never waits for it, so how long
it takes does not tell whether an account uses the address."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from lms.models import User


def password_reset_email_send(
    *, user_id: int, email_template_name: str, subject_template_name: str, language: str
) -> bool:
    """Send the link to choose a new password, as Django's PasswordResetForm writes it. The
    link points at SITE_URL, never at the Host header of the request. False when the account
    cannot reset its password (gone, inactive, no e-mail, no usable password).

    Errors of the mail server propagate, so that the task retries them."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email or not user.has_usable_password():
        return False
    site = urlsplit(settings.SITE_URL)
    context = {
        "email": user.email,
        "domain": site.netloc,
        "site_name": settings.WAGTAIL_SITE_NAME,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": site.scheme or "https",
    }
    with translation.override(language):
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
    EmailMultiAlternatives(subject, body, None, [user.email]).send()
    return True
