# ruff: noqa: E501 - the expectations table reads best one case per line
"""The authorisation matrix: every URL pattern of the URLconf against every role.

The list of patterns is generated from the URLconf (Wagtail's admin included), so a new view
cannot slip past:

- every pattern needs an expectation: an entry in EXPECTATIONS (explicit paths), a RULE (paths
  generated from the world's objects) or, for Wagtail's own admin, a WAGTAIL_RULE; a pattern
  with none fails `test_every_url_pattern_has_an_expectation` with its name;
- every pattern with kwargs is probed with ids of objects that exist (tests/security/urlconf.py
  fills them from the world: pages of each type, quizzes, cadres and units of each province,
  sessions, certificates, exports, imports, users, media, workflow states...); a pattern that
  gets no real id fails `test_every_pattern_with_kwargs_is_probed_with_real_ids`;
- each (pattern, object, role) gives the expected outcome (a status, or for a redirect where
  it goes: to log in, to the admin's home with "permission denied", or elsewhere), and no
  response carries the personal data of anyone outside the caller's scope (world.py);
- every role that may not use a pattern POSTs to it too (with the form a superuser is shown,
  and the test client's CSRF pass): it must be refused, and the database must not change
  (test_refused_posts_change_nothing); a few allowed POSTs show the probe sees success.

The GET walk runs once per session (tests/security/conftest.py: `matrix_walk`), in a world
whose names carry HTML and formula markers; tests/security/test_web_security.py checks the
same responses for escaping and for formula cells in exports.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from tests.security.urlconf import (
    NO_REAL_OBJECT,
    DatabaseWatch,
    Fill,
    Pattern,
    db_fingerprint,
    fill_route,
    fingerprint_diff,
    form_data,
    kwarg_fills,
    kwargs_are_real,
    refused,
    resolved_kwargs,
    url_patterns,
)
from tests.security.world import ROLES, World

# Database tests, though most only read the session's walk: pytest-django runs them with the
# other database tests, before the transactional ones, which leave the tables empty behind
# them (found by CI: run last, the walk found no root page to build its world on).
# The walk requests every URL pattern as every role, once per module: its time grows with the
# site. The limit is there to stop a hung test, not to measure speed (benchmarks do that).
pytestmark = [pytest.mark.django_db, pytest.mark.timeout(1500)]

# --- Outcomes ------------------------------------------------------------------------------------
# A response's outcome is its status code, except for a redirect, which is named by where it
# goes (tests/security/urlconf.py: outcome()).

OK = {200}
LOGIN = {"login"}  # 302 to a login page
REDIRECT = {"redirect"}  # 302 anywhere else than a login page or the admin's home
GONE = {404}
NOPE = {405}  # wrong method: a POST-only view (who may POST is then declared)
# The Wagtail admin, signed in without admin access (cadres): the site's 403 page with a way
# back. Was {"login"}: Wagtail sent them to the login page, which sent a signed-in person back
# to /admin/, a loop the browser gave up on (lms.middleware.AdminAccessMiddleware).
ADMIN_DENY = {403}
NO_PERM = {"denied", 403}  # the admin, without the permission: Wagtail's "permission denied"
HIDDEN = {404}  # the admin, with the permission, for an object outside the caller's scope
ADMIN_HIDDEN = NO_PERM | HIDDEN
REFUSALS = {"login", "denied", 401, 403, 404}
OUTSIDERS = frozenset({"anonymous", "cadre", "cadre2"})


def _this_year() -> int:
    from django.utils import timezone

    return timezone.localdate().year


def r(anonymous, cadre, cadre2, trainer, admin_same, admin_other, central) -> dict:
    values = (anonymous, cadre, cadre2, trainer, admin_same, admin_other, central)
    return {
        role: ({v} if isinstance(v, int | str) else set(v))
        for role, v in zip(ROLES, values, strict=True)
    }


def same(status) -> dict:
    return r(*([status] * len(ROLES)))


def seen_by(roles: set[str], *, ok=OK, trainer=ADMIN_HIDDEN, admins=ADMIN_HIDDEN) -> dict:
    """An admin view of one object: outsiders sent to log in, `roles` get `ok`, other staff are
    refused (`trainer`: without the permission, or `admins`: outside their scope)."""
    return r(
        LOGIN, ADMIN_DENY, ADMIN_DENY,
        ok if "trainer" in roles else trainer,
        *[ok if role in roles else admins for role in ("admin_same", "admin_other", "central")],
    )  # fmt: skip


LOGGED_IN = r(LOGIN, OK, OK, OK, OK, OK, OK)
LOGGED_IN_POST_ONLY = r(LOGIN, NOPE, NOPE, NOPE, NOPE, NOPE, NOPE)
STAFF = r(LOGIN, ADMIN_DENY, ADMIN_DENY, OK, OK, OK, OK)
ADMINS_ONLY = r(LOGIN, ADMIN_DENY, ADMIN_DENY, NO_PERM, OK, OK, OK)
CENTRAL_ONLY = r(LOGIN, ADMIN_DENY, ADMIN_DENY, NO_PERM, NO_PERM, NO_PERM, OK)
NOBODY = r(LOGIN, ADMIN_DENY, ADMIN_DENY, NO_PERM, NO_PERM, NO_PERM, NO_PERM)
STAFF_POST_ONLY = r(LOGIN, ADMIN_DENY, ADMIN_DENY, NOPE, NOPE, NOPE, NOPE)
STAFF_GONE = r(LOGIN, ADMIN_DENY, ADMIN_DENY, GONE, GONE, GONE, GONE)
STAFF_REDIRECT = r(LOGIN, ADMIN_DENY, ADMIN_DENY, REDIRECT, REDIRECT, REDIRECT, REDIRECT)
TRAINERS_AND_ADMINS = STAFF


@dataclass
class Case:
    """One request: a path (from the world), the expected outcome per role.

    post_refused: the roles whose POST to this path must be refused and change nothing. By
    default, the roles whose GET is refused; a POST-only view (GET 405) must declare them.
    """

    path: Callable[[World], str] | str
    expect: dict
    method: str = "get"
    data: dict | Callable[[World], dict] = field(default_factory=dict)
    public: set = field(default_factory=set)  # people anyone may see here (verification)
    forbid: bytes = b""  # bytes no one may receive here (a document behind a password)
    post_refused: frozenset | None = None
    post_data: Callable[[World], dict] | None = None  # what they POST (default: the form)
    post_refusal: frozenset = frozenset()  # statuses that also refuse here, with a reason
    labels: tuple = ()  # the world objects the path names

    def url(self, world: World) -> str:
        return self.path(world) if callable(self.path) else self.path

    def refused_roles(self) -> frozenset | None:
        """Who must be refused a POST here (None: undeclared for a POST-only view)."""
        if self.post_refused is not None:
            return frozenset(self.post_refused)
        if any(405 in statuses for statuses in self.expect.values()):
            return None
        return frozenset(role for role, statuses in self.expect.items() if statuses <= REFUSALS)


@dataclass
class Rule:
    """Expectations for the paths generated from the world's objects (urlconf.kwarg_fills):
    `expect(labels)` gives the outcome per role for the objects a path names; the other
    fields as in Case, and post_refused may depend on the objects too."""

    expect: Callable[[tuple], dict] | dict
    public: Callable[[tuple], set] | set = field(default_factory=set)
    forbid: Callable[[tuple], bytes] | bytes = b""
    post_refused: Callable[[tuple], frozenset] | frozenset | None = None
    post_data: Callable[[World, Fill], dict] | None = None
    post_refusal: frozenset = frozenset()

    def case(self, path: str, fill: Fill) -> Case:
        def value(v):
            return v(fill.labels) if callable(v) else v

        post_data = self.post_data
        return Case(
            path, value(self.expect), public=value(self.public), forbid=value(self.forbid),
            post_refused=value(self.post_refused), labels=fill.labels,
            post_data=(lambda w: post_data(w, fill)) if post_data else None,
            post_refusal=self.post_refusal,
        )  # fmt: skip


def by_label(table: dict[str, dict], default: dict | None = None) -> Callable[[tuple], dict]:
    """Expectations picked by the first label of the path that the table names."""

    def pick(labels: tuple) -> dict:
        for label in labels:
            if label in table:
                return table[label]
        if default is None:
            raise KeyError(f"no expectation for {labels}")
        return default

    return pick


# --- Who sees which scoped object --------------------------------------------------------------
# The registry, sessions, certificates, exports and imports are scoped: a province admin sees
# their province; the trainer sees, read-only, the participants of their own session (A).

P10 = {"admin_same", "central"}
P20 = {"admin_other", "central"}
SEES = {
    "cadre:A": P10 | {"trainer"}, "cadre:B": P10, "cadre:OUT10": P10, "cadre:P20": P20,
    "unit:village10": P10, "unit:commune10": P10, "unit:commune20": P20,
    "session:10": P10, "session:20": P20,
    "certificate:A": P10, "certificate:P20": P20,
    # Exports and imports: the admin who asked for them, and central admins.
    "export:10": P10, "export:20": P20, "import_job:10": P10,
    # API tokens: one's own only (nobody here may manage other people's).
    "token:admin_same": {"admin_same"}, "token:admin_other": {"admin_other"},
}  # fmt: skip
# Choosing a unit in the admin's unit chooser: the admins who see it, and trainers.
CHOOSES_UNIT = {
    label: roles | {"trainer"} for label, roles in SEES.items() if label.startswith("unit:")
}
# Changing and deleting: only admins; units of the official lists are read-only, villages not.
EDITS = {label: roles - {"trainer"} for label, roles in SEES.items()} | {
    "unit:commune10": set(),
    "unit:commune20": set(),
}


def scoped(table: dict[str, set[str]], **kwargs) -> Callable[[tuple], dict]:
    def pick(labels: tuple) -> dict:
        for label in labels:
            if label in table:
                return seen_by(table[label], **kwargs)
        raise KeyError(f"no scope for {labels}")

    return pick


def refused_outside(table: dict[str, set[str]]) -> Callable[[tuple], frozenset]:
    """For POST-only views: everyone outside the object's scope is refused."""

    def pick(labels: tuple) -> frozenset:
        for label in labels:
            if label in table:
                return frozenset(ROLES) - table[label]
        raise KeyError(f"no scope for {labels}")

    return pick


