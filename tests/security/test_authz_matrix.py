# ruff: noqa: E501 - the expectations table reads best one case per line
"""The authorisation matrix: every URL pattern of the URLconf against every role.

The list of patterns is generated from the URLconf (Wagtail's admin included), so a new view
cannot slip past: a pattern without an entry in EXPECTATIONS (or, for Wagtail's own admin
views, without a default rule) fails `test_every_url_pattern_has_an_expectation` with its
name. Each (pattern, role) gives the expected status, and no response may carry the personal
data (name, phone, e-mail markers) of anyone outside the caller's scope (tests/security/world).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from tests.security.world import ROLES, World, leaked_people, response_text, world_build

# --- Status shorthands -------------------------------------------------------------------------

OK = {200}
LOGIN = {302}  # to the login page
GONE = {404}
NOPE = {405}  # wrong method
DENY = {403, 404}  # refused, or not found because it is outside the caller's scope
ADMIN_DENY = {302, 403}  # Wagtail admin: no admin access (redirect to login) or 403
ADMIN_HIDDEN = {302, 403, 404}  # Wagtail admin: refused or outside the caller's scope


def r(anonymous, cadre, cadre2, trainer, admin_same, admin_other, central) -> dict:
    values = (anonymous, cadre, cadre2, trainer, admin_same, admin_other, central)
    return {
        role: ({v} if isinstance(v, int) else set(v)) for role, v in zip(ROLES, values, strict=True)
    }


def same(status) -> dict:
    return r(*([status] * len(ROLES)))


LOGGED_IN = r(LOGIN, OK, OK, OK, OK, OK, OK)
LOGGED_IN_POST_ONLY = r(LOGIN, NOPE, NOPE, NOPE, NOPE, NOPE, NOPE)
ADMINS_ONLY = r(LOGIN, ADMIN_DENY, ADMIN_DENY, ADMIN_DENY, OK, OK, OK)
CENTRAL_ONLY = r(LOGIN, ADMIN_DENY, ADMIN_DENY, ADMIN_DENY, ADMIN_DENY, ADMIN_DENY, OK)
# An object of province 10: its admin and central see it; province 20's admin does not.
PROVINCE_10_OBJECT = r(LOGIN, ADMIN_DENY, ADMIN_DENY, ADMIN_HIDDEN, OK, ADMIN_HIDDEN, OK)
TRAINERS_AND_ADMINS = r(LOGIN, ADMIN_DENY, ADMIN_DENY, OK, OK, OK, OK)


@dataclass
class Case:
    """One request: path from the world, expected status per role."""

    path: Callable[[World], str] | str
    expect: dict
    method: str = "get"
    data: dict | Callable[[World], dict] = field(default_factory=dict)
    public: set = field(default_factory=set)  # people anyone may see here (verification)
    note: str = ""

    def url(self, world: World) -> str:
        return self.path(world) if callable(self.path) else self.path


def viewset(prefix: str, pk: Callable[[World], int], *, index: dict, obj: dict, add: dict):
    """The patterns of a Wagtail ModelViewSet/SnippetViewSet mounted at admin/<prefix>/."""
    cases = {
        f"admin/{prefix}/": [Case(f"/admin/{prefix}/", index)],
        f"admin/{prefix}/results/": [Case(f"/admin/{prefix}/results/", index)],
    }
    for action in ("edit", "delete", "history", "history-results", "usage", "inspect", "copy"):
        cases[f"admin/{prefix}/{action}/<int:pk>/"] = [
            Case(lambda w, a=action: f"/admin/{prefix}/{a}/{pk(w)}/", obj)
        ]
    cases[f"admin/{prefix}/new/"] = [Case(f"/admin/{prefix}/new/", add)]
    cases[f"admin/{prefix}/add/"] = [Case(f"/admin/{prefix}/add/", add)]
    return cases


def _course(w: World) -> int:
    return w.tree.course.pk


# --- The project's own patterns: explicit entries -------------------------------------------

EXPECTATIONS: dict[str, list[Case]] = {
    # lms
    "healthz": [Case("/healthz", same({200, 503}))],
    "i18n/setlang/": [Case("/i18n/setlang/", same(302))],
    "jsi18n/": [Case("/jsi18n/", same(200))],
    "accounts/login/": [Case("/accounts/login/", r(OK, 302, 302, 302, 302, 302, 302))],
    "accounts/logout/": [Case("/accounts/logout/", same(NOPE))],
    "accounts/password/change/": [Case("/accounts/password/change/", LOGGED_IN)],
    "accounts/password/change/done/": [Case("/accounts/password/change/done/", LOGGED_IN)],
    "accounts/password/reset/": [Case("/accounts/password/reset/", same(200))],
    "accounts/password/reset/done/": [Case("/accounts/password/reset/done/", same(200))],
    "accounts/password/reset/<uidb64>/<token>/": [
        Case("/accounts/password/reset/MQ/bad-token/", same(200), note="invalid link page")
    ],
    "accounts/password/reset/complete/": [Case("/accounts/password/reset/complete/", same(200))],
    "admin/login/": [Case("/admin/login/", same(302))],
    "_util/login/": [Case("/_util/login/", same(200))],
    "_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/": [
        Case("/_util/authenticate_with_password/999999/999999/", same(GONE))
    ],
    "documents/^(\\d+)/(.*)$": [Case("/documents/999999/x.pdf", same(GONE))],
    "documents/authenticate_with_password/<int:restriction_id>/": [
        Case("/documents/authenticate_with_password/999999/", same(GONE))
    ],
    # content: search and Wagtail's page serving (home public, course tree behind login)
    "search/": [Case("/search/?q=Zzqxy", same(200)), Case("/search/?q=ma+tran", same(200))],
    "^((?:[\\w\\-]+/)*)$": [
        Case("/", same(200)),
        Case(lambda w: w.tree.course.url, LOGGED_IN),
        Case(lambda w: w.tree.lessons[0].url, LOGGED_IN),
        Case("/khong-co-trang-nay/", same(GONE)),
    ],
    # courses: the learner's pages (A owns the attempt; B is another cadre)
    "learn/": [Case("/learn/", LOGGED_IN)],
    "learn/profile/": [Case("/learn/profile/", LOGGED_IN)],
    "learn/courses/<int:course_id>/enrol/": [
        Case(lambda w: f"/learn/courses/{_course(w)}/enrol/", LOGGED_IN_POST_ONLY)
    ],
    "learn/lessons/<int:lesson_id>/done/": [
        Case(lambda w: f"/learn/lessons/{w.tree.lessons[0].pk}/done/", LOGGED_IN_POST_ONLY),
    ],
    "learn/courses/<int:course_id>/quiz/<int:quiz_id>/": [
        Case(
            lambda w: f"/learn/courses/{_course(w)}/quiz/{w.tree.quiz.pk}/",
            # A completed the course (quiz closed page or a new attempt); people without a
            # registry record are sent to the profile form first.
            r(LOGIN, {200, 403}, 200, 302, 302, 302, 302),
        )
    ],
    "learn/attempts/<int:attempt_id>/": [
        Case(lambda w: f"/learn/attempts/{w.attempts['A'].pk}/", r(LOGIN, OK, 403, 403, 403, 403, 403))
    ],
    "learn/attempts/<int:attempt_id>/answer/": [
        Case(lambda w: f"/learn/attempts/{w.attempts['A'].pk}/answer/", LOGGED_IN_POST_ONLY),
        Case(
            lambda w: f"/learn/attempts/{w.attempts['A'].pk}/answer/",
            r(LOGIN, {400, 403}, 403, 403, 403, 403, 403),
            method="post",
            data={"question": "1", "choices": ["1"]},
        ),
    ],
    "learn/attempts/<int:attempt_id>/submit/": [
        Case(lambda w: f"/learn/attempts/{w.attempts['A'].pk}/submit/", LOGGED_IN_POST_ONLY),
        Case(
            lambda w: f"/learn/attempts/{w.attempts['A'].pk}/submit/",
            r(LOGIN, {302, 400, 403}, 403, 403, 403, 403, 403),
            method="post",
        ),
    ],
    # courses: the trainer's session pages (the session is in province 10, trainer's own)
    "trainer/sessions/": [Case("/trainer/sessions/", r(LOGIN, 403, 403, OK, OK, OK, OK))],
    "trainer/sessions/<int:pk>/": [
        Case(lambda w: f"/trainer/sessions/{w.session.pk}/", r(LOGIN, 403, 403, OK, OK, GONE, OK)),
        Case(lambda w: f"/trainer/sessions/{w.session20.pk}/", r(LOGIN, 403, 403, GONE, GONE, OK, OK)),
    ],
    "trainer/sessions/<int:pk>/add/": [
        # POST-only: a GET is refused by method before anything is read.
        Case(lambda w: f"/trainer/sessions/{w.session.pk}/add/", r(LOGIN, {403, 405}, {403, 405}, {200, 302, 405}, {200, 302, 405}, {404, 405}, {200, 302, 405})),
        Case(lambda w: f"/trainer/sessions/{w.session20.pk}/add/", r(LOGIN, 403, 403, GONE, GONE, 302, 302), method="post", data=lambda w: {"cadre": w.cadres["P20"].pk}),
    ],
    "trainer/sessions/<int:pk>/new-person/": [
        Case(lambda w: f"/trainer/sessions/{w.session.pk}/new-person/", r(LOGIN, {403, 405}, {403, 405}, {200, 405}, {200, 405}, {404, 405}, {200, 405})),
        Case(lambda w: f"/trainer/sessions/{w.session20.pk}/new-person/", r(LOGIN, 403, 403, GONE, GONE, {200, 302, 400}, {200, 302, 400}), method="post"),
    ],
    "trainer/sessions/<int:pk>/held/": [
        Case(lambda w: f"/trainer/sessions/{w.session.pk}/held/", r(LOGIN, {403, 405}, {403, 405}, NOPE, NOPE, {404, 405}, NOPE)),
        Case(lambda w: f"/trainer/sessions/{w.session20.pk}/held/", r(LOGIN, 403, 403, GONE, GONE, {200, 302, 400}, {200, 302, 400}), method="post"),
    ],
    "trainer/sessions/<int:pk>/sign-in-sheet.pdf": [
        Case(lambda w: f"/trainer/sessions/{w.session.pk}/sign-in-sheet.pdf", r(LOGIN, 403, 403, OK, OK, GONE, OK)),
        Case(lambda w: f"/trainer/sessions/{w.session20.pk}/sign-in-sheet.pdf", r(LOGIN, 403, 403, GONE, GONE, OK, OK)),
    ],
    # courses: the figures
    "api/counters/": [
        Case("/api/counters/", r(401, 403, 403, 403, OK, OK, OK)),
        Case("/api/counters/?province=20", r(401, 403, 403, 403, 403, OK, OK)),
        Case("/api/counters/?by=province", r(401, 403, 403, 403, OK, OK, OK)),
    ],
    "admin/counters/": [Case("/admin/counters/", ADMINS_ONLY)],
    "admin/counters/export.xlsx": [Case("/admin/counters/export.xlsx", ADMINS_ONLY)],
    "admin/counters/export.csv": [Case("/admin/counters/export.csv", ADMINS_ONLY)],
    "admin/counters/export.pdf": [Case("/admin/counters/export.pdf", ADMINS_ONLY)],
    # courses: the registry import
    "admin/registry/import/": [Case("/admin/registry/import/", ADMINS_ONLY)],
    "admin/registry/import/<int:pk>/": [
        Case("/admin/registry/import/999999/", r(LOGIN, ADMIN_DENY, ADMIN_DENY, ADMIN_HIDDEN, GONE, GONE, GONE))
    ],
    "admin/registry/import/template.<str:fmt>": [
        Case("/admin/registry/import/template.csv", ADMINS_ONLY),
        Case("/admin/registry/import/template.xlsx", ADMINS_ONLY),
    ],
    # courses: enrolling others from the Wagtail admin (previews list people in scope only)
    "admin/learning/enrol/": [
        Case("/admin/learning/enrol/", TRAINERS_AND_ADMINS),
        Case("/admin/learning/enrol/", r(LOGIN, ADMIN_DENY, ADMIN_DENY, OK, OK, OK, OK), method="post",
             data=lambda w: {"course": w.tree.course.pk, "province_code": "20"}),
        Case("/admin/learning/enrol/", r(LOGIN, ADMIN_DENY, ADMIN_DENY, OK, OK, OK, OK), method="post",
             data=lambda w: {"course": w.tree.course.pk, "person": "0901110004"}),
        Case("/admin/learning/enrol/", r(LOGIN, ADMIN_DENY, ADMIN_DENY, OK, OK, OK, OK), method="post",
             data=lambda w: {"course": w.tree.course.pk, "level": "commune"}),
    ],
    # certificates
    "verify/<str:code>/": [
        Case(lambda w: f"/verify/{w.certificate.code}/", same(200), public={"A"}),
        Case("/verify/khong-co-ma-nay/", same(GONE)),
    ],
    "verify/<str:code>.json": [
        Case(lambda w: f"/verify/{w.certificate.code}.json", same(200), public={"A"}),
        Case("/verify/khong-co-ma-nay.json", same(GONE)),
    ],
    "certificates/mine/": [Case("/certificates/mine/", LOGGED_IN)],
    "certificates/<int:pk>/download/": [
        Case(lambda w: f"/certificates/{w.certificate.pk}/download/", r(LOGIN, OK, GONE, GONE, GONE, GONE, GONE))
    ],
    "admin/certificate/<int:pk>/": [
        Case(lambda w: f"/admin/certificate/{w.certificate.pk}/", PROVINCE_10_OBJECT)
    ],
    "admin/certificate/<int:pk>/revoke/": [
        Case(lambda w: f"/admin/certificate/{w.certificate.pk}/revoke/", r(LOGIN, ADMIN_DENY, ADMIN_DENY, ADMIN_HIDDEN | NOPE, {200, 405}, ADMIN_HIDDEN | NOPE, {200, 405})),
        # An empty form: refused for outsiders, a form error (never a revocation) for admins.
        Case(lambda w: f"/admin/certificate/{w.certificate.pk}/revoke/", r(LOGIN, ADMIN_DENY, ADMIN_DENY, ADMIN_HIDDEN, {200, 302, 400}, ADMIN_HIDDEN, {200, 302, 400}), method="post")
    ],
    "admin/certificate/<int:pk>/reissue/": [
        Case(lambda w: f"/admin/certificate/{w.certificate.pk}/reissue/", r(LOGIN, ADMIN_DENY, ADMIN_DENY, ADMIN_HIDDEN | NOPE, {200, 405}, ADMIN_HIDDEN | NOPE, {200, 405})),
        Case(lambda w: f"/admin/certificate/{w.certificate.pk}/reissue/", r(LOGIN, ADMIN_DENY, ADMIN_DENY, ADMIN_HIDDEN, {200, 302, 400}, ADMIN_HIDDEN, {200, 302, 400}), method="post")
    ],
    "admin/certificate/<int:pk>/pdf/": [
        Case(lambda w: f"/admin/certificate/{w.certificate.pk}/pdf/", PROVINCE_10_OBJECT)
    ],
    "admin/certificate-exports/": [
        Case("/admin/certificate-exports/", r(LOGIN, ADMIN_DENY, ADMIN_DENY, ADMIN_HIDDEN, {200, 405}, {200, 405}, {200, 405}))
    ],
    "admin/certificate-exports/<int:pk>/": [
        Case("/admin/certificate-exports/999999/", r(LOGIN, ADMIN_DENY, ADMIN_DENY, ADMIN_HIDDEN, GONE, GONE, GONE))
    ],
    "admin/certificate-exports/<int:pk>/file/": [
        Case("/admin/certificate-exports/999999/file/", r(LOGIN, ADMIN_DENY, ADMIN_DENY, ADMIN_HIDDEN, GONE, GONE, GONE))
    ],
}  # fmt: skip

# Wagtail admin viewsets for the project's models.
# The registry: admins see their province; a trainer sees the participants of their sessions
# (A), read-only. Units of the 2023 structure come from the package and are not editable.
TRAINER_READS_A = r(LOGIN, ADMIN_DENY, ADMIN_DENY, OK, OK, ADMIN_HIDDEN, OK)
EXPECTATIONS.update(
    viewset("registry/cadres", lambda w: w.cadres["A"].pk,
            index=r(LOGIN, ADMIN_DENY, ADMIN_DENY, OK, OK, OK, OK),
            obj=PROVINCE_10_OBJECT, add=ADMINS_ONLY)
)  # fmt: skip
EXPECTATIONS["admin/registry/cadres/inspect/<int:pk>/"] = [
    Case(lambda w: f"/admin/registry/cadres/inspect/{w.cadres['A'].pk}/", TRAINER_READS_A),
    Case(lambda w: f"/admin/registry/cadres/inspect/{w.cadres['OUT10'].pk}/", PROVINCE_10_OBJECT),
    Case(lambda w: f"/admin/registry/cadres/inspect/{w.cadres['P20'].pk}/",
         r(LOGIN, ADMIN_DENY, ADMIN_DENY, ADMIN_HIDDEN, ADMIN_HIDDEN, OK, OK)),
]  # fmt: skip
EXPECTATIONS["admin/registry/cadres/edit/<int:pk>/"] = [
    Case(lambda w: f"/admin/registry/cadres/edit/{w.cadres['A'].pk}/", PROVINCE_10_OBJECT),
    Case(lambda w: f"/admin/registry/cadres/edit/{w.cadres['P20'].pk}/",
         r(LOGIN, ADMIN_DENY, ADMIN_DENY, ADMIN_HIDDEN, ADMIN_HIDDEN, OK, OK)),
]  # fmt: skip
UNIT_READ_ONLY = r(
    LOGIN, ADMIN_DENY, ADMIN_DENY, ADMIN_HIDDEN, ADMIN_HIDDEN, ADMIN_HIDDEN, ADMIN_HIDDEN
)
EXPECTATIONS.update(
    viewset("registry/units", lambda w: w.p10.commune.pk,
            index=ADMINS_ONLY, obj=PROVINCE_10_OBJECT, add=ADMINS_ONLY)
)  # fmt: skip
for _action in ("edit", "delete"):
    EXPECTATIONS[f"admin/registry/units/{_action}/<int:pk>/"] = [
        Case(lambda w, a=_action: f"/admin/registry/units/{a}/{w.p10.commune.pk}/", UNIT_READ_ONLY)
    ]
# Sessions in the admin are for admins; trainers run theirs under /trainer/.
EXPECTATIONS.update(
    viewset("sessions", lambda w: w.session.pk,
            index=ADMINS_ONLY, obj=PROVINCE_10_OBJECT, add=ADMINS_ONLY)
)  # fmt: skip
# Certificates are listed and inspected in the admin, never created or edited there.
EXPECTATIONS.update(
    viewset("certificates", lambda w: w.certificate.pk,
            index=ADMINS_ONLY, obj=r(LOGIN, ADMIN_DENY, ADMIN_DENY, ADMIN_HIDDEN, ADMIN_HIDDEN, ADMIN_HIDDEN, ADMIN_HIDDEN),
            add=r(LOGIN, ADMIN_DENY, ADMIN_DENY, ADMIN_HIDDEN, ADMIN_HIDDEN, ADMIN_HIDDEN, ADMIN_HIDDEN))
)  # fmt: skip
EXPECTATIONS.update(
    viewset("indicators", lambda w: w.indicator_pk,
            index=CENTRAL_ONLY, obj=CENTRAL_ONLY, add=CENTRAL_ONLY)
)  # fmt: skip
EXPECTATIONS.update(
    viewset("indicator_targets", lambda w: w.indicator_target_pk,
            index=CENTRAL_ONLY, obj=CENTRAL_ONLY, add=CENTRAL_ONLY)
)  # fmt: skip
# Quizzes are snippets: trainers and admins write them.
QUIZ = r(LOGIN, ADMIN_DENY, ADMIN_DENY, OK, OK, OK, OK)
for _action in ("edit", "delete", "usage", "history", "history-results", "copy"):
    EXPECTATIONS[f"admin/snippets/content/quiz/{_action}/<int:pk>/"] = [
        Case(lambda w, a=_action: f"/admin/snippets/content/quiz/{a}/{w.tree.quiz.pk}/", QUIZ)
    ]
EXPECTATIONS["admin/snippets/content/quiz/add/"] = [Case("/admin/snippets/content/quiz/add/", QUIZ)]
EXPECTATIONS.update(
    {
        "admin/snippets/content/quiz/": [Case("/admin/snippets/content/quiz/", QUIZ)],
        "admin/snippets/content/quiz/results/": [
            Case("/admin/snippets/content/quiz/results/", QUIZ)
        ],
        "admin/snippets/choose/content/quiz/": [Case("/admin/snippets/choose/content/quiz/", QUIZ)],
        "admin/snippets/choose/content/quiz/results/": [
            Case("/admin/snippets/choose/content/quiz/results/", QUIZ)
        ],
        "admin/snippets/choose/content/quiz/chosen/<str:pk>/": [
            Case(lambda w: f"/admin/snippets/choose/content/quiz/chosen/{w.tree.quiz.pk}/", QUIZ)
        ],
        "admin/snippets/choose/content/quiz/chosen-multiple/": [
            Case("/admin/snippets/choose/content/quiz/chosen-multiple/", QUIZ)
        ],
        "admin/snippets/choose/content/quiz/create/": [
            Case("/admin/snippets/choose/content/quiz/create/", r(LOGIN, ADMIN_DENY, ADMIN_DENY, {200, 405}, {200, 405}, {200, 405}, {200, 405}))
        ],
    }
)  # fmt: skip

# Wagtail's admin views that are public by design (password reset, the icon sprite, the
# translation catalogue) and its deliberate error page.
EXPECTATIONS.update(
    {
        "admin/password_reset/": [Case("/admin/password_reset/", same(200))],
        "admin/password_reset/done/": [Case("/admin/password_reset/done/", same(200))],
        "admin/password_reset/confirm/<uidb64>/<token>/": [
            Case("/admin/password_reset/confirm/MQ/bad-token/", same(200))
        ],
        "admin/password_reset/complete/": [Case("/admin/password_reset/complete/", same(200))],
        "admin/sprite/": [Case("/admin/sprite/", same(200))],
        "admin/jsi18n/": [Case("/admin/jsi18n/", same(200))],
        # Wagtail's "failwhale" raises on purpose to test the 500 page; outsiders never reach it.
        "admin/failwhale/": [
            Case("/admin/failwhale/", r(LOGIN, ADMIN_DENY, ADMIN_DENY, 500, 500, 500, 500))
        ],
    }
)


# lms: personal API tokens in Wagtail's own token admin (lms/wagtail_hooks.py), for counters
# readers, each their own tokens only (the token here is the province-10 admin's: everyone
# else gets 404, the central admin too, as no role has auth.change_user).
def _api_token_of_admin_same(w: World) -> int:
    from wagtail.models import APIToken

    if not hasattr(w, "api_token_pk"):
        w.api_token_pk = APIToken.create_token(user=w.users["admin_same"], name="ma trận")[0].pk
    return w.api_token_pk


OWN_TOKEN = r(LOGIN, ADMIN_DENY, ADMIN_DENY, ADMIN_HIDDEN, OK, GONE, GONE)
EXPECTATIONS.update(
    viewset("api-tokens", _api_token_of_admin_same, index=ADMINS_ONLY, obj=OWN_TOKEN, add=ADMINS_ONLY)
)  # fmt: skip
EXPECTATIONS["admin/api-tokens/new/"].append(
    Case("/admin/api-tokens/new/", ADMINS_ONLY, method="post", data={"name": ""})
)
EXPECTATIONS["admin/api-tokens/delete/<int:pk>/"].append(
    Case(lambda w: f"/admin/api-tokens/delete/{_api_token_of_admin_same(w)}/", r(LOGIN, ADMIN_DENY, ADMIN_DENY, ADMIN_HIDDEN, 302, GONE, GONE), method="post")
)  # fmt: skip

# Known bugs, reported to their owners: {route: reason}. The matrix tolerates a 500 there
# only. (The registry and session viewsets' history/usage 500s were listed here and are fixed.)
KNOWN_BUGS: dict[str, str] = {}

PROJECT_MODULES = ("lms.", "content.", "courses.", "certificates.")
PROJECT_ADMIN_PREFIXES = (
    "admin/counters/", "admin/registry/", "admin/sessions/", "admin/certificate",
    "admin/indicator", "admin/snippets/content/", "admin/snippets/choose/content/",
    "admin/api-tokens/",  # Wagtail's token views, mounted by lms/wagtail_hooks.py
)  # fmt: skip


# --- The URLconf, walked ------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    route: str  # the concatenated pattern text: the key of EXPECTATIONS
    name: str | None
    lookup: str  # the view's dotted path

    @property
    def is_project(self) -> bool:
        return self.lookup.startswith(PROJECT_MODULES) or self.route.startswith(
            PROJECT_ADMIN_PREFIXES
        )

    @property
    def is_wagtail_admin(self) -> bool:
        return self.route.startswith("admin/") and not self.is_project


def url_patterns() -> list[Pattern]:
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield Pattern(prefix + str(p.pattern), p.name, p.lookup_str)

    return list(walk(get_resolver().url_patterns))


def sample_path(route: str) -> str | None:
    """A concrete path for a Wagtail admin pattern: ids that exist nowhere, 'zz' for text."""
    path = route.replace("^", "").replace("$", "")
    # Regular-expression groups first: digits, then a group's first literal alternative.
    path = re.sub(r"\(\?P<\w+>\\d\+\)|\(\\d\+\)", "999999", path)
    path = re.sub(r"\(\?P<\w+>(\w+)\|[^)]*\)", r"\1", path)
    path = re.sub(r"\(\?P<\w+>[^)]*\)|\([^)]*\)", "zz", path)
    path = path.replace(".*", "zz").replace("\\", "")
    # Then path converters.
    path = re.sub(r"<int:\w+>", "999999", path)
    path = re.sub(r"<(?:str|slug|uuid|path):\w+>|<\w+>", "zz", path)
    if re.search(r"[()<>\[\]*+?|]", path):
        return None
    return "/" + path


def _same_route(a: str, b: str) -> bool:
    def norm(route: str) -> str:
        return route.replace("^", "").replace("$", "")

    return norm(a) in (norm(b), norm(b.split("/", 1)[1]))


def wagtail_admin_default(pattern: Pattern) -> Case | None:
    """Wagtail's own admin views: nobody outside the admin gets in, staff never get a 5xx."""
    path = sample_path(pattern.route)
    if path is None:
        return None
    staff = {200, 302, 400, 403, 404, 405}
    return Case(
        path,
        r(
            {302, 401, 403, 404},  # anonymous: login redirect (or a bare 401/403/404)
            {302, 403, 404},  # a cadre has no admin access
            {302, 403, 404},
            staff,
            staff,
            staff,
            staff,
        ),  # fmt: skip
        note="Wagtail admin default rule",
    )


