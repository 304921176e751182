"""The URLconf, walked, and every URL kwarg filled with an object that exists in the world.

- `url_patterns()` lists every pattern (Wagtail's admin included) with its kwargs;
- `kwarg_fills(pattern, world)` gives, for a pattern with kwargs, the sets of values that name
  real objects of the world (tests/security/world.py): the model of each kwarg comes from the
  viewset's model, from the pattern's name (PK_MODELS) or from the kwarg's name
  (KWARG_MODELS); patterns whose kwargs belong together (a page and one of its revisions)
  have their own filler (FILLERS). A pattern with a kwarg that none of these knows gets no
  fill, and the matrix fails with its name (test_every_pattern_with_kwargs_is_probed_...);
- `kwargs_are_real(...)` checks that a concrete path names existing objects;
- `db_fingerprint()` is a digest of every table, to show that a refused POST changed nothing;
- `form_data(html)` reads the fields of a page's POST form, to post them back as someone else.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import product
from urllib.parse import urlsplit

from django.db import connection
from django.db import models as db_models
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from wagtail.admin.views.mixins import SpreadsheetExportMixin

# --- Walking the URLconf ----------------------------------------------------------------------

_GROUP_BODY = r"(?:[^()]|\([^()]*\))*"  # a group's text, with at most one level of nesting
KWARG_RE = re.compile(
    r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>"  # a path converter
    rf"|\(\?P<(?P<gname>\w+)>{_GROUP_BODY}\)"  # a named regex group
    rf"|\((?!\?){_GROUP_BODY}\)"  # an unnamed regex group
)


@dataclass(frozen=True)
class Pattern:
    route: str  # the concatenated pattern text
    name: str | None  # the pattern's name with its namespaces, e.g. "wagtailadmin_pages:edit"
    lookup: str  # the view's dotted path
    model: type | None = field(default=None, compare=False)  # the viewset's model, if any
    view_class: type | None = field(default=None, compare=False)
    exports: bool = field(default=False, compare=False)  # a listing that downloads CSV/XLSX

    @property
    def kwargs(self) -> list[str]:
        """The kwarg names in order; unnamed groups are "_0", "_1", ..."""
        names, position = [], 0
        for match in KWARG_RE.finditer(self.route):
            if match["name"]:
                names.append(match["name"])
            elif match["gname"]:
                names.append(match["gname"])
            else:
                names.append(f"_{position}")
                position += 1
        return names


def _unwrap(callback):
    """The class-based view inside a decorated one (e.g. require_admin_access, which keeps it
    in its closure), or the callback itself."""
    for _depth in range(3):
        if hasattr(callback, "view_class"):
            return callback
        inner = getattr(callback, "__wrapped__", None)
        if inner is None:
            cells = [
                c.cell_contents for c in (callback.__closure__ or ()) if callable(c.cell_contents)
            ]
            inner = next((c for c in cells if hasattr(c, "view_class")), None)
        if inner is None:
            return callback
        callback = inner
    return callback


def url_patterns() -> list[Pattern]:
    def walk(patterns, prefix="", namespaces=()):
        for p in patterns:
            if isinstance(p, URLResolver):
                spaces = namespaces + ((p.namespace,) if p.namespace else ())
                yield from walk(p.url_patterns, prefix + str(p.pattern), spaces)
            elif isinstance(p, URLPattern):
                callback = _unwrap(p.callback)
                view_class = getattr(callback, "view_class", None)
                initkwargs = getattr(callback, "view_initkwargs", None) or {}
                model = initkwargs.get("model")
                if not (isinstance(model, type) and issubclass(model, db_models.Model)):
                    model = None
                exports = bool(
                    view_class
                    and issubclass(view_class, SpreadsheetExportMixin)
                    and (initkwargs.get("list_export") or getattr(view_class, "list_export", None))
                    and not initkwargs.get("results_only")
                )
                name = ":".join((*namespaces, p.name)) if p.name else None
                yield Pattern(
                    prefix + str(p.pattern), name, p.lookup_str, model, view_class, exports
                )

    return list(walk(get_resolver().url_patterns))


def fill_route(route: str, values: dict[str, object]) -> str:
    """The path of `route` with its kwargs replaced by `values` (regex anchors dropped)."""
    position = 0

    def replace(match: re.Match) -> str:
        nonlocal position
        if match["name"]:
            key = match["name"]
        elif match["gname"]:
            key = match["gname"]
        else:
            key = f"_{position}"
            position += 1
        return str(values[key])

    path = KWARG_RE.sub(replace, route)
    path = path.replace("^", "").replace("$", "").replace("\\.", ".")
    return "/" + path


def same_route(a: str, b: str) -> bool:
    def norm(route: str) -> str:
        return route.replace("^", "").replace("$", "")

    return norm(a) in (norm(b), norm(b.split("/", 1)[1]) if "/" in b else norm(b))


def resolved_kwargs(pattern: Pattern, path: str) -> dict[str, str] | None:
    """The kwargs that `path` gives `pattern`, or None if the path reaches another pattern."""
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    if not same_route(match.route, pattern.route):
        return None
    named = set(pattern.kwargs)  # not the extra kwargs a path() passes (results_only=True)
    values = {k: str(v) for k, v in match.kwargs.items() if k in named}
    for n, arg in enumerate(match.args):
        values[f"_{n}"] = str(arg)
    return values


# --- Which model a kwarg names ----------------------------------------------------------------


def _models() -> dict[str, type]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from wagtail import models as wagtail_models
    from wagtail.admin.models import EditingSession
    from wagtail.contrib.redirects.models import Redirect
    from wagtail.documents.models import Document
    from wagtail.images.models import Image
    from wagtailmedia.models import Media

    from certificates.models import BulkExport, Certificate
    from content.models import CoursePage, LessonPage, Quiz
    from courses.learning.models import QuizAttempt
    from courses.registry.models import Cadre, ImportJob
    from courses.sessions.models import TrainingSession

    models = [
        Group, EditingSession, Redirect, Document, Image, Media, BulkExport, Certificate,
        CoursePage, LessonPage, Quiz, ImportJob, QuizAttempt, TrainingSession, Cadre,
        get_user_model(),
    ]  # fmt: skip
    for name in (
        "Collection", "CollectionViewRestriction", "Page", "PageViewRestriction", "Revision",
        "Site", "Task", "TaskState", "UploadedFile", "Workflow", "WorkflowState",
    ):  # fmt: skip
        models.append(getattr(wagtail_models, name))
    return {model.__name__: model for model in models}


def kwarg_model_tables() -> tuple[dict[str, type], dict[str, type]]:
    """(KWARG_MODELS by kwarg name, PK_MODELS by pattern name or name prefix ending in ':')."""
    m = _models()
    kwarg_models = {
        "page_id": m["Page"], "parent_page_id": m["Page"], "page_to_move_id": m["Page"],
        "destination_id": m["Page"], "page_pk": m["Page"], "image_id": m["Image"],
        "document_id": m["Document"], "doc_id": m["Document"], "media_id": m["Media"],
        "uploaded_file_id": m["UploadedFile"], "collection_id": m["Collection"],
        "task_id": m["Task"], "task_state_id": m["TaskState"],
        "workflow_state_id": m["WorkflowState"], "revision_id": m["Revision"],
        "session_id": m["EditingSession"], "redirect_id": m["Redirect"],
        "restriction_id": m["CollectionViewRestriction"],
        "page_view_restriction_id": m["PageViewRestriction"], "workflow_pk": m["Workflow"],
        "course_id": m["CoursePage"], "lesson_id": m["LessonPage"], "quiz_id": m["Quiz"],
        "attempt_id": m["QuizAttempt"],
    }  # fmt: skip
    pk_models = {
        "certificate_detail": m["Certificate"], "certificate_revoke": m["Certificate"],
        "certificate_reissue": m["Certificate"], "certificate_download": m["Certificate"],
        "certificate_export": m["BulkExport"], "certificate_export_file": m["BulkExport"],
        "courses_registry_import_job": m["ImportJob"], "training_sessions:": m["TrainingSession"],
        "courses_registry_import_report": m["ImportJob"],
        "courses_registry_undecided_cadre": m["Cadre"],
        "courses_registry_undecided_session": m["TrainingSession"],
        "certificates:download": m["Certificate"],
        "certificates:credential_download": m["Certificate"],
        "wagtailadmin_api:pages:": m["Page"], "wagtailadmin_api:images:": m["Image"],
        "wagtailadmin_api:documents:": m["Document"],
        "wagtailadmin_pages:revisions_compare": m["Page"],
        "wagtailadmin_workflows:enable": m["Workflow"],
        "wagtailadmin_workflows:disable": m["Workflow"],
        "wagtailadmin_workflows:edit": m["Workflow"],
        "wagtailadmin_workflows:usage": m["Workflow"],
        "wagtailadmin_workflows:usage_results": m["Workflow"],
        "wagtailadmin_workflows:edit_task": m["Task"],
        "wagtailadmin_collections:edit": m["Collection"],
        "wagtailadmin_collections:delete": m["Collection"],
        "wagtaildocs_chooser:chosen": m["Document"],
        "wagtailadmin_workflows:disable_task": m["Task"],
        "wagtailadmin_workflows:enable_task": m["Task"],
    }  # fmt: skip
    return kwarg_models, pk_models


def kwarg_model(pattern: Pattern, name: str) -> type | None:
    kwarg_models, pk_models = kwarg_model_tables()
    if name != "pk":
        return kwarg_models.get(name)
    for key, model in pk_models.items():
        if pattern.name == key or (key.endswith(":") and (pattern.name or "").startswith(key)):
            return model
    return pattern.model


# Text kwargs that name no object but must hold a valid value: the values the matrix uses.
VALID_VALUES: dict[str, tuple[str, ...]] = {
    "fmt": ("csv", "xlsx"),  # the import template's formats
    "kind": ("sessions", "attendance"),  # the import kinds besides the cadre list
    "media_type": ("audio", "video"),  # wagtailmedia's upload forms and typed choosers
    "filter_spec": ("fill-100x100",),
    "action_name": ("approve", "reject", "copy", "delete", "publish", "unpublish", "move",
                    "convert_alias", "create_alias", "revert_to_page_revision"),
    "action": ("delete", "move", "publish", "unpublish", "add_tags", "add_to_collection",
               "assign_role", "set_active_state"),
}  # fmt: skip


# --- Filling kwargs from the world ---------------------------------------------------------------


@dataclass
class Fill:
    values: dict[str, object]  # kwarg -> value
    labels: tuple[str, ...]  # the world objects named, e.g. ("page:lesson",)
    query: str = ""  # a query string (bulk actions name their objects there)


def _fillers() -> dict[str, object]:
    """Patterns whose kwargs belong together, by pattern name: world -> [Fill]."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    def e(world, label):
        return world.extra[label]

    def page_type(world, label):
        page = e(world, label)
        return page.specific_class._meta.app_label, page.specific_class._meta.model_name

    def revision(world, label):
        page, rev = e(world, "page:in_review"), e(world, label)
        return Fill({"page_id": page.pk, "revision_id": rev.pk}, ("page:in_review", label))

    def quiz_revision(world, which):
        quiz, rev = e(world, "quiz:in_review"), e(world, f"quiz_revision:{which}")
        return Fill({"pk": quiz.pk, "revision_id": rev.pk},
                    ("quiz:in_review", f"quiz_revision:{which}"))  # fmt: skip

    def notice_revision(world, which):
        notice, rev = e(world, "privacy_notice"), world.extra[f"notice_revision:{which}"]
        return Fill({"pk": notice.pk, "revision_id": rev.pk}, ("privacy_notice",))

    def reset_link(world):
        user = e(world, "user:reset")
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        return [Fill({"uidb64": uid, "token": default_token_generator.make_token(user)},
                     ("user:reset",))]  # fmt: skip

    def bulk(world):
        from wagtail.admin.views.bulk_action.registry import bulk_action_registry as registry

        registry._scan_for_bulk_actions()
        fills = []
        for app_label, by_model in sorted(registry.actions.items()):
            for model_name, actions in sorted(by_model.items()):
                objects = [
                    (label, obj) for label, obj in world.objects
                    if obj._meta.app_label == app_label and obj._meta.model_name == model_name
                ]  # fmt: skip
                if not objects and model_name == "page":
                    objects = [(label, obj) for label, obj in world.objects
                               if label.startswith("page:") and label != "page:root"]  # fmt: skip
                for action in sorted(actions):
                    for label, obj in objects[:2]:
                        fills.append(Fill(
                            {"app_label": app_label, "model_name": model_name, "action": action},
                            (label,), query=f"?id={obj.pk}&next=/admin/",
                        ))  # fmt: skip
        return fills

    def add_page(world):
        fills = []
        pairs = (
            ("page:module", "page:lesson"), ("page:home", "page:standard"),
            ("page:volume", "page:story"), ("page:course_index", "page:course"),
        )  # fmt: skip
        for parent, child in pairs:
            app, model = page_type(world, child)
            values = {
                "content_type_app_name": app,
                "content_type_model_name": model,
                "parent_page_id": e(world, parent).pk,
            }
            fills.append(Fill(values, (parent, child)))
        return fills

    def page_types(world, keys=("content_type_app_name", "content_type_model_name")):
        fills = []
        for label in ("page:lesson", "page:course", "page:story"):
            app, model = page_type(world, label)
            fills.append(Fill(dict(zip(keys, (app, model), strict=True)), (label,)))
        return fills

    return {
        "password_reset_confirm": reset_link,
        "wagtailadmin_password_reset_confirm": reset_link,
        "wagtail_bulk_action": bulk,
        "wagtailadmin_pages:add": add_page,
        "wagtailadmin_pages:preview_on_add": add_page,
        "wagtailadmin_pages:type_use": page_types,
        "wagtailadmin_pages:type_use_results": page_types,
        "wagtailadmin_pages:choose_parent": lambda w: page_types(w, ("app_label", "model_name")),
        "wagtailadmin_tag_model_autocomplete": lambda w: [
            # The tag model, as Wagtail's tag fields ask for it.
            Fill({"app_name": "taggit", "model_name": "tag"}, ("tag",)),
        ],
        "wagtailadmin_workflows:add_task": lambda w: [
            Fill({"app_label": "wagtailcore", "model_name": "groupapprovaltask"}, ("task",))
        ],
        "wagtailadmin_pages:revisions_view": lambda w: [revision(w, "revision:first")],
        "wagtailadmin_pages:revisions_revert": lambda w: [revision(w, "revision:first")],
        "wagtailadmin_pages:revisions_unschedule": lambda w: [revision(w, "revision:latest")],
        "wagtailadmin_pages:revisions_compare": lambda w: [
            Fill(
                {
                    "pk": e(w, "page:in_review").pk,
                    "revision_id_a": e(w, "revision:first").pk,
                    "revision_id_b": e(w, "revision:latest").pk,
                },
                ("page:in_review", "revision:first", "revision:latest"),
            ),
            Fill(
                {
                    "pk": e(w, "page:in_review").pk,
                    "revision_id_a": "earliest",
                    "revision_id_b": "latest",
                },
                ("page:in_review",),
            ),
        ],  # fmt: skip
        "wagtailadmin_pages:workflow_action": lambda w: [
            Fill(
                {
                    "page_id": e(w, "page:in_review").pk,
                    "action_name": action,
                    "task_state_id": e(w, "task_state").pk,
                },
                ("page:in_review", "task_state"),
            )
            for action in ("approve", "reject")
        ],  # fmt: skip
        "wagtailadmin_pages:collect_workflow_action_data": lambda w: [
            Fill(
                {
                    "page_id": e(w, "page:in_review").pk,
                    "action_name": "reject",
                    "task_state_id": e(w, "task_state").pk,
                },
                ("page:in_review", "task_state"),
            )
        ],  # fmt: skip
        "wagtailadmin_pages:workflow_preview": lambda w: [
            Fill(
                {"page_id": e(w, "page:in_review").pk, "task_id": e(w, "task").pk},
                ("page:in_review", "task"),
            )
        ],  # fmt: skip
        "wagtailadmin_pages:workflow_history_detail": lambda w: [
            Fill(
                {
                    "page_id": e(w, "page:in_review").pk,
                    "workflow_state_id": e(w, "workflow_state").pk,
                },
                ("page:in_review", "workflow_state"),
            )
        ],  # fmt: skip
        # The privacy notice's own revisions.
        "wagtailsnippets_courses_privacynotice:revisions_revert": lambda w: [
            notice_revision(w, "first")
        ],
        "wagtailsnippets_courses_privacynotice:revisions_unschedule": lambda w: [
            notice_revision(w, "latest")
        ],
        "wagtailsnippets_courses_privacynotice:revisions_compare": lambda w: [
            Fill(
                {
                    "pk": e(w, "privacy_notice").pk,
                    "revision_id_a": w.extra["notice_revision:first"].pk,
                    "revision_id_b": w.extra["notice_revision:latest"].pk,
                },
                ("privacy_notice",),
            ),
            Fill(
                {
                    "pk": e(w, "privacy_notice").pk,
                    "revision_id_a": "earliest",
                    "revision_id_b": "latest",
                },
                ("privacy_notice",),
            ),
        ],
        # The quiz in review (a snippet with drafts and the pages' workflow).
        "wagtailsnippets_content_quiz:revisions_view": lambda w: [quiz_revision(w, "first")],
        "wagtailsnippets_content_quiz:revisions_revert": lambda w: [quiz_revision(w, "first")],
        "wagtailsnippets_content_quiz:revisions_unschedule": lambda w: [quiz_revision(w, "latest")],
        "wagtailsnippets_content_quiz:revisions_compare": lambda w: [
            Fill(
                {
                    "pk": e(w, "quiz:in_review").pk,
                    "revision_id_a": e(w, "quiz_revision:first").pk,
                    "revision_id_b": e(w, "quiz_revision:latest").pk,
                },
                ("quiz:in_review", "quiz_revision:first", "quiz_revision:latest"),
            ),
        ],  # fmt: skip
        "wagtailsnippets_content_quiz:workflow_action": lambda w: [
            Fill(
                {
                    "pk": e(w, "quiz:in_review").pk,
                    "action_name": action,
                    "task_state_id": e(w, "quiz_task_state").pk,
                },
                ("quiz:in_review", "quiz_task_state"),
            )
            for action in ("approve", "reject")
        ],  # fmt: skip
        "wagtailsnippets_content_quiz:collect_workflow_action_data": lambda w: [
            Fill(
                {
                    "pk": e(w, "quiz:in_review").pk,
                    "action_name": "reject",
                    "task_state_id": e(w, "quiz_task_state").pk,
                },
                ("quiz:in_review", "quiz_task_state"),
            )
        ],  # fmt: skip
        "wagtailsnippets_content_quiz:workflow_preview": lambda w: [
            Fill(
                {"pk": e(w, "quiz:in_review").pk, "task_id": e(w, "task").pk},
                ("quiz:in_review", "task"),
            )
        ],  # fmt: skip
        "wagtailsnippets_content_quiz:workflow_history_detail": lambda w: [
            Fill(
                {
                    "pk": e(w, "quiz:in_review").pk,
                    "workflow_state_id": e(w, "quiz_workflow_state").pk,
                },
                ("quiz:in_review", "quiz_workflow_state"),
            )
        ],  # fmt: skip
        "wagtailadmin_pages:move_confirm": lambda w: [
            Fill(
                {
                    "page_to_move_id": e(w, "page:lesson").pk,
                    "destination_id": e(w, "page:module").pk,
                },
                ("page:lesson", "page:module"),
            )
        ],  # fmt: skip
        "wagtailadmin_workflows:remove": lambda w: [
            Fill({"page_pk": e(w, "page:root").pk}, ("page:root",)),
            Fill(
                {"page_pk": e(w, "page:root").pk, "workflow_pk": e(w, "workflow").pk},
                ("page:root", "workflow"),
            ),
        ],  # fmt: skip
        "wagtailadmin_editing_sessions:ping": lambda w: [
            Fill(
                {
                    "app_label": "wagtailcore",
                    "model_name": "page",
                    "object_id": e(w, "page:lesson").pk,
                    "session_id": e(w, "editing_session").pk,
                },
                ("page:lesson", "editing_session"),
            )
        ],  # fmt: skip
        "wagtailadmin_api:pages:action": lambda w: [
            Fill({"pk": e(w, "page:lesson").pk, "action_name": action}, ("page:lesson",))
            for action in ("publish", "unpublish", "delete", "copy", "move")
        ],
        "wagtailimages:preview": lambda w: [
            Fill({"image_id": e(w, "image").pk, "filter_spec": "fill-100x100"}, ("image",))
        ],
        "wagtaildocs_serve": lambda w: [
            Fill({"_0": e(w, label).pk, "_1": e(w, label).filename}, (label,))
            for label in ("document", "document:private")
        ],
        "wagtailcore_authenticate_with_password": lambda w: [
            Fill(
                {
                    "page_view_restriction_id": e(w, "page_restriction").pk,
                    "page_id": e(w, "page:standard").pk,
                },
                ("page_restriction", "page:standard"),
            )
        ],  # fmt: skip
        # Wagtail's page serving: the path of every page but the tree's root.
        "wagtail_serve": lambda w: [
            Fill({"_0": page.url_path.split("/", 2)[2]}, (label,))
            for label, page in w.objects
            if label.startswith("page:") and label != "page:root"
        ],
        "courses_registry_import_template": lambda w: [
            Fill({"fmt": fmt}, ()) for fmt in VALID_VALUES["fmt"]
        ],
        "certificates:verify": lambda w: [
            Fill({"code": e(w, label).code}, (label,))
            for label in ("certificate:A", "certificate:P20")
        ],
        "certificates:credential": lambda w: [
            Fill({"code": e(w, label).code}, (label,))
            for label in ("certificate:A", "certificate:P20")
        ],
        # The revocation list every credential of the world points to.
        "certificates:status_list": lambda w: [Fill({"number": 1}, ("status_list:1",))],
        "certificates:verify_json": lambda w: [
            Fill({"code": e(w, label).code}, (label,))
            for label in ("certificate:A", "certificate:P20")
        ],
    }


