from django.conf import settings


def site(request):
    return {
        "SITE_NAME": settings.WAGTAIL_SITE_NAME,
        "ISSUING_ORGANISATION": settings.ISSUING_ORGANISATION,
    }
