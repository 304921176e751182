from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.auth import require_admin_access
from wagtail.documents import urls as wagtaildocs_urls

from content import views as content_views
from courses.counters import views as counters_views
from courses.registry import privacy_views
from courses.registry.site_history import ScopedLogEntriesView
from lms import health, offline, sites
from lms import views as lms_views

accounts_patterns = [
    path("login/", lms_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password/reset/", lms_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    # The installable web app: manifest, service worker (at the root, for the whole site's
    # scope) and the page shown for what is not stored on the device.
    path("manifest.webmanifest", offline.manifest, name="webmanifest"),
    path("sw.js", offline.service_worker, name="service_worker"),
    path("offline/", offline.offline_page, name="offline"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/", include(accounts_patterns)),
    # One throttled login for the site and the Wagtail admin.
    path(
        "admin/login/",
        RedirectView.as_view(url="/accounts/login/", query_string=True),
        name="admin_login_redirect",
    ),
    # Wagtail's admin password reset, throttled like the site's and sent by the same task.
    path(
        "admin/password_reset/",
        lms_views.AdminPasswordResetView.as_view(),
        name="wagtailadmin_password_reset",
    ),
    # Wagtail's site history, scoped like the registry: it names the cadres whose records
    # were edited (courses/registry/site_history.py). Before the admin, so that it takes the path.
    path(
        "admin/reports/site-history/",
        require_admin_access(ScopedLogEntriesView.as_view()),
        name="site_history_scoped",
    ),
    path(
        "admin/reports/site-history/results/",
        require_admin_access(ScopedLogEntriesView.as_view(results_only=True)),
        name="site_history_scoped_results",
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/", include("courses.counters.urls")),
    path("trainer/", include("courses.sessions.urls")),
    path("learn/", include("courses.learning.urls")),
    # The privacy notice (every footer links to it) and the page a learner accepts it on.
    path("privacy/", privacy_views.notice, name="privacy_notice"),
    path("privacy/accept/", privacy_views.accept, name="privacy_accept"),
    # Finding an administrative unit by name (the profile's search box).
    path("places/", include("courses.registry.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Search over courses, lessons and stories (content app), before Wagtail's catch-all.
urlpatterns += [path("search/", content_views.search, name="search")]
# The programme's figures for everyone (courses/counters), before Wagtail's catch-all too.
urlpatterns += [path("so-lieu/", counters_views.public_figures, name="public_figures")]

# Certificate verification (/verify/<code>/) and the learner's own certificates.
urlpatterns += [path("", include("certificates.urls"))]

# Wagtail's own front-end login (for login-restricted pages) goes through the same throttle.
urlpatterns += [
    path(
        "_util/login/",
        lms_views.LoginView.as_view(redirect_authenticated_user=False),
        name="wagtailcore_login",
    )
]

# Wagtail's page serving comes last: it catches every other path. Wagtail's own URLs, in its
# order, its page view given the request's site from the process's list (lms/sites.py).
urlpatterns += [
    re_path(url.pattern.regex.pattern, sites.serve_page, name=url.name)
    if url.name == "wagtail_serve"
    else url
    for url in wagtail_urls.urlpatterns
]

# Vietnamese error pages with the site's navigation; JSON for JSON endpoints (lms/errors.py).
handler403 = "lms.errors.permission_denied"
handler404 = "lms.errors.page_not_found"
handler500 = "lms.errors.server_error"