# Patterns whose kwargs can name nothing real here, each with the reason. The matrix still
# probes them (with the values given) and expects the same refusal from everyone.
NO_REAL_OBJECT: dict[str, tuple[str, dict]] = {
    "wagtailsettings:edit": (
        "no settings model is registered (wagtail.contrib.settings has none here)",
        {"app_name": "lms", "model_name": "sitesettings", "pk": 1},
    ),
    "wagtailsettings:preview_on_edit": (
        "no settings model is registered (wagtail.contrib.settings has none here)",
        {"app_name": "lms", "model_name": "sitesettings", "pk": 1},
    ),
}


# Which objects of a kind a pattern is probed with, when not all of them. Pages: every type
# for the editor and the draft view, whose rendering depends on the type; the parents for the
# explorer; a published lesson and the lesson waiting for review for the others, whose rules
# do not depend on the type. Users and groups: the user-management views refuse every role
# of the matrix alike, a few ids show it.
PAGE_LABELS = {
    "wagtailadmin_pages:edit": None,  # every page
    "wagtailadmin_pages:view_draft": None,
    "wagtailadmin_explore": ("page:root", "page:home", "page:course", "page:volume"),
    "wagtailadmin_pages:add_subpage": ("page:module", "page:lesson"),
}
SOME_LABELS = {
    "Page": ("page:lesson", "page:in_review"),
    "User": ("user:cadre", "user:central", "user:root"),
    "Group": ("group:Admin", "group:Trainer"),
}


