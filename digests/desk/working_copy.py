"""Autosave: each editor's open form kept server-side as a working copy (issue 10, point 3).

STUB, to be written: the views below and ``discard_for``.
"""

from django.http import Http404


def desk_context(request, digest):
    """What the change page needs to offer a working copy back (``{}`` when there is none)."""
    return {}


def autosave(model_admin, request, object_id):
    raise Http404


def discard(model_admin, request, object_id):
    raise Http404


def discard_for(digest, user):
    """After a successful save: the person's working copy of the digest is spent."""
