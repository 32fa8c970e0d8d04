"""The share card's address and the WeChat-ready copy, public and for the desk."""

import datetime
import logging

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, HttpResponseGone
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views import View

from digests import sharing
from digests.models import Digest
from digests.sharing import card, wechat

log = logging.getLogger(__name__)

CARD_MAX_AGE = 3600  # a card changes only with its day's version


def _date(year, month, day):
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise Http404(_("No such date.")) from None


def _gone_or_missing(date):
    """410 for a withdrawn day (its contents are not shown), 404 for any other."""
    if Digest.objects.withdrawn().filter(date=date).exists():
        return HttpResponseGone(
            _("This briefing was withdrawn."), content_type="text/plain; charset=utf-8"
        )
    raise Http404(_("No briefing was published on this day."))


class ShareCardView(View):
    """/YYYY/MM/DD/card.png: the kept card, drawn here if the worker has not made it yet.

    Never a server error for a published day: when the card cannot be drawn (no font,
    no disk), the generic card is served, uncached, and the failure logged.
    """

    def get(self, request, year, month, day):
        date = _date(year, month, day)
        digest = (
            Digest.objects.published()
            .filter(date=date)
            .only("pk", "date", "title", "version", "status")
            .first()
        )
        if digest is None:
            return _gone_or_missing(date)
        path = card.path_for(digest.date, digest.version)
        if not path.exists():
            try:
                path = sharing.make_card(digest)
            except Exception:  # whatever it is, readers get the generic card, not a 500
                log.exception("the share card of %s could not be drawn", date)
                response = HttpResponse(card.generic_png(), content_type="image/png")
                response["Cache-Control"] = "no-store"  # not kept by the page cache either
                return response
        response = FileResponse(path.open("rb"), content_type="image/png")
        response["Cache-Control"] = f"public, max-age={CARD_MAX_AGE}"
        response["ETag"] = f'"{date:%Y%m%d}-v{digest.version}"'
        return response


class WeChatView(View):
    """/YYYY/MM/DD.wechat.html: the published day as HTML with every style inlined."""

    def get(self, request, year, month, day):
        date = _date(year, month, day)
        digest = Digest.objects.published().with_contents(claims=False).filter(date=date).first()
        if digest is None:
            return _gone_or_missing(date)
        response = HttpResponse(wechat.page(digest), content_type="text/html; charset=utf-8")
        response["Last-Modified"] = http_date(digest.last_updated.timestamp())
        return response


@method_decorator(staff_member_required, name="dispatch")
class DeskWeChatView(View):
    """The desk's WeChat copy of any digest, drafts included: staff who may view digests."""

    def get(self, request, pk):
        if not request.user.has_perm("digests.view_digest"):
            raise PermissionDenied
        digest = get_object_or_404(Digest.objects.with_contents(claims=False), pk=pk)
        response = HttpResponse(wechat.page(digest), content_type="text/html; charset=utf-8")
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response
