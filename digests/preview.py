"""Previews of unpublished digests: for the desk, and by share link for outside reviewers.

A preview is the reader's page itself, rendered from the same template and
context, with a banner saying it is a preview. It is never cached (``no-store``)
and never indexed (``X-Robots-Tag`` and a robots meta tag).
"""

from django.core import signing
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View

from digests.models import Digest, PreviewLink

SALT = "newsroom.preview-link"


def share_url(link):
    """The public address of a share link: the token, signed."""
    return reverse("shared-preview", kwargs={"signed": signing.dumps(link.token, salt=SALT)})


def preview_response(request, digest, shared):
    response = TemplateResponse(
        request,
        "digests/digest_detail.html",
        {"digest": digest, "preview": True, "shared_preview": shared},
    )
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


class SharedPreviewView(View):
    """/preview/<signed>/: read-only, for a reviewer without an account, until it ends."""

    def get(self, request, signed):
        try:
            token = signing.loads(signed, salt=SALT)
        except signing.BadSignature:
            raise Http404("This preview link is not valid.") from None
        link = (
            PreviewLink.objects.filter(token=token, revoked_at=None, expires_at__gt=timezone.now())
            .select_related("digest")
            .first()
        )
        if link is None:
            raise Http404("This preview link has expired or was revoked.")
        digest = Digest.objects.with_contents().get(pk=link.digest_id)
        return preview_response(request, digest, shared=True)
