"""Static files as a phone downloads them: the project's own scripts and styles minified, then
hashed and compressed (gzip and Brotli) by WhiteNoise as every static file is.

The project's scripts and styles are written to be read, with comments that say why; a phone
on a weak connection needs none of that. rjsmin and rcssmin only take out comments and
spaces (no renaming, no rewriting), so what runs is the code that was read and tested.
Files of Wagtail and other packages are left as they ship (already minified where it matters).
"""

from __future__ import annotations

import rcssmin
import rjsmin
from django.core.files.base import ContentFile
from whitenoise.storage import CompressedManifestStaticFilesStorage

# The apps whose static files are this project's own (their folders under static/).
OWN_APPS = ("lms/", "content/", "courses/", "certificates/")


def minified(name: str, text: str) -> str | None:
    """The minified text of the project's own script or style `name`, else None."""
    if not name.startswith(OWN_APPS) or ".min." in name:
        return None
    if name.endswith(".js"):
        return rjsmin.jsmin(text, keep_bang_comments=True)
    if name.endswith(".css"):
        return rcssmin.cssmin(text, keep_bang_comments=True)
    return None


class MinifiedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's storage, with the project's own scripts and styles minified before they
    are hashed (so the hash is the minified file's)."""

    def post_process(self, paths, dry_run=False, **options):
        if not dry_run:
            paths = dict(paths)
            for name, (storage, path) in list(paths.items()):
                if not name.endswith((".js", ".css")):
                    continue
                with storage.open(path) as source:
                    small = minified(name, source.read().decode("utf-8"))
                if small is None:
                    continue
                if self.exists(name):
                    self.delete(name)
                self._save(name, ContentFile(small.encode("utf-8")))
                paths[name] = (self, name)
        yield from super().post_process(paths, dry_run, **options)