def _objects_for(pattern: Pattern, world, model) -> list[tuple[str, object]]:
    objects = world.of(model)
    some = SOME_LABELS.get(model.__name__)
    if model.__name__ == "Page" and pattern.name in PAGE_LABELS:
        some = PAGE_LABELS[pattern.name]
    if some:
        objects = [(label, obj) for label, obj in objects if label in some]
    return objects


def kwarg_fills(pattern: Pattern, world, *, limit: int | None = None) -> list[Fill]:
    """The real fills of a pattern: an empty list when a kwarg names nothing known."""
    names = pattern.kwargs
    if not names:
        return [Fill({}, ())]
    fillers = _fillers()
    if pattern.name in fillers:
        # Several patterns may share a name (with and without an optional kwarg).
        fills = [f for f in fillers[pattern.name](world) if set(f.values) == set(names)]
        return fills[:limit] if limit else fills
    choices = []
    for name in names:
        model = kwarg_model(pattern, name)
        if model is not None:
            objects = _objects_for(pattern, world, model)
            options = [Fill({name: obj.pk}, (label,)) for label, obj in objects]
        elif name in VALID_VALUES:
            options = [Fill({name: value}, ()) for value in VALID_VALUES[name]]
        else:
            return []
        if not options:
            return []
        choices.append(options)
    fills = []
    for combo in product(*choices):
        values, labels = {}, ()
        for part in combo:
            values.update(part.values)
            labels += part.labels
        fills.append(Fill(values, labels))
    return fills[:limit] if limit else fills


