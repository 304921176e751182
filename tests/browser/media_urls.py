"""The site's URLconf plus its public media (MEDIA_ROOT at /media/), for journeys that show
uploaded images and audio: with DEBUG=0 Django serves no media (the reverse proxy does, in
production), and pytest-django's live server serves only static files."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from lms import urls as site_urls


def media(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [re_path(r"^media/(?P<path>.*)$", media), *site_urls.urlpatterns]
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500
