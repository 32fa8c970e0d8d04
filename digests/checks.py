"""Checks for ``python manage.py check --deploy``: what would break every page in production.

- ``NEWSROOM_SITE_URL`` is the site's address in every absolute link (canonical
  links, OpenGraph, JSON-LD, feeds, the sitemap, robots.txt, e-mail). A
  development address there sends readers and search engines to a machine
  that is not the site.
- With hashed static file names (WhiteNoise's manifest storage), a file the
  manifest lacks makes every page that links it a 500, the 404 page included.
  ``collectstatic`` writes the manifest; these checks say when it was not run
  into ``STATIC_ROOT``, or not since a static file was added.
"""

from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.checks import Error, Tags, Warning, register
from django.core.files.storage import storages
from django.http.request import validate_host

DEVELOPMENT_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "testserver"}
SHOWN = 5  # missing static files named in the message


@register(Tags.security, deploy=True)
def check_site_url(app_configs, **kwargs):
    """The site's address is set, public, served over HTTPS and one of ALLOWED_HOSTS."""
    address = urlsplit(settings.NEWSROOM_SITE_URL)
    host = address.hostname or ""
    if host in DEVELOPMENT_HOSTS or host.endswith((".localhost", ".local")):
        return [
            Warning(
                f"NEWSROOM_SITE_URL is a development address ({settings.NEWSROOM_SITE_URL}).",
                hint="Set NEWSROOM_SITE_URL to the site's public address, e.g. "
                "https://news.example.com: every canonical link, feed, sitemap entry "
                "and e-mail link is built from it.",
                id="newsroom.W001",
            )
        ]
    problems = []
    if address.scheme != "https":
        problems.append(
            Warning(
                f"NEWSROOM_SITE_URL does not start with https:// ({settings.NEWSROOM_SITE_URL}).",
                hint="Readers are redirected to HTTPS; links should not need the redirect.",
                id="newsroom.W002",
            )
        )
    if not validate_host(host, settings.ALLOWED_HOSTS):
        problems.append(
            Warning(
                f"The host of NEWSROOM_SITE_URL ({host}) is not in ALLOWED_HOSTS.",
                hint="Links would lead to an address the site refuses (400).",
                id="newsroom.W003",
            )
        )
    return problems


@register(Tags.staticfiles, deploy=True)
def check_static_manifest(app_configs, **kwargs):
    """``collectstatic`` was run into STATIC_ROOT, and since the last static file was added."""
    storage = storages.create_storage(settings.STORAGES["staticfiles"])
    if not isinstance(storage, ManifestFilesMixin):
        return []
    if storage.read_manifest() is None:
        return [
            Error(
                f"No static files manifest in STATIC_ROOT ({settings.STATIC_ROOT}): "
                "every page would fail.",
                hint="Run `python manage.py collectstatic --noinput` with the same STATIC_ROOT.",
                id="newsroom.E001",
            )
        ]
    hashed, _ = storage.load_manifest()
    ignore = apps.get_app_config("staticfiles").ignore_patterns
    missing = sorted(
        {
            path
            for finder in finders.get_finders()
            for path, _ in finder.list(ignore)
            if storage.hash_key(path.replace("\\", "/")) not in hashed
        }
    )
    if not missing:
        return []
    named = ", ".join(missing[:SHOWN]) + (
        f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
    )
    return [
        Error(
            f"The static files manifest lacks {len(missing)} file(s): {named}.",
            hint="Run `python manage.py collectstatic --noinput` again after each upgrade.",
            id="newsroom.E002",
        )
    ]