def kwargs_are_real(pattern: Pattern, kwargs: dict[str, str], world) -> list[str]:
    """The kwargs of a concrete path that name no world object (empty: all real)."""
    unreal = []
    fills = _fillers()
    if pattern.name in fills:
        known = [{k: str(v) for k, v in f.values.items()} for f in fills[pattern.name](world)]
        return [] if kwargs in known else [f"{kwargs} is none of the fills of {pattern.name}"]
    for name, value in kwargs.items():
        model = kwarg_model(pattern, name)
        if model is not None:
            if not any(str(obj.pk) == value for _label, obj in world.of(model)):
                unreal.append(f"{name}={value} is no {model.__name__} of the world")
        elif value not in VALID_VALUES.get(name, ()):
            unreal.append(f"{name}={value}: no model or valid value known for this kwarg")
    return unreal


# --- Did the database change? -------------------------------------------------------------------

# Not the effect of a request on the data: the login sessions (a refused request stores its
# "permission denied" message there) and the time of a user's last login (a client that was
# logged out logs in again).
FINGERPRINT_IGNORED = {"django_session"}
FINGERPRINT_IGNORED_COLUMNS = {"last_login"}
_columns: dict[str, list[str]] = {}


def _tables() -> dict[str, list[str]]:
    """table -> the columns that count, for every table of the database."""
    if not _columns:
        with connection.cursor() as cursor:
            for table in connection.introspection.table_names(cursor):
                if table in FINGERPRINT_IGNORED:
                    continue
                description = connection.introspection.get_table_description(cursor, table)
                _columns[table] = [
                    c.name for c in description if c.name not in FINGERPRINT_IGNORED_COLUMNS
                ]
    return _columns