def cases_for(pattern: Pattern) -> list[Case] | None:
    if pattern.route in EXPECTATIONS:
        return EXPECTATIONS[pattern.route]
    if pattern.is_wagtail_admin:
        case = wagtail_admin_default(pattern)
        return [case] if case else None
    return None


def test_every_url_pattern_has_an_expectation():
    missing = [
        f"{p.route!r} (name={p.name}, view={p.lookup})"
        for p in url_patterns()
        if cases_for(p) is None
    ]
    assert not missing, (
        "These URL patterns have no entry in tests/security/test_authz_matrix.py "
        "EXPECTATIONS; add one with the expected status for every role:\n  " + "\n  ".join(missing)
    )


def test_expectations_name_only_patterns_that_exist():
    routes = {p.route for p in url_patterns()}
    stale = sorted(set(EXPECTATIONS) - routes)
    # Viewset helpers add add/ and inspect/ variants that a viewset may not have.
    stale = [s for s in stale if not re.search(r"/(new|add|inspect|copy)/", s)]
    assert not stale, f"Expectations for patterns that no longer exist: {stale}"


def test_default_rule_paths_resolve_to_their_own_pattern():
    """The sample paths used for Wagtail's admin views really reach the view under test."""
    wrong = []
    for p in url_patterns():
        if not p.is_wagtail_admin or p.route in EXPECTATIONS:
            continue
        path = sample_path(p.route)
        try:
            match = resolve(path)
        except Resolver404:
            wrong.append(f"{p.route} -> {path} does not resolve")
            continue
        # Several patterns share a view class; the route reached must be this one.
        if not _same_route(match.route, p.route):
            wrong.append(f"{p.route} -> {path} reaches {match.route}")
    assert not wrong, "\n".join(wrong)


