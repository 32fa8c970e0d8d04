"""Review comments anchored to items, the analysis or the trends (issue 10, point 5).

STUB, to be written.
"""

from django.http import Http404


def desk_context(request, digest):
    """Open and resolved comments by anchor, and what changed since changes were requested."""
    return {}


def resolve(model_admin, request, object_id, comment_id):
    raise Http404


def reopen(model_admin, request, object_id, comment_id):
    raise Http404