def db_fingerprint() -> dict[str, str]:
    """table -> digest of all its rows (both PostgreSQL and SQLite; the world is small)."""
    digests = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, columns in sorted(_tables().items()):
            names = ", ".join(quote(c) for c in columns)
            cursor.execute(f"SELECT {names} FROM {quote(table)}")  # noqa: S608 - names we listed
            rows = sorted(
                repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row))
                for row in cursor.fetchall()
            )
            digests[table] = hashlib.blake2b("\n".join(rows).encode(), digest_size=12).hexdigest()
    return digests


def fingerprint_diff(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(t for t in set(before) | set(after) if before.get(t) != after.get(t))


def write_count() -> int:
    """A counter that moves whenever a row is written (or a write is tried): this
    transaction's row counters on PostgreSQL (the sessions table left out), the connection's
    total changes on SQLite."""
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) "
                "FROM pg_stat_xact_user_tables WHERE relname <> ALL(%s)",
                [sorted(FINGERPRINT_IGNORED)],
            )
            return int(cursor.fetchone()[0])
    return connection.connection.total_changes


class DatabaseWatch:
    """Which tables changed since the last look. The digest of every table is taken again
    only when the write counter moved (most requests write nothing), so the check stays
    cheap; a counter that moved for nothing (a write rolled back) costs one digest."""

    def __init__(self):
        self.digests = db_fingerprint()
        self.count = write_count()

    def changed(self) -> list[str]:
        count = write_count()
        if count == self.count:
            return []
        digests = db_fingerprint()
        diff = fingerprint_diff(self.digests, digests)
        self.digests, self.count = digests, write_count()
        return diff