def _course(w: World) -> int:
    return w.tree.course.pk


# --- The project's own patterns ------------------------------------------------------------------
# EXPECTATIONS: explicit paths (by route). RULES: paths generated from the world's objects
# (by pattern name, or by route for unnamed patterns).

EXPECTATIONS: dict[str, list[Case]] = {
    # lms
    "healthz": [Case("/healthz", same({200, 503}))],
    # The installable app: its manifest, its service worker and the offline page are public.
    "manifest.webmanifest": [Case("/manifest.webmanifest", same(200))],
    "sw.js": [Case("/sw.js", same(200))],
    "offline/": [Case("/offline/", same(200))],
    # What to store of a course for offline study: for the learners enrolled in it (both are).
    "learn/offline/courses/<int:course_id>/": [
        Case(lambda w: f"/learn/offline/courses/{_course(w)}/", r(401, OK, OK, 403, 403, 403, 403))
    ],
    # A device's queued work: POST only, by the signed-in learner whose work it is.
    "learn/offline/sync/": [
        Case("/learn/offline/sync/", same(405), post_refused=frozenset({"anonymous"}))
    ],
    # The knowledge gain: admins in their scope; a trainer names one of their sessions.
    "api/knowledge-gain/": [
        Case("/api/knowledge-gain/", r(401, 403, 403, 403, OK, OK, OK)),
        Case("/api/knowledge-gain/?province=20", r(401, 403, 403, 403, 403, OK, OK)),
    ],
    "i18n/setlang/": [Case("/i18n/setlang/", same(REDIRECT))],
    "jsi18n/": [Case("/jsi18n/", same(200))],
    "accounts/login/": [Case("/accounts/login/", r(OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT))],
    # Logging out is everyone's own business: a POST by anyone is allowed.
    "accounts/logout/": [Case("/accounts/logout/", same(NOPE), post_refused=frozenset())],
    "accounts/password/change/": [Case("/accounts/password/change/", LOGGED_IN)],
    "accounts/password/change/done/": [Case("/accounts/password/change/done/", LOGGED_IN)],
    "accounts/password/reset/": [Case("/accounts/password/reset/", same(200))],
    "accounts/password/reset/done/": [Case("/accounts/password/reset/done/", same(200))],
    "accounts/password/reset/complete/": [Case("/accounts/password/reset/complete/", same(200))],
    "admin/login/": [Case("/admin/login/", same(LOGIN))],
    "_util/login/": [Case("/_util/login/", same(200))],
    # content: search and Wagtail's page serving (home public, course tree behind login)
    "search/": [Case("/search/?q=Zzqxy", same(200)), Case("/search/?q=ma+tran", same(200))],
    "so-lieu/": [Case("/so-lieu/", same(200))],
    "^((?:[\\w\\-]+/)*)$": [
        Case("/", same(200)),
        # The catalogue is public; its lessons ask for a login.
        Case(lambda w: w.tree.course.url, same(200)),
        Case(lambda w: w.tree.lessons[0].url, LOGGED_IN),
        Case(lambda w: w.extra["page:story"].url, same(200)),
        # Behind a password: the password form, for everyone.
        Case(lambda w: w.extra["page:standard"].url, same(200)),
        Case("/khong-co-trang-nay/", same(GONE)),
    ],
    # courses: the learner's pages (A owns the attempt; B is another cadre)
    "learn/": [Case("/learn/", LOGGED_IN)],
    "learn/profile/": [Case("/learn/profile/", LOGGED_IN)],
    # A person's own data: those with a registry record (the cadres); nobody else has any.
    "learn/profile/data.json": [Case("/learn/profile/data.json", r(LOGIN, OK, OK, GONE, GONE, GONE, GONE))],
    "learn/profile/data.xlsx": [Case("/learn/profile/data.xlsx", r(LOGIN, OK, OK, GONE, GONE, GONE, GONE))],
    # Withdrawing or giving consent, asking for a correction or erasure: one's own record only
    # (a POST by someone without one is a 404 and changes nothing).
    "learn/profile/consent/withdraw/": [Case("/learn/profile/consent/withdraw/", LOGGED_IN_POST_ONLY, post_refused=frozenset(ROLES) - {"cadre", "cadre2"})],
    "learn/profile/consent/give/": [Case("/learn/profile/consent/give/", LOGGED_IN_POST_ONLY, post_refused=frozenset(ROLES) - {"cadre", "cadre2"})],
    "learn/profile/requests/": [Case("/learn/profile/requests/", LOGGED_IN_POST_ONLY, post_refused=frozenset(ROLES) - {"cadre", "cadre2"})],
    # The privacy notice: public; accepting it is for the signed-in.
    "privacy/": [Case("/privacy/", same(200))],
    "privacy/accept/": [Case("/privacy/accept/", LOGGED_IN, post_refused=frozenset({"anonymous"}))],
    # Enrolling and marking a lesson done are anyone's own: only the anonymous are refused.
    "learn/courses/<int:course_id>/enrol/": [
        Case(lambda w: f"/learn/courses/{_course(w)}/enrol/", LOGGED_IN_POST_ONLY, post_refused=frozenset({"anonymous"}))
    ],
    "learn/lessons/<int:lesson_id>/done/": [
        Case(lambda w: f"/learn/lessons/{w.tree.lessons[0].pk}/done/", LOGGED_IN_POST_ONLY, post_refused=frozenset({"anonymous"})),
    ],
    "learn/courses/<int:course_id>/quiz/<int:quiz_id>/": [
        Case(
            lambda w: f"/learn/courses/{_course(w)}/quiz/{w.tree.quiz.pk}/",
            # People without a registry record are sent to the profile form first.
            r(LOGIN, OK, OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        )
    ],
    "learn/attempts/<int:attempt_id>/": [
        Case(lambda w: f"/learn/attempts/{w.attempts['A'].pk}/", r(LOGIN, OK, 403, 403, 403, 403, 403)),
        Case(lambda w: f"/learn/attempts/{w.attempts['B'].pk}/", r(LOGIN, 403, OK, 403, 403, 403, 403)),
    ],
    "learn/attempts/<int:attempt_id>/answer/": [
        Case(lambda w: f"/learn/attempts/{w.attempts['A'].pk}/answer/", LOGGED_IN_POST_ONLY, post_refused=frozenset(ROLES) - {"cadre"}),
        Case(
            lambda w: f"/learn/attempts/{w.attempts['A'].pk}/answer/",
            r(LOGIN, {400, 403}, 403, 403, 403, 403, 403),
            method="post",
            data={"question": "1", "choices": ["1"]},
        ),
    ],
    "learn/attempts/<int:attempt_id>/submit/": [
        Case(lambda w: f"/learn/attempts/{w.attempts['A'].pk}/submit/", LOGGED_IN_POST_ONLY, post_refused=frozenset(ROLES) - {"cadre"}),
        Case(
            lambda w: f"/learn/attempts/{w.attempts['A'].pk}/submit/",
            r(LOGIN, {"redirect", 400, 403}, 403, 403, 403, 403, 403),
            method="post",
        ),
    ],
    # The quiz page stored on a device answers and submits to the course's quiz: the learners
    # enrolled in the course (both cadres are), nobody else.
    "learn/courses/<int:course_id>/quiz/<int:quiz_id>/answer/": [
        Case(lambda w: f"/learn/courses/{_course(w)}/quiz/{w.tree.quiz.pk}/answer/", LOGGED_IN_POST_ONLY, post_refused=frozenset(ROLES) - {"cadre", "cadre2"}),
        Case(
            lambda w: f"/learn/courses/{_course(w)}/quiz/{w.tree.quiz.pk}/answer/",
            r(LOGIN, {200, 400, 403}, {200, 400, 403}, 403, 403, 403, 403),
            method="post",
            data={"question": "1", "choices": ["1"]},
        ),
    ],
    "learn/courses/<int:course_id>/quiz/<int:quiz_id>/submit/": [
        Case(lambda w: f"/learn/courses/{_course(w)}/quiz/{w.tree.quiz.pk}/submit/", LOGGED_IN_POST_ONLY, post_refused=frozenset(ROLES) - {"cadre", "cadre2"}),
        Case(
            lambda w: f"/learn/courses/{_course(w)}/quiz/{w.tree.quiz.pk}/submit/",
            r(LOGIN, {"redirect", 200, 400, 403}, {"redirect", 200, 400, 403}, 403, 403, 403, 403),
            method="post",
        ),
    ],
    # courses: the trainer's session pages (the session is in province 10, trainer's own)
    "trainer/sessions/": [Case("/trainer/sessions/", r(LOGIN, 403, 403, OK, OK, OK, OK))],
    # courses: the figures
    "api/counters/": [
        Case("/api/counters/", r(401, 403, 403, 403, OK, OK, OK)),
        Case("/api/counters/?province=20", r(401, 403, 403, 403, 403, OK, OK)),
        Case("/api/counters/?by=province", r(401, 403, 403, 403, OK, OK, OK)),
    ],
    "admin/counters/": [Case("/admin/counters/", ADMINS_ONLY), Case("/admin/counters/?province=10", ADMINS_ONLY)],
    "admin/counters/export.xlsx": [Case("/admin/counters/export.xlsx", ADMINS_ONLY), Case("/admin/counters/export.xlsx?province=10", ADMINS_ONLY)],
    "admin/counters/export.csv": [Case("/admin/counters/export.csv", ADMINS_ONLY), Case("/admin/counters/export.csv?province=10", ADMINS_ONLY)],
    "admin/counters/export.pdf": [Case("/admin/counters/export.pdf", ADMINS_ONLY)],
    # The DHIS2 exports (of this year, when the world's completions were recorded), scoped like
    # the figures; the mapping is central admins' (RULES).
    "api/dhis2/dataValueSets": [
        Case(lambda w: f"/api/dhis2/dataValueSets?period={_this_year()}", r(401, 403, 403, 403, OK, OK, OK)),
        Case(lambda w: f"/api/dhis2/dataValueSets?period={_this_year()}&province=20", r(401, 403, 403, 403, 403, OK, OK)),
        Case("/api/dhis2/dataValueSets?period=2026Q5", r(401, 403, 403, 403, 400, 400, 400)),
    ],
    "api/dhis2/adx": [
        Case(lambda w: f"/api/dhis2/adx?period={_this_year()}", r(401, 403, 403, 403, OK, OK, OK)),
        Case(lambda w: f"/api/dhis2/adx?period={_this_year()}&province=20", r(401, 403, 403, 403, 403, OK, OK)),
    ],
    "admin/counters/dhis2/": [
        Case("/admin/counters/dhis2/", ADMINS_ONLY),
        Case(lambda w: f"/admin/counters/dhis2/?period={_this_year()}&format=json&structure=2025&province=&id_scheme=code", ADMINS_ONLY),
    ],
    # courses: the registry import
    "admin/registry/import/": [Case("/admin/registry/import/", ADMINS_ONLY)],
    # courses: the admins' to-do list of records whose new commune is not decided
    "admin/registry/undecided/": [Case("/admin/registry/undecided/", ADMINS_ONLY)],
    # courses: enrolling others from the Wagtail admin (previews list people in scope only)
    "admin/learning/enrol/": [
        Case("/admin/learning/enrol/", TRAINERS_AND_ADMINS),
        # The unit is picked in the unit chooser, which posts its id: another province's is
        # not one of a province admin's choices (a form error, nobody listed).
        Case("/admin/learning/enrol/", STAFF, method="post",
             data=lambda w: {"course": w.tree.course.pk, "unit": w.extra["unit:commune20"].pk}),
        Case("/admin/learning/enrol/", STAFF, method="post",
             data=lambda w: {"course": w.tree.course.pk, "person": "0901110004"}),
        Case("/admin/learning/enrol/", STAFF, method="post",
             data=lambda w: {"course": w.tree.course.pk, "level": "commune"}),
    ],
    # courses: the item analysis of a course's quizzes (figures over the caller's scope)
    "admin/learning/item-analysis/": [
        Case("/admin/learning/item-analysis/", TRAINERS_AND_ADMINS),
        Case(lambda w: f"/admin/learning/item-analysis/?course={w.tree.course.pk}", TRAINERS_AND_ADMINS),
    ],
    # courses: finding a unit by name (the profile's search box): the official lists are
    # public, for anyone signed in.
    "places/units/": [Case("/places/units/?q=xa", LOGGED_IN), Case("/places/units/?q=thon&structure=2023", LOGGED_IN)],
    # certificates
    "certificates/mine/": [Case("/certificates/mine/", LOGGED_IN)],
    # Open Badges: the issuer's DID document, and the form that checks a pasted credential.
    ".well-known/did.json": [Case("/.well-known/did.json", same(200))],
    "verify/credential/": [Case("/verify/credential/", same(200), post_refused=frozenset())],
    "admin/certificate-exports/": [
        Case("/admin/certificate-exports/", r(LOGIN, ADMIN_DENY, ADMIN_DENY, HIDDEN, OK, OK, OK))
    ],
    # The registry's listings: the export downloads, filtered by scope.
    "admin/registry/cadres/": [
        Case("/admin/registry/cadres/", STAFF),
        Case("/admin/registry/cadres/?export=csv", STAFF),
        Case("/admin/registry/cadres/?export=xlsx", STAFF),
        Case("/admin/registry/cadres/?q=0901110004", STAFF),
    ],
}  # fmt: skip

# Who may see a certificate's verification: anyone, and the page names its holder.
HOLDER = {"certificate:A": {"A"}, "certificate:P20": {"P20"}}

RULES: dict[str, Rule] = {
    "password_reset_confirm": Rule(same(REDIRECT)),  # a valid link: on to the new-password form
    "wagtailadmin_password_reset_confirm": Rule(same(REDIRECT)),
    # The password forms of a restricted page and collection: shown to everyone.
    "wagtailcore_authenticate_with_password": Rule(same(200), post_refused=frozenset()),
    "wagtaildocs_authenticate_with_password": Rule(same(200), post_refused=frozenset()),
    # Documents: public in the root collection; behind a password in the private one (the
    # password form, never the file).
    "wagtaildocs_serve": Rule(same(200), forbid=lambda labels: b"%PDF-1.4 rieng" if "document:private" in labels else b""),
    "certificates:verify": Rule(same(200), public=lambda labels: HOLDER[labels[0]]),
    "certificates:verify_json": Rule(same(200), public=lambda labels: HOLDER[labels[0]]),
    "certificates:download": Rule(by_label({
        "certificate:A": r(LOGIN, OK, GONE, GONE, GONE, GONE, GONE),
        "certificate:P20": r(LOGIN, GONE, GONE, GONE, GONE, GONE, GONE),  # P20 has no account
    })),
    # A credential names nobody: public, with no one's name allowed in it.
    "certificates:credential": Rule(same(200)),
    "certificates:status_list": Rule(same(200)),
    "certificates:credential_download": Rule(by_label({
        "certificate:A": r(LOGIN, OK, GONE, GONE, GONE, GONE, GONE),
        "certificate:P20": r(LOGIN, GONE, GONE, GONE, GONE, GONE, GONE),
    })),
    # The trainer's session pages: the session's trainer and the admins of its province.
    "training_sessions:detail": Rule(by_label({
        "session:10": r(LOGIN, 403, 403, OK, OK, GONE, OK),
        "session:20": r(LOGIN, 403, 403, GONE, GONE, OK, OK),
    })),
    "training_sessions:new_cadre": Rule(by_label({
        "session:10": r(LOGIN, 403, 403, OK, OK, GONE, OK),
        "session:20": r(LOGIN, 403, 403, GONE, GONE, OK, OK),
    })),
    "training_sessions:signin_sheet": Rule(by_label({
        "session:10": r(LOGIN, 403, 403, OK, OK, GONE, OK),
        "session:20": r(LOGIN, 403, 403, GONE, GONE, OK, OK),
    })),
    "training_sessions:add": Rule(LOGGED_IN_POST_ONLY, post_refused=refused_outside({"session:10": {"trainer"} | P10, "session:20": P20})),
    "training_sessions:held": Rule(LOGGED_IN_POST_ONLY, post_refused=refused_outside({"session:10": {"trainer"} | P10, "session:20": P20})),
    # Signing off a session's attendance: its trainer and the admins of its province.
    "training_sessions:sign_off": Rule(LOGGED_IN_POST_ONLY, post_refused=refused_outside({"session:10": {"trainer"} | P10, "session:20": P20})),
    # The registry import: the admin who uploaded the file, and central admins.
    "courses_registry_import_job": Rule(scoped(SEES, trainer=NO_PERM)),
    # Its report (the world's import has a warning, so there is one): the same people.
    "courses_registry_import_report": Rule(scoped(SEES, trainer=NO_PERM)),
    "courses_registry_import_template": Rule(ADMINS_ONLY),
    # Session and attendance files: every admin uploads; each row is checked within the
    # uploader's province (tests/courses/sessions/test_import_views.py).
    "courses_registry_import_kind": Rule(ADMINS_ONLY),
    "courses_registry_import_kind_template": Rule(ADMINS_ONLY),
    # Picking the new commune of one record: the world's records are all in whole communes,
    # so nobody finds one to pick for (scope: tests/courses/registry/test_undecided.py).
    "courses_registry_undecided_cadre": Rule(r(LOGIN, ADMIN_DENY, ADMIN_DENY, NO_PERM, GONE, GONE, GONE)),
    "courses_registry_undecided_session": Rule(r(LOGIN, ADMIN_DENY, ADMIN_DENY, NO_PERM, GONE, GONE, GONE)),
    # Certificates in the admin: the admins of the holder's province.
    "certificate_detail": Rule(scoped(SEES, trainer=HIDDEN)),
    "certificate_download": Rule(scoped(SEES, trainer=HIDDEN)),
    "certificate_revoke": Rule(STAFF_POST_ONLY, post_refused=refused_outside(SEES)),
    "certificate_reissue": Rule(STAFF_POST_ONLY, post_refused=refused_outside(SEES)),
    "certificate_export": Rule(scoped(SEES, trainer=HIDDEN)),
    "certificate_export_file": Rule(scoped(SEES, trainer=HIDDEN)),
    # Quizzes are snippets: trainers and admins write them, and they are reviewed like pages
    # (drafts, the workflow, locking). Publishing, unpublishing and locking are for central
    # reviewers: a province admin does not publish national content (content/wagtail_hooks.py).
    # Approving in the workflow follows the workflow's task, as for pages: the task belongs to
    # the Central admin group (content/migrations/0007), so province admins do not approve.
    "wagtailsnippets_content_quiz:unpublish": Rule(CENTRAL_ONLY),
    "wagtailsnippets_content_quiz:revisions_unschedule": Rule(CENTRAL_ONLY),
    # Locking (POST only; a GET without the permission is refused before the method is): a quiz
    # outside review is locked and unlocked by central reviewers only. While it waits in the
    # workflow, Wagtail lets the task's group (Central admin) lock it and nobody unlock it but
    # whoever locked it.
    "wagtailsnippets_content_quiz:lock": Rule(
        by_label({"quiz:in_review": r(LOGIN, ADMIN_DENY, ADMIN_DENY, NO_PERM, NO_PERM, NO_PERM, NOPE)},
                 default=r(LOGIN, ADMIN_DENY, ADMIN_DENY, NO_PERM, NO_PERM, NO_PERM, NOPE)),
        post_refused=refused_outside({"quiz:in_review": {"central"}, "quiz": {"central"}})),
    "wagtailsnippets_content_quiz:unlock": Rule(
        by_label({"quiz:in_review": r(LOGIN, ADMIN_DENY, ADMIN_DENY, NO_PERM, NO_PERM, NO_PERM, NO_PERM)},
                 default=r(LOGIN, ADMIN_DENY, ADMIN_DENY, NO_PERM, NO_PERM, NO_PERM, NOPE)),
        post_refused=refused_outside({"quiz:in_review": set(), "quiz": {"central"}})),
    "wagtailsnippets_content_quiz:workflow_action": Rule(CENTRAL_ONLY),
    "wagtailsnippets_content_quiz:collect_workflow_action_data": Rule(CENTRAL_ONLY),
    "wagtailsnippets_content_quiz:workflow_preview": Rule(CENTRAL_ONLY),
    "wagtailsnippets_content_quiz:": Rule(STAFF),
    "wagtailsnippetchoosers_content_quiz:": Rule(STAFF),
    "wagtailsnippets:index": Rule(NOBODY),  # the list of snippet types needs a snippet permission
    # The registry (courses/registry/scope.py). The trainer reads the participants of their sessions
    # (A) and has no other registry permission.
    "courses_cadre:index": Rule(STAFF),
    "courses_cadre:index_results": Rule(STAFF),
    "courses_cadre:add": Rule(ADMINS_ONLY),
    "courses_cadre:edit": Rule(scoped(EDITS, trainer=ADMIN_HIDDEN)),
    "courses_cadre:delete": Rule(scoped(EDITS, trainer=ADMIN_HIDDEN)),
    "courses_cadre:history": Rule(scoped(EDITS, trainer=ADMIN_HIDDEN)),
    "courses_cadre:history_results": Rule(scoped(EDITS, trainer=ADMIN_HIDDEN)),
    "courses_cadre:usage": Rule(scoped(EDITS, trainer=ADMIN_HIDDEN)),
    "courses_cadre:inspect": Rule(scoped(SEES)),
    # Merging a record with its duplicate, erasing a person's personal data: admins of the
    # person's province (courses/registry/correction_views.py); the trainer holds neither
    # permission. The walk's GET is the merge search (and the erase confirm page); refused
    # POSTs change nothing.
    "courses_cadre:merge": Rule(scoped(EDITS, trainer=ADMIN_HIDDEN)),
    "courses_cadre:erase": Rule(scoped(EDITS, trainer=ADMIN_HIDDEN)),
    "courses_adminunit:index": Rule(ADMINS_ONLY),
    "courses_adminunit:index_results": Rule(ADMINS_ONLY),
    "courses_adminunit:add": Rule(ADMINS_ONLY),
    "courses_adminunit:edit": Rule(scoped(EDITS)),
    "courses_adminunit:delete": Rule(scoped(EDITS)),
    "courses_adminunit:history": Rule(scoped(SEES)),
    "courses_adminunit:history_results": Rule(scoped(SEES)),
    "courses_adminunit:usage": Rule(scoped(SEES)),
    "courses_adminunit:inspect": Rule(scoped(SEES)),
    # The unit chooser of the admin forms (courses/registry/choosers.py): admins choose within
    # their scope, trainers among every unit (the official lists are public; they filter their
    # own participants with them); a unit outside the scope is a 404.
    "courses_adminunit_chooser:choose": Rule(STAFF),
    "courses_adminunit_chooser:choose_results": Rule(STAFF),
    "courses_adminunit_chooser:chosen_multiple": Rule(STAFF),
    "courses_adminunit_chooser:chosen": Rule(scoped(CHOOSES_UNIT, admins=HIDDEN)),
    # Sessions in the admin are for admins; trainers run theirs under /trainer/.
    "courses_trainingsession:index": Rule(ADMINS_ONLY),
    "courses_trainingsession:index_results": Rule(ADMINS_ONLY),
    "courses_trainingsession:add": Rule(ADMINS_ONLY),
    "courses_trainingsession:": Rule(scoped(SEES)),
    # Certificates are listed in the admin, never created, edited or deleted there.
    "certificate_records:index": Rule(ADMINS_ONLY),
    "certificate_records:index_results": Rule(ADMINS_ONLY),
    "certificate_records:": Rule(NOBODY),
    # Targets are national decisions: central admins only.
    "indicators:": Rule(CENTRAL_ONLY),
    "indicator_targets:": Rule(CENTRAL_ONLY),
    # The DHIS2 mapping: the ministry's codes, central admins only.
    "dhis2_data_set:": Rule(CENTRAL_ONLY),
    "dhis2_data_elements:": Rule(CENTRAL_ONLY),
    "dhis2_categories:": Rule(CENTRAL_ONLY),
    "dhis2_category_options:": Rule(CENTRAL_ONLY),
    "dhis2_option_combos:": Rule(CENTRAL_ONLY),
    "dhis2_org_units:": Rule(CENTRAL_ONLY),
    # API tokens (Wagtail's own token admin): each admin their own tokens; trainers none.
    "wagtailusers_api_tokens:index": Rule(ADMINS_ONLY),
    "wagtailusers_api_tokens:index_results": Rule(ADMINS_ONLY),
    "wagtailusers_api_tokens:add": Rule(ADMINS_ONLY),
    "wagtailusers_api_tokens:": Rule(scoped(SEES, admins=HIDDEN)),
    # The privacy notice is written by central admins only (lms/admin_policy.py); choosing
    # one (its title is public) is open to staff, creating one from the chooser is not.
    "wagtailsnippets_courses_privacynotice:": Rule(CENTRAL_ONLY),
    "wagtailsnippetchoosers_courses_privacynotice:create": Rule(CENTRAL_ONLY),
    "wagtailsnippetchoosers_courses_privacynotice:": Rule(STAFF),
    # Learners' requests about their data: the admins of the learner's province, and central.
    "courses_data_request:index": Rule(ADMINS_ONLY),
    "courses_data_request:index_results": Rule(ADMINS_ONLY),
    "courses_data_request:": Rule(scoped({"data_request:A": P10, "data_request:P20": P20})),
    # The audit of access to personal data: central admins read it, nobody writes it.
    "lms_access_log:": Rule(CENTRAL_ONLY),
    # Wagtail's site history, scoped like the registry (courses/registry/site_history.py).
    "site_history_scoped": Rule(STAFF),
    "site_history_scoped_results": Rule(STAFF),
}  # fmt: skip

# --- Wagtail's own admin ------------------------------------------------------------------------
# None of the matrix's roles is a superuser: trainers and province admins hold add/change on
# pages and quizzes; central admins (the derived Central admin group) also publish, lock and
# unlock, and approve in the workflow (lms/roles.py, content/migrations/0005). Nobody holds
# user, group, site, workflow, collection or redirect permissions. Media: trainers and admins
# add to and choose from every collection and edit their own uploads; central admins manage
# everyone's (lms/roles.py, lms/migrations/0007). The world's image, documents and audio were
# uploaded by the trainer.

PAGE_EDIT = by_label({"page:root": NOBODY}, default=STAFF)  # the tree's root is the superuser's
# Publishing rights: central admins only. Was ADMINS_ONLY: a province admin could publish,
# unpublish, move or approve any page of the country (one POST unpublished the home page and
# its descendants); national pages are now published only through the central review.
PUBLISHERS = CENTRAL_ONLY
# Who may not publish (POST-only page actions below): was OUTSIDERS | {"trainer"}, province
# admins join them for the same reason.
NOT_PUBLISHERS = OUTSIDERS | {"trainer", "admin_same", "admin_other"}
# Media the trainer uploaded: the trainer (its owner) and central admins (change and delete on
# every collection) may edit it; a province admin may not edit someone else's upload.
OWNER_OR_CENTRAL = seen_by({"trainer", "central"}, admins=NO_PERM)
NOT_OWNER_OR_CENTRAL = OUTSIDERS | {"admin_same", "admin_other"}
WAGTAIL_RULES: dict[str, Rule] = {
    "wagtailadmin_home": Rule(STAFF),
    "wagtailadmin_explore_root": Rule(STAFF),
    "wagtailadmin_explore": Rule(STAFF),
    "wagtailadmin_explore_results": Rule(STAFF),
    "wagtailadmin_account": Rule(STAFF),
    "wagtailadmin_dismissibles": Rule(STAFF),
    # Logging out is one's own business (a GET is refused by method).
    "wagtailadmin_logout": Rule(STAFF_POST_ONLY, post_refused=frozenset()),
    "wagtailadmin_block_preview": Rule(STAFF_GONE),  # a GET without a block to preview
    # The admin's JSON API (the page explorer): staff read; actions are POSTs whose rights are
    # Wagtail's page permissions.
    "wagtailadmin_api:pages:listing": Rule(STAFF),
    "wagtailadmin_api:pages:detail": Rule(STAFF),
    "wagtailadmin_api:pages:find": Rule(STAFF_GONE),
    "wagtailadmin_api:pages:action": Rule(
        STAFF_POST_ONLY, post_refused=NOT_PUBLISHERS,
        post_data=lambda w, fill: {"destination_page_id": w.extra["page:module"].pk},
    ),
    "wagtailadmin_api:documents:listing": Rule(STAFF),
    "wagtailadmin_api:documents:detail": Rule(by_label({"document:private": STAFF_GONE}, default=STAFF)),
    "wagtailadmin_api:documents:find": Rule(STAFF_GONE),
    "wagtailadmin_api:images:listing": Rule(STAFF),
    "wagtailadmin_api:images:detail": Rule(STAFF),
    "wagtailadmin_api:images:find": Rule(STAFF_GONE),
    # Pages.
    "wagtailadmin_pages:add": Rule(STAFF),
    "wagtailadmin_pages:preview_on_add": Rule(STAFF),
    "wagtailadmin_pages:type_use": Rule(STAFF),
    "wagtailadmin_pages:type_use_results": Rule(STAFF),
    "wagtailadmin_pages:choose_parent": Rule(STAFF_REDIRECT),  # one possible parent: straight to it
    "wagtailadmin_pages:usage": Rule(STAFF),
    "wagtailadmin_pages:edit": Rule(PAGE_EDIT),
    "wagtailadmin_pages:preview_on_edit": Rule(STAFF),
    "wagtailadmin_pages:view_draft": Rule(PAGE_EDIT),
    "wagtailadmin_pages:add_subpage": Rule(by_label({"page:module": STAFF_REDIRECT}, default=NOBODY)),  # a lesson has no subpage types
    "wagtailadmin_pages:delete": Rule(PUBLISHERS),
    "wagtailadmin_pages:unpublish": Rule(PUBLISHERS),
    "wagtailadmin_pages:convert_alias": Rule(STAFF_GONE),  # no page here is an alias
    "wagtailadmin_pages:search": Rule(STAFF),
    "wagtailadmin_pages:search_results": Rule(STAFF),
    "wagtailadmin_pages:move": Rule(PUBLISHERS),
    "wagtailadmin_pages:move_confirm": Rule(STAFF, post_refused=NOT_PUBLISHERS),
    "wagtailadmin_pages:set_page_position": Rule(STAFF_POST_ONLY, post_refused=NOT_PUBLISHERS),
    "wagtailadmin_pages:copy": Rule(STAFF),
    "wagtailadmin_pages:workflow_action": Rule(PUBLISHERS),  # the Central admin group approves
    "wagtailadmin_pages:collect_workflow_action_data": Rule(PUBLISHERS),
    "wagtailadmin_pages:confirm_workflow_cancellation": Rule(STAFF),
    "wagtailadmin_pages:workflow_preview": Rule(PUBLISHERS),
    "wagtailadmin_pages:set_privacy": Rule(PUBLISHERS),
    "wagtailadmin_pages:lock": Rule(STAFF_POST_ONLY, post_refused=NOT_PUBLISHERS),
    "wagtailadmin_pages:unlock": Rule(STAFF_POST_ONLY, post_refused=NOT_PUBLISHERS),
    "wagtailadmin_pages:revisions_index": Rule(STAFF_REDIRECT),  # now the page's history
    "wagtailadmin_pages:revisions_view": Rule(STAFF),
    "wagtailadmin_pages:revisions_revert": Rule(STAFF),
    "wagtailadmin_pages:revisions_unschedule": Rule(PUBLISHERS),
    "wagtailadmin_pages:revisions_compare": Rule(STAFF),
    "wagtailadmin_pages:workflow_history": Rule(STAFF),
    "wagtailadmin_pages:workflow_history_detail": Rule(STAFF),
    "wagtailadmin_pages:history": Rule(STAFF),
    "wagtailadmin_pages:history_results": Rule(STAFF),
    "wagtail_bulk_action": Rule(by_label({"user:cadre": NOBODY, "user:cadre2": NOBODY}, default=STAFF)),
    # Choosers used by the page editor.
    "wagtailadmin_choose_page": Rule(STAFF),
    "wagtailadmin_choose_page_child": Rule(STAFF),
    "wagtailadmin_choose_page_search": Rule(STAFF),
    "wagtailadmin_choose_page_chosen_multiple": Rule(STAFF),
    "wagtailadmin_choose_page_external_link": Rule(STAFF),
    "wagtailadmin_choose_page_email_link": Rule(STAFF),
    "wagtailadmin_choose_page_phone_link": Rule(STAFF),
    "wagtailadmin_choose_page_anchor_link": Rule(STAFF),
    "wagtailadmin_tag_autocomplete": Rule(STAFF),
    "wagtailadmin_tag_model_autocomplete": Rule(STAFF),
    "wagtailembeds:chooser": Rule(STAFF),
    "wagtailembeds:chooser_upload": Rule(STAFF),
    "wagtaildocs_chooser:choose": Rule(STAFF),
    "wagtaildocs_chooser:choose_results": Rule(STAFF),
    "wagtaildocs_chooser:chosen_multiple": Rule(STAFF),
    # Was NOBODY (no role held a collection permission): trainers and admins choose and upload.
    "wagtaildocs_chooser:chosen": Rule(STAFF),
    "wagtaildocs_chooser:create": Rule(STAFF),
    "wagtailimages_chooser:choose": Rule(STAFF),
    "wagtailimages_chooser:choose_results": Rule(STAFF),
    "wagtailimages_chooser:chosen_multiple": Rule(STAFF),
    # Was NOBODY (no role held a collection permission): trainers and admins choose and upload.
    "wagtailimages_chooser:chosen": Rule(STAFF),
    "wagtailimages_chooser:create": Rule(STAFF),
    "wagtailimages_chooser:select_format": Rule(STAFF),
    # Editing sessions: one's own (another's session id changes nothing).
    "wagtailadmin_editing_sessions:ping": Rule(STAFF_POST_ONLY, post_refused=OUTSIDERS),
    "wagtailadmin_editing_sessions:release": Rule(STAFF_POST_ONLY, post_refused=OUTSIDERS),
    # Reports: read by staff (the locked pages: those who may unlock).
    "wagtailadmin_reports:locked_pages": Rule(PUBLISHERS),
    "wagtailadmin_reports:locked_pages_results": Rule(PUBLISHERS),
    "wagtailadmin_reports:": Rule(STAFF),
    # Forms: no form page exists; the listing is open, a non-form page is a 404.
    "wagtailforms:index": Rule(STAFF),
    "wagtailforms:index_results": Rule(STAFF),
    "wagtailforms:list_submissions": Rule(STAFF_GONE),
    "wagtailforms:list_submissions_results": Rule(STAFF_GONE),
    "wagtailforms:delete_submissions": Rule(NOBODY),
    # Workflow tasks can be chosen (the editor's chooser); workflows are managed by nobody here.
    "wagtailadmin_workflows:task_chooser": Rule(STAFF),
    "wagtailadmin_workflows:task_chooser_results": Rule(STAFF),
    # Nobody may add a task: the form is not built, and Wagtail answers a POST with 400.
    "wagtailadmin_workflows:task_chooser_create": Rule(STAFF, post_refused=frozenset(ROLES), post_refusal=frozenset({400})),
    "wagtailadmin_workflows:task_chosen": Rule(STAFF),
    "wagtailadmin_workflows:enable": Rule(STAFF_POST_ONLY, post_refused=frozenset(ROLES)),
    "wagtailadmin_workflows:enable_task": Rule(STAFF_POST_ONLY, post_refused=frozenset(ROLES)),
    "wagtailadmin_workflows:remove": Rule(STAFF_POST_ONLY, post_refused=frozenset(ROLES)),
    "wagtailadmin_workflows:": Rule(NOBODY),
    # Settings: no settings model is registered (urlconf.NO_REAL_OBJECT).
    "wagtailsettings:": Rule(STAFF_GONE),
    # Management areas of the superuser.
    "wagtailadmin_collections:delete": Rule(r(LOGIN, ADMIN_DENY, ADMIN_DENY, ADMIN_HIDDEN, ADMIN_HIDDEN, ADMIN_HIDDEN, ADMIN_HIDDEN)),
    "wagtailadmin_collections:": Rule(NOBODY),
    "wagtailredirects:": Rule(NOBODY),
    "wagtailsites:": Rule(NOBODY),
    "wagtailusers_users:": Rule(NOBODY),
    "wagtailusers_groups:": Rule(NOBODY),
    # The image, document and audio/video libraries. Were NOBODY ("trainers cannot upload": no
    # role held a collection permission, so the libraries bounced everyone and only the
    # superuser could upload): now trainers and admins open them and upload (add on every
    # collection), and edit what they uploaded; central admins edit and delete everyone's. The
    # multiple uploader's item views are POST-only: the uploads waiting there are the
    # superuser's, whose only they remain.
    "wagtaildocs:index": Rule(STAFF),
    "wagtaildocs:index_results": Rule(STAFF),
    "wagtaildocs:add": Rule(STAFF),
    "wagtaildocs:add_multiple": Rule(STAFF),
    "wagtaildocs:edit": Rule(OWNER_OR_CENTRAL),
    "wagtaildocs:delete": Rule(OWNER_OR_CENTRAL),
    "wagtaildocs:document_usage": Rule(OWNER_OR_CENTRAL),
    "wagtaildocs:edit_multiple": Rule(STAFF_POST_ONLY, post_refused=NOT_OWNER_OR_CENTRAL),
    "wagtaildocs:delete_multiple": Rule(STAFF_POST_ONLY, post_refused=NOT_OWNER_OR_CENTRAL),
    "wagtaildocs:create_multiple_from_uploaded_document": Rule(STAFF_POST_ONLY, post_refused=frozenset(ROLES)),
    "wagtaildocs:delete_upload_multiple": Rule(STAFF_POST_ONLY, post_refused=frozenset(ROLES)),
    "wagtailimages:index": Rule(STAFF),
    "wagtailimages:index_results": Rule(STAFF),
    "wagtailimages:add": Rule(STAFF),
    "wagtailimages:add_multiple": Rule(STAFF),
    "wagtailimages:edit": Rule(OWNER_OR_CENTRAL),
    "wagtailimages:delete": Rule(OWNER_OR_CENTRAL),
    # The URL generator needs Wagtail's image serve view, which this site does not route
    # (renditions are files the proxy serves): a 404 for everyone the admin lets in.
    "wagtailimages:url_generator": Rule(STAFF_GONE),
    "wagtailimages:url_generator_output": Rule(STAFF_GONE),
    "wagtailimages:preview": Rule(OWNER_OR_CENTRAL),
    "wagtailimages:image_usage": Rule(OWNER_OR_CENTRAL),
    "wagtailimages:edit_multiple": Rule(STAFF_POST_ONLY, post_refused=NOT_OWNER_OR_CENTRAL),
    "wagtailimages:delete_multiple": Rule(STAFF_POST_ONLY, post_refused=NOT_OWNER_OR_CENTRAL),
    "wagtailimages:create_multiple_from_uploaded_image": Rule(STAFF_POST_ONLY, post_refused=frozenset(ROLES)),
    "wagtailimages:delete_upload_multiple": Rule(STAFF_POST_ONLY, post_refused=frozenset(ROLES)),
    # Audio and video (wagtailmedia, new): the same rules. Its chooser lists, and lets one
    # choose, only the files one may edit (wagtailmedia has no "choose" permission).
    "wagtailmedia:index": Rule(STAFF),
    "wagtailmedia:add": Rule(STAFF),
    "wagtailmedia:chooser": Rule(STAFF),
    "wagtailmedia:chooser_typed": Rule(STAFF),
    "wagtailmedia:chooser_upload": Rule(STAFF),
    "wagtailmedia:edit": Rule(OWNER_OR_CENTRAL),
    "wagtailmedia:delete": Rule(OWNER_OR_CENTRAL),
    "wagtailmedia:media_chosen": Rule(OWNER_OR_CENTRAL),
    "wagtailmedia:media_usage": Rule(STAFF),
}  # fmt: skip

# Wagtail's admin views that are public by design (password reset, the icon sprite, the
# translation catalogue), its deliberate error page and its catch-all.
EXPECTATIONS.update(
    {
        "admin/password_reset/": [Case("/admin/password_reset/", same(200))],
        "admin/password_reset/done/": [Case("/admin/password_reset/done/", same(200))],
        "admin/password_reset/complete/": [Case("/admin/password_reset/complete/", same(200))],
        "admin/sprite/": [Case("/admin/sprite/", same(200))],
        "admin/jsi18n/": [Case("/admin/jsi18n/", same(200))],
        # Wagtail's "failwhale" raises on purpose to test the 500 page; outsiders never reach it.
        "admin/failwhale/": [
            Case("/admin/failwhale/", r(LOGIN, ADMIN_DENY, ADMIN_DENY, 500, 500, 500, 500))
        ],
        "admin/test404/": [Case("/admin/test404/", STAFF)],  # Wagtail's 404 page, as a page
        "admin/^.*/$": [Case("/admin/khong-co/", STAFF_GONE)],
    }
)

# Requests made besides a rule's generated paths (by route).
EXTRA_CASES: dict[str, list[Case]] = {
    # API tokens: an empty name is a form error; the province admin revokes their own token.
    "admin/api-tokens/new/": [
        Case("/admin/api-tokens/new/", ADMINS_ONLY, method="post", data={"name": ""})
    ],
    "admin/api-tokens/delete/<int:pk>/": [
        Case(
            lambda w: f"/admin/api-tokens/delete/{w.extra['token:admin_same'].pk}/",
            r(LOGIN, ADMIN_DENY, ADMIN_DENY, ADMIN_HIDDEN, REDIRECT, GONE, GONE),
            method="post",
        )
    ],
}

# Known bugs, reported to their owners: {route: reason}. The matrix tolerates a 500 there
# only. (The registry and session viewsets' history/usage 500s were listed here and are fixed.)
KNOWN_BUGS: dict[str, str] = {}


# --- From a pattern to its cases -------------------------------------------------------------------


def rule_for(pattern: Pattern) -> Rule | None:
    """A rule by the pattern's name, else by its namespace ("ns:" keys), else by route."""
    for table in (RULES, WAGTAIL_RULES):
        if pattern.name and pattern.name in table:
            return table[pattern.name]
    for table in (RULES, WAGTAIL_RULES):
        for key, rule in table.items():
            if key.endswith(":") and (pattern.name or "").startswith(key):
                return rule
    return RULES.get(pattern.route)


def cases_for(pattern: Pattern, world: World) -> list[Case] | None:
    """The cases of a pattern: its explicit paths, or the paths of its rule for the world's
    objects; None when it has neither (a pattern without an expectation)."""
    if pattern.route in EXPECTATIONS:
        return EXPECTATIONS[pattern.route]
    rule = rule_for(pattern)
    if rule is None:
        return None
    fills = kwarg_fills(pattern, world)
    if not fills and pattern.name in NO_REAL_OBJECT:
        fills = [Fill(NO_REAL_OBJECT[pattern.name][1], ())]
    cases = []
    for fill in fills:
        path = fill_route(pattern.route, fill.values)
        cases.append(rule.case(path + fill.query, fill))
        if pattern.exports and not fill.query:  # the listing's downloads, same rights
            cases += [rule.case(f"{path}?export={fmt}", fill) for fmt in ("csv", "xlsx")]
    return cases + EXTRA_CASES.get(pattern.route, [])


# --- Structure tests (no requests) ----------------------------------------------------------------


def missing_expectations(world: World) -> list[str]:
    """Patterns without an expectation (or without a real object to probe them with)."""
    return [
        f"{p.route!r} (name={p.name}, view={p.lookup})"
        for p in url_patterns()
        if not cases_for(p, world)
    ]


def unreal_probes(world: World) -> list[str]:
    """Patterns with kwargs none of whose cases names only objects that exist (or valid
    values), and explicit paths that do not reach their pattern."""
    problems = []
    for p in url_patterns():
        if not p.kwargs:
            continue
        real = 0
        for case in cases_for(p, world) or []:
            path = case.url(world)
            kwargs = resolved_kwargs(p, path)
            if kwargs is None:
                if p.route in EXPECTATIONS:  # explicit paths may also name missing objects
                    problems.append(f"{path} does not reach {p.route}")
                continue
            if not kwargs_are_real(p, kwargs, world):
                real += 1
        if not real and p.name not in NO_REAL_OBJECT:
            problems.append(f"{p.route} (name={p.name}): no case with real ids")
    return problems


# The two checks below run on the walk's world (matrix_walk), which computed them.


def test_every_url_pattern_has_an_expectation(matrix_walk):
    assert not matrix_walk.missing, (
        "These URL patterns have no expectation in tests/security/test_authz_matrix.py "
        "(EXPECTATIONS, RULES or WAGTAIL_RULES) or get no real object from the world "
        "(tests/security/urlconf.py, world.py); add one with the expected outcome for every "
        "role:\n  " + "\n  ".join(matrix_walk.missing)
    )


def test_every_pattern_with_kwargs_is_probed_with_real_ids(matrix_walk):
    """Each case of a pattern with kwargs reaches that pattern, and at least one names only
    objects that exist (or valid values), so no view is probed with made-up ids only."""
    assert not matrix_walk.unreal, "\n".join(matrix_walk.unreal)


def test_patterns_without_real_objects_are_still_without():
    """NO_REAL_OBJECT lists patterns that can name nothing here; once they can, the list must
    shrink (so a settings model added later gets probed with a real id)."""
    from wagtail.contrib.settings.registry import registry

    assert not list(registry), "a settings model exists now: give its patterns real ids"


def test_expectations_name_only_patterns_that_exist():
    patterns = url_patterns()
    routes = {p.route for p in patterns}
    names = {p.name for p in patterns if p.name}
    stale = sorted((set(EXPECTATIONS) | set(EXTRA_CASES)) - routes)
    for table in (RULES, WAGTAIL_RULES):
        for key in table:
            if key.endswith(":"):
                if not any(n.startswith(key) for n in names):
                    stale.append(key)
            elif key not in names and key not in routes:
                stale.append(key)
    assert not stale, f"Expectations for patterns that no longer exist: {stale}"


# --- The GET walk (run once, tests/security/conftest.py) ------------------------------------


def test_each_role_gets_the_expected_outcome(matrix_walk):
    wrong = []
    for rec in matrix_walk.records:
        if rec.role not in ROLES:
            continue
        if rec.outcome == 500 and rec.route in KNOWN_BUGS:
            continue
        if rec.outcome not in rec.expected:
            wrong.append(
                f"{rec.method.upper()} {rec.path} as {rec.role}: {rec.outcome}, "
                f"expected {sorted(map(str, rec.expected))}  [{rec.route}]"
            )
    assert not wrong, f"{len(wrong)} of {len(matrix_walk.records)} requests:\n" + "\n".join(wrong)


def test_no_response_carries_personal_data_outside_the_callers_scope(matrix_walk):
    leaks = [
        f"{rec.method.upper()} {rec.path} as {rec.role} shows {rec.leaks}  [{rec.route}]"
        for rec in matrix_walk.records
        if rec.leaks
    ]
    assert not leaks, "Personal data outside the caller's scope:\n" + "\n".join(leaks)


def test_forbidden_content_is_never_served(matrix_walk):
    served = [f"{rec.path} as {rec.role}" for rec in matrix_walk.records if rec.served_forbidden]
    assert not served, "Served to someone who may not have it:\n" + "\n".join(served)


def test_the_walk_covers_every_pattern_and_role(matrix_walk):
    """The figures of the matrix, and a guard that it ran in full."""
    patterns = {rec.route for rec in matrix_walk.records}
    assert len(patterns) == len({p.route for p in url_patterns()})
    by_role = dict.fromkeys(ROLES, 0)
    for rec in matrix_walk.records:
        if rec.role in by_role:
            by_role[rec.role] += 1
    assert len(set(by_role.values())) == 1, by_role
    assert len(matrix_walk.records) >= 7 * 400


def test_listings_show_each_admin_their_people_so_the_leak_check_can_see(matrix_walk):
    """The positive control: markers do render where they are in scope."""
    from tests.security.world import PEOPLE

    def shown(role: str) -> set[str]:
        text = matrix_walk.text("/admin/registry/cadres/", role)
        return {key for key, (name, _phone) in PEOPLE.items() if name in text}

    assert shown("central") == set(PEOPLE)
    assert shown("admin_same") == {"A", "B", "OUT10"}
    assert shown("admin_other") == {"P20"}
    assert shown("trainer") == {"A"}


def test_the_site_history_names_only_people_in_the_callers_scope(matrix_walk):
    """Wagtail's report lists the log entries of the registry's edits by name; it is scoped
    like the registry (courses/registry/site_history.py)."""
    from tests.security.world import PEOPLE

    def named(role: str) -> set[str]:
        text = matrix_walk.text("/admin/reports/site-history/", role)
        return {key for key, (name, _phone) in PEOPLE.items() if name in text}

    assert named("central") == set(PEOPLE)
    assert named("admin_same") == {"A", "B", "OUT10"}
    assert named("admin_other") == {"P20"}
    assert named("trainer") == {"A"}


# --- POSTs by those who may not ------------------------------------------------------------------


def _post_data(world: World, case: Case, path: str, harvested: dict) -> dict:
    if case.method == "post":
        return case.data(world) if callable(case.data) else case.data
    if case.post_data is not None:
        return case.post_data(world)
    if path not in harvested:
        response = world.request("root", "get", path)
        harvested[path] = form_data(response.content.decode("utf-8", "replace")) if (
            response.status_code == 200 and "html" in response.get("Content-Type", "")
        ) else {}  # fmt: skip
    return harvested[path]


# Refused POSTs that Wagtail lets write anyway, each with the reason it is harmless.
ALLOWED_WRITES: dict[str, tuple[set[str], str]] = {
    "wagtailadmin_api:pages:action": (
        {"wagtailcore_page", "wagtailcore_revision", "wagtailsearch_indexentry"},
        "Wagtail's publish action saves a first revision of a page that has none before it "
        "checks the publish permission (wagtail/admin/api/actions/publish.py); the trainer "
        "refused here may save revisions anyway (change_page), and nothing is published",
    ),
}


def _log_in_everyone(world: World) -> None:
    """Before any fingerprint: a login writes the user's row, the first admin page their
    Wagtail profile."""
    for role in (*ROLES, "root"):
        world.request(role, "get", "/admin/")


def test_refused_posts_change_nothing(world):
    """Every role without the right POSTs to every pattern (the form a superuser is shown,
    filled in as it is): refused (302 to log in or "permission denied", 401/403/404/405), and
    not one row of the database changed."""
    undeclared, accepted, changed = [], [], []
    harvested: dict[str, dict] = {}
    posts = 0
    _log_in_everyone(world)
    watch = DatabaseWatch()
    for pattern in url_patterns():
        plan = []
        for n, case in enumerate(cases_for(pattern, world) or []):
            roles = case.refused_roles()
            if roles is None:
                undeclared.append(pattern.route)
                continue
            path = case.url(world)
            if n and path.startswith("/admin/"):
                # Outsiders are turned away by the admin before the view knows the object:
                # the pattern's first path shows it.
                roles -= OUTSIDERS
            if not roles:
                continue
            # Outsiders are refused before any view code runs: their data does not matter.
            data = _post_data(world, case, path, harvested) if roles - OUTSIDERS else {}
            plan.append((path, data, sorted(roles), case.post_refusal))
        if not plan:
            continue
        watch.changed()  # the superuser's GETs above may write (a thumbnail, a file's hash)
        for path, data, roles, also_refusal in plan:
            for role in roles:
                response = world.request(role, "post", path, data)
                posts += 1
                if not (refused(response) or response.status_code in also_refusal):
                    accepted.append(f"POST {path} as {role}: {response.status_code} "
                                    f"{response.get('Location', '')}  [{pattern.route}]")  # fmt: skip
        allowed = ALLOWED_WRITES.get(pattern.name, (set(), ""))[0]
        # (on SQLite the search index has its full-text tables beside it: <table>_fts...)
        diff = {t for t in watch.changed() if not t.startswith(tuple(allowed))}
        if diff:
            changed.append(f"{pattern.route}: {sorted(diff)}  (posted: {plan})")
    assert not undeclared, "POST-only views must declare who is refused: " + ", ".join(undeclared)
    assert not accepted, "POST not refused:\n" + "\n".join(accepted)
    assert not changed, "A refused POST changed the database:\n" + "\n".join(changed)
    assert posts > 1000


def _changed_by(world: World, role: str, path: str, data: dict) -> tuple[object, list[str]]:
    before = db_fingerprint()
    response = world.request(role, "post", path, data)
    return response, fingerprint_diff(before, db_fingerprint())


def test_allowed_posts_do_change_the_database_so_the_probe_can_see(world):
    """The control of the test above: the same kind of POST, by someone allowed, with the
    superuser's form (edited where needed), goes through and changes the rows it should."""
    from certificates.models import CertificateStatus
    from courses.sessions.models import SessionStatus

    w = world
    harvested: dict[str, dict] = {}
    _log_in_everyone(w)
    watch = DatabaseWatch()  # the refused-POST test's cheaper watch must see these too

    def form(path: str) -> dict:
        return _post_data(w, Case(path, {}), path, harvested)

    # The registry: the province's admin corrects A's agency; the other province's may not.
    path = f"/admin/registry/cadres/edit/{w.cadres['A'].pk}/"
    data = form(path) | {"agency": ["Hội Phụ nữ xã"]}
    response, diff = _changed_by(w, "admin_other", path, data)
    assert refused(response) and not diff, (response.status_code, diff)
    response, diff = _changed_by(w, "admin_same", path, data)
    assert response.status_code == 302 and "courses_cadre" in diff, (response.status_code, diff)
    assert "courses_cadre" in watch.changed()

    # A quiz: the trainer renames it; a cadre may not. Quizzes have drafts: the trainer's
    # change is a new revision (the quiz row points to it), and the live title stays until a
    # reviewer publishes it.
    path = f"/admin/snippets/content/quiz/edit/{w.tree.quiz.pk}/"
    data = form(path) | {"title": ["Bài kiểm tra đã sửa"]}
    response, diff = _changed_by(w, "cadre", path, data)
    assert refused(response) and not diff, (response.status_code, diff)
    response, diff = _changed_by(w, "trainer", path, data)
    assert response.status_code == 302 and "content_quiz" in diff, (response.status_code, diff)
    assert "wagtailcore_revision" in diff, diff
    w.tree.quiz.refresh_from_db()
    assert w.tree.quiz.title != "Bài kiểm tra đã sửa"
    assert w.tree.quiz.get_latest_revision_as_object().title == "Bài kiểm tra đã sửa"

    # A certificate: the other province's admin may not revoke it; its province's admin does.
    path = f"/admin/certificate/{w.certificate.pk}/revoke/"
    response, diff = _changed_by(w, "admin_other", path, {"reason": "Sai tên"})
    assert refused(response) and not diff, (response.status_code, diff)
    response, diff = _changed_by(w, "admin_same", path, {"reason": "Sai tên"})
    w.certificate.refresh_from_db()
    assert w.certificate.status == CertificateStatus.REVOKED, diff

    # A session: the trainer marks their session held; another province's admin may not.
    path = f"/trainer/sessions/{w.session.pk}/held/"
    response, diff = _changed_by(w, "admin_other", path, {})
    assert refused(response) and not diff, (response.status_code, diff)
    response, diff = _changed_by(w, "trainer", path, {})
    w.session.refresh_from_db()
    assert w.session.status == SessionStatus.HELD and "courses_trainingsession" in diff

    # The import: only its uploader (or a central admin) confirms it.
    job = w.extra["import_job:10"]
    path = f"/admin/registry/import/{job.pk}/"
    response, diff = _changed_by(w, "admin_other", path, {})
    assert refused(response) and not diff, (response.status_code, diff)
    response, diff = _changed_by(w, "admin_same", path, {})
    assert "courses_cadre" in diff, (response.status_code, diff)

    # The workflow: a trainer or a province admin may not approve the page waiting for review;
    # a central admin does. (Was admin_same approving: the review is central now.)
    page, task_state = w.extra["page:in_review"], w.extra["task_state"]
    path = f"/admin/pages/workflow/action/{page.pk}/approve/{task_state.pk}/"
    for role in ("trainer", "admin_same"):
        response, diff = _changed_by(w, role, path, {})
        assert refused(response) and not diff, (role, response.status_code, diff)
    response, diff = _changed_by(w, "central", path, {})
    assert "wagtailcore_taskstate" in diff and "wagtailcore_page" in diff, diff

    # Users: no role of the matrix may deactivate a user; the superuser may.
    path = f"/admin/users/edit/{w.users['cadre2'].pk}/"
    data = form(path)
    data.pop("is_active", None)
    response, diff = _changed_by(w, "central", path, data)
    assert refused(response) and not diff, (response.status_code, diff)
    response, diff = _changed_by(w, "root", path, data)
    assert "lms_user" in diff, (response.status_code, diff)


# --- The walk itself (run by tests/security/conftest.py: matrix_walk) -----------------------------


def walk_matrix(world: World, *, keep_text: set[str] = frozenset()):
    """Every case of every pattern, as every role; each response reduced to a Record."""
    from tests.security.conftest import Record, Walk
    from tests.security.urlconf import outcome
    from tests.security.world import (
        XSS_ESCAPED,
        XSS_RAW,
        body_text,
        dangerous_cells,
        export_cells,
        leaked_people,
        response_body,
    )

    records, texts = [], {}
    for pattern in url_patterns():
        for case in cases_for(pattern, world) or []:
            path = case.url(world)
            data = case.data(world) if callable(case.data) else case.data
            # The superuser walks too, for the escaping and export checks of the pages only
            # they see (where every role is refused); the expectations are for the roles.
            only_root = all(statuses <= REFUSALS | NOPE for statuses in case.expect.values())
            for role in (*ROLES, "root") if only_root else ROLES:
                started = time.perf_counter()
                response = world.request(role, case.method, path, data)
                body = response_body(response)
                content_type = response.get("Content-Type", "")
                expected = case.expect.get(role, set())
                rec = Record(
                    pattern.route, path, case.method, role, outcome(response), expected,
                    content_type=content_type,
                    headers={h: response.get(h) for h in SECURITY_HEADERS if h in response},
                )  # fmt: skip
                if case.forbid and case.forbid in body:
                    rec.served_forbidden = True
                html = "text/html" in content_type
                if response.status_code < 300 or html:
                    text = body_text(body) if body else ""
                    if response.status_code < 300 and role in ROLES:
                        rec.leaks = leaked_people(
                            role, text, also_allowed=case.public, request=f"{path} {data}"
                        )
                    if html:
                        rec.raw_html_marker = XSS_RAW in text
                        rec.escaped_html_marker = any(e in text for e in XSS_ESCAPED)
                    if path in keep_text or (
                        path.startswith("/verify/") and path.endswith(".json")
                    ):
                        texts[(path, role)] = text
                cells = export_cells(content_type, body) if response.status_code == 200 else None
                if cells is not None:
                    rec.cells = len(cells)
                    rec.formula_cells = dangerous_cells(cells)
                    rec.neutralised_cells = sum(
                        1 for c in cells if isinstance(c, str) and c[:2] in ("'=", "'+", "'-", "'@")
                    )
                rec.seconds = time.perf_counter() - started
                records.append(rec)
    return Walk(records, texts, missing_expectations(world), unreal_probes(world))


SECURITY_HEADERS = (
    "Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy",
    "Strict-Transport-Security",
)  # fmt: skip