# --- Running the matrix ---------------------------------------------------------------------


@pytest.fixture
def world(db, settings, tmp_path, django_capture_on_commit_callbacks):
    from lms.celery import app

    settings.MEDIA_ROOT = tmp_path / "media"
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            built = world_build()
        from courses.models import Indicator, IndicatorTarget

        indicator = Indicator.objects.order_by("pk").first()
        built.indicator_pk = indicator.pk
        built.indicator_target_pk = IndicatorTarget.objects.create(
            indicator=indicator, province_code="10", target=100
        ).pk
        built.certificate.refresh_from_db()
        yield built
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def _request(world: World, client, case: Case, path: str):
    if case.method == "post":
        data = case.data(world) if callable(case.data) else case.data
        return client.post(path, data)
    return client.get(path)


def run_matrix(
    world: World, patterns: list[Pattern], *, known_bugs: dict | None = None
) -> tuple[list[str], list[str]]:
    known_bugs = KNOWN_BUGS if known_bugs is None else known_bugs
    wrong_status, leaks = [], []
    for pattern in patterns:
        for case in cases_for(pattern) or []:
            path = case.url(world)
            for role in ROLES:
                response = _request(world, world.client(role), case, path)
                expected = case.expect[role]
                if response.status_code == 500 and pattern.route in known_bugs:
                    continue
                if response.status_code not in expected:
                    wrong_status.append(
                        f"{case.method.upper()} {path} as {role}: {response.status_code}, "
                        f"expected {sorted(expected)}  [{pattern.route}]"
                    )
                if response.status_code < 300:
                    data = case.data(world) if callable(case.data) else case.data
                    leaked = leaked_people(
                        role,
                        response_text(response),
                        also_allowed=case.public,
                        request=f"{path} {data}",
                    )
                    if leaked:
                        leaks.append(f"{case.method.upper()} {path} as {role} shows {leaked}")
    return wrong_status, leaks