# --- Reading a form back -------------------------------------------------------------------------


class _FormParser(HTMLParser):
    """The fields of the first form posting to `action` (or the first POST form)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None
        self._first_option = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"method": (a.get("method") or "get").lower(),
                          "action": a.get("action") or "", "data": {}}  # fmt: skip
            self.forms.append(self._form)
        if self._form is None:
            return
        data = self._form["data"]
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    data.setdefault(name, []).append(a.get("value", "on"))
                return
            data.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            self._select, self._first_option = name, None
            data.setdefault(name, [])
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                data[self._select].append(value)
        elif tag == "textarea" and name:
            self._textarea = name
            data[name] = [""]

    def handle_data(self, text):
        if self._textarea and self._form is not None:
            self._form["data"][self._textarea][0] += text

    def handle_endtag(self, tag):
        if tag == "select" and self._select and self._form is not None:
            values = self._form["data"][self._select]
            if not values and self._first_option:
                values.append(self._first_option)
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None


def form_data(html: str) -> dict[str, list[str]]:
    """The fields of the page's main POST form (the one with most fields), token removed."""
    parser = _FormParser()
    parser.feed(html)
    forms = [f for f in parser.forms if f["method"] == "post"]
    if not forms:
        return {}
    data = max(forms, key=lambda f: len(f["data"]))["data"]
    data.pop("csrfmiddlewaretoken", None)
    return data


# --- Was a request refused? ---------------------------------------------------------------------

LOGIN_PATHS = ("/accounts/login/", "/admin/login/", "/_util/login/")


def outcome(response) -> int | str:
    """The status, except a redirect: "login" (to a login page), "denied" (to the admin's
    home, Wagtail's "permission denied") or "redirect" (anywhere else)."""
    if response.status_code not in (301, 302, 303, 307, 308):
        return response.status_code
    target = urlsplit(response["Location"]).path
    if target.startswith(LOGIN_PATHS):
        return "login"
    if target == "/admin/":
        return "denied"
    return "redirect"


def refused(response) -> bool:
    """403/404/405/401, or a redirect to a login page or to the admin's home (Wagtail's
    "permission denied" answer)."""
    return outcome(response) in (401, 403, 404, 405, "login", "denied")
