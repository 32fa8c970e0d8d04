"""Previews of unpublished digests: for the desk, and by share link for outside reviewers.

A preview is the reader's page itself, rendered from the same template and
context, with a banner saying it is a preview. It is never cached (``no-store``)
and never indexed (``X-Robots-Tag`` and a robots meta tag).

A share link shows work in progress only (draft, in review, scheduled). Once the
digest is published it leads to the public page; a withdrawal revokes it (in the
``withdraw`` transition), and a withdrawn digest is never shown by a link.
"""

from django.core import signing
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View

from digests.models import Digest, PreviewLink

SALT = "newsroom.preview-link"
S = Digest.Status
# The states a share link can be made for and shows.
SHAREABLE = (S.DRAFT, S.REVIEW, S.SCHEDULED)


def share_url(link):
    """The public address of a share link: the token, signed."""
    return reverse("shared-preview", kwargs={"signed": signing.dumps(link.token, salt=SALT)})


def _private(response):
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def preview_response(request, digest, shared):
    return _private(
        TemplateResponse(
            request,
            "digests/digest_detail.html",
            {"digest": digest, "preview": True, "shared_preview": shared},
        )
    )


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
        if link.digest.status == S.PUBLISHED:
            # Not cached: the link must stop leading anywhere once it is revoked.
            return _private(HttpResponseRedirect(link.digest.get_absolute_url()))
        if link.digest.status not in SHAREABLE:
            raise Http404("This preview link no longer shows anything.")
        digest = Digest.objects.with_contents().get(pk=link.digest_id)
        return preview_response(request, digest, shared=True)