def test_project_views_give_each_role_the_expected_status_and_no_one_elses_data(world):
    patterns = [p for p in url_patterns() if not p.is_wagtail_admin]
    wrong_status, leaks = run_matrix(world, patterns)
    assert not leaks, "Personal data outside the caller's scope:\n" + "\n".join(leaks)
    assert not wrong_status, "\n".join(wrong_status)


def test_wagtail_admin_views_keep_outsiders_out_and_no_one_elses_data(world):
    patterns = [p for p in url_patterns() if p.is_wagtail_admin]
    assert len(patterns) > 150, "the Wagtail admin's patterns were not found"
    wrong_status, leaks = run_matrix(world, patterns)
    assert not leaks, "Personal data outside the caller's scope:\n" + "\n".join(leaks)
    assert not wrong_status, "\n".join(wrong_status)


def test_listings_show_each_admin_their_people_so_the_leak_check_can_see(world):
    """The positive control: markers do render where they are in scope."""
    from tests.security.world import PEOPLE

    def shown(role: str) -> set[str]:
        text = response_text(world.client(role).get("/admin/registry/cadres/"))
        return {key for key, (name, _phone) in PEOPLE.items() if name in text}

    assert shown("central") == set(PEOPLE)
    assert shown("admin_same") == {"A", "B", "OUT10"}
    assert shown("admin_other") == {"P20"}
