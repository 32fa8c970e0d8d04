"""The editor's "reported before" hints beside each item, and the desk's decisions about them.

An item of a digest may resemble an item published in the last
``NEWSROOM_STORY_DAYS`` days (``digests.story.index.similar_items``). The change
page shows each such earlier item beside the card, with three answers: a
*follow-up* (the two items are linked and readers see the link), a *repeat* (the
``no_repeats`` edition check flags it) or *not related* (not suggested again).
``decide`` is the one place that records an answer, whoever asks: the page's
script, the page without scripts, a test or a shell.

The lookups cost one query or more per item, so the change page does not make
them: its script asks for every item's hints in one JSON request once the page
is there (``hints_view``), and a slow index slows that request, never the page.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import get_template
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from digests import public_cache, workflow
from digests.briefing.grammar import MAX_ITEMS
from digests.desk.views import _digest, post_only
from digests.models import Digest, DigestEvent, Item, ItemLink
from digests.story import index

Kind = ItemLink.Kind
S = Digest.Status

# The most earlier items suggested beside one card, best first (decisions come on top).
HINTS_PER_ITEM = 3
HINTS_TEMPLATE = "admin/digests/digest/includes/story_hints.html"
# How long an item's lookup is kept (its key changes whenever its answer may change).
LOOKUP_SECONDS = 24 * 3600
# What the desk calls each answer (the buttons); the model's labels name the link itself.
ANSWERS = [
    (Kind.FOLLOW_UP, gettext_lazy("Follow-up")),
    (Kind.REPEAT, gettext_lazy("Repeat")),
    (Kind.UNRELATED, gettext_lazy("Not related")),
]


class DecisionRefused(Exception):
    """A decision that was not recorded; the message says why, for the desk."""


class DecisionNotPermitted(DecisionRefused, PermissionDenied):
    """The person may not decide about this item (a 403 for forged requests)."""


def may_decide(digest, user):
    """Whether ``user`` may mark this digest's items follow-ups, repeats or not related.

    While the digest's content may be edited (``workflow.can_edit``: an editor in
    draft, a reviewer in review), and on a published digest for those who may
    correct it (reviewers): a follow-up found after publication is added for
    readers as a correction is, logged and at once. Scheduled and withdrawn
    digests are refused, as for any edit: cancel the schedule or reopen first.
    ``user=None`` is the system.
    """
    if user is None or workflow.can_edit(digest, user):
        return True
    return digest.status == S.PUBLISHED and user.has_perm("digests.add_correction")


def decide(item, earlier, kind, user, *, score=None):
    """Record that ``item`` is a follow-up, a repeat or unrelated to ``earlier``; the link.

    Creates the ``ItemLink`` or changes its kind (``add_itemlink`` or
    ``change_itemlink``); the same answer again writes nothing. ``earlier`` must
    be an item readers can see, of an earlier day. The digest's activity log
    gets a line ("saved changes: …", no action type of its own). A follow-up is
    what readers see, so on a published digest its coming or going raises both
    digests' versions and the public generation, as a correction does.
    """
    try:
        kind = Kind(kind)
    except ValueError:
        raise DecisionRefused(_("Choose follow-up, repeat or not related.")) from None
    if item.pk == earlier.pk:
        raise DecisionRefused(_("An item cannot follow itself."))
    with transaction.atomic():
        digest = Digest.objects.select_for_update().get(pk=item.digest_id)
        if not may_decide(digest, user):
            raise DecisionNotPermitted(
                _("You may not mark the items of this %(status)s digest.")
                % {"status": digest.get_status_display()}
            )
        earlier = Item.objects.select_related("digest").get(pk=earlier.pk)
        if earlier.digest.status != S.PUBLISHED or earlier.digest.date >= digest.date:
            raise DecisionRefused(
                _("Only an item published on an earlier day can be reported before.")
            )
        link = ItemLink.objects.select_for_update().filter(item=item, earlier=earlier).first()
        needed = "digests.add_itemlink" if link is None else "digests.change_itemlink"
        if user is not None and not user.has_perm(needed):
            raise DecisionNotPermitted(_("You may not mark story links."))
        before = link and link.kind
        if before == kind:
            return link
        if link is None:
            link = ItemLink(item=item, earlier=earlier)
        link.kind, link.created_by, link.created_at = kind, user, timezone.now()
        if score is not None:
            link.score = score
        link.save()
        readers_see = Kind.FOLLOW_UP in (before, kind) and digest.status == S.PUBLISHED
        if readers_see:
            Digest.objects.filter(pk__in=[digest.pk, earlier.digest_id]).update(
                version=F("version") + 1, updated_at=timezone.now()
            )
            digest.refresh_from_db(fields=["version"])
        DigestEvent.objects.create(
            digest=digest,
            action=DigestEvent.Action.SAVE,
            from_status=digest.status,
            to_status=digest.status,
            actor=user,
            note=decision_note(item, earlier, kind),
            version=digest.version,
        )
        if readers_see:
            public_cache.changed(digest=digest)
    return link


def decision_note(item, earlier, kind):
    """The activity log's words for a decision (kept in the language of the one who decided)."""
    words = {
        Kind.FOLLOW_UP: _("“%(item)s” marked a follow-up of %(date)s “%(earlier)s”"),
        Kind.REPEAT: _("“%(item)s” marked a repeat of %(date)s “%(earlier)s”"),
        Kind.UNRELATED: _("“%(item)s” marked not related to %(date)s “%(earlier)s”"),
    }[kind]
    return words % {
        "item": item.heading,
        "date": earlier.digest.date.isoformat(),
        "earlier": earlier.heading,
    }


# --- the hints ---------------------------------------------------------------------------


@dataclass
class Hint:
    """One earlier item beside a card: suggested (``kind`` empty) or already decided."""

    earlier: Item
    score: float | None = None
    kind: str = ""

    @property
    def kind_label(self):
        return dict(ANSWERS).get(self.kind, "")


@dataclass
class ItemHints:
    item: Item
    hints: list = field(default_factory=list)  # suggested and follow-ups / repeats
    unrelated: list = field(default_factory=list)  # decided "not related", shown folded


def similar_to(item, digest, limit=HINTS_PER_ITEM):
    """Earlier published items like ``item``, with scores, never from ``digest`` itself."""
    return index.similar_items(
        item, days=settings.NEWSROOM_STORY_DAYS, limit=limit, exclude_digest=digest
    )


def hints(digest, items=None):
    """Every saved item of ``digest`` (or of ``items``) with its hints, in page order.

    Only items with a hint or a decision are listed.

    Queries: the items (with their digest), the decisions (with their earlier
    items and days), the public generation, one lookup per item not in the cache
    (``similar_items``: one query for an item whose digest is loaded; at most
    ``MAX_ITEMS`` items, see ``looked_up``), and, if any was
    suggested, the suggested earlier items with their days, read again in one
    query: only items of published digests of earlier days are kept, whatever
    the index returned.
    """
    if items is None:
        # With their digest: the index reads each item's day.
        items = Item.objects.filter(digest=digest).select_related("digest")
        items = items.order_by("position", "id")[:MAX_ITEMS]
    items = list(items)
    decided = defaultdict(dict)
    links = ItemLink.objects.filter(item__in=[item.pk for item in items])
    for link in links.select_related("earlier__digest"):
        decided[link.item_id][link.earlier_id] = link
    found = {
        pk: [(earlier_pk, score) for earlier_pk, score in pairs if earlier_pk not in decided[pk]]
        for pk, pairs in looked_up(digest, items, decided).items()
    }
    wanted = {pk for pairs in found.values() for pk, _score in pairs}
    earlier_items = {
        row.pk: row
        for row in Item.objects.filter(
            pk__in=wanted, digest__status=S.PUBLISHED, digest__date__lt=digest.date
        ).select_related("digest")
    }
    result = []
    for item in items:
        entry = ItemHints(item)
        for link in sorted(decided[item.pk].values(), key=lambda row: row.created_at):
            hint = Hint(link.earlier, link.score, link.kind)
            (entry.unrelated if link.kind == Kind.UNRELATED else entry.hints).append(hint)
        entry.hints += [
            Hint(earlier_items[pk], score) for pk, score in found[item.pk] if pk in earlier_items
        ][:HINTS_PER_ITEM]
        if entry.hints or entry.unrelated:
            result.append(entry)
    return result


def looked_up(digest, items, decided):
    """Each item's earlier items and scores, ``[(pk, score)]``: from the cache, else the index.

    A lookup costs one query and, on a busy archive, tens of milliseconds, so its
    answer is kept (``LOOKUP_SECONDS``) under what it depends on: the item as last
    saved, the public generation (any publication, withdrawal, correction or change
    of search terms raises it: ``digests.public_cache``) and the days compared. A
    cache that cannot be reached is empty (``digests.cache``): every item is looked up.
    """
    generation = public_cache.read().public  # one query: a key must never be stale
    days = settings.NEWSROOM_STORY_DAYS
    keys = {}
    for item in items:
        limit = HINTS_PER_ITEM + len(decided[item.pk])
        stamp = item.updated_at.timestamp()
        keys[item.pk] = f"story:similar:{item.pk}:{stamp}:{generation}:{days}:{limit}"
    kept = cache.get_many(list(keys.values()))
    found, fresh = {}, {}
    for item in items:
        key = keys[item.pk]
        if key not in kept:
            limit = HINTS_PER_ITEM + len(decided[item.pk])
            kept[key] = fresh[key] = [
                (earlier.pk, score) for earlier, score in similar_to(item, digest, limit)
            ]
        found[item.pk] = [tuple(pair) for pair in kept[key]]
    if fresh:
        cache.set_many(fresh, LOOKUP_SECONDS)
    return found


def reported_before(digest):
    """How many of the digest's items resemble an earlier published item (for the import).

    One lookup per item, bounded by the most items a digest holds (``MAX_ITEMS``).
    """
    items = Item.objects.filter(digest=digest).order_by("position", "id")[:MAX_ITEMS]
    return sum(1 for item in items if similar_to(item, digest, limit=1))


def reported_before_message(count):
    return ngettext(
        "%(count)d item may have been reported before: see the hint beside it.",
        "%(count)d items may have been reported before: see the hints beside them.",
        count,
    ) % {"count": count}


# --- the views ---------------------------------------------------------------------------


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


def _context(request, digest):
    user = request.user
    if not user.has_perm("digests.view_itemlink"):
        raise PermissionDenied
    can_decide = may_decide(digest, user) and (
        user.has_perm("digests.add_itemlink") or user.has_perm("digests.change_itemlink")
    )
    return {"digest": digest, "answers": ANSWERS, "can_decide": can_decide}


def _fragment(request, context, entry, as_form=False):
    """One card's hints, drawn by the server in the desk's language (the template once)."""
    template = context.setdefault("template", get_template(HINTS_TEMPLATE))
    return template.render({**context, "entry": entry, "as_form": as_form}, request)


def hints_view(model_admin, request, object_id):
    """Every item's hints in one answer: JSON for the change page's script
    (``static/digests/admin/story.js``), a page of forms for a desk without scripts."""
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    digest = _digest(model_admin, request, object_id)
    context = _context(request, digest)
    entries = hints(digest)
    if _wants_json(request):
        suggested = sum(1 for entry in entries if any(not h.kind for h in entry.hints))
        return JsonResponse(
            {
                "items": [
                    {"item": entry.item.pk, "html": _fragment(request, context, entry)}
                    for entry in entries
                ],
                "message": ngettext(
                    "%(count)d item may have been reported before.",
                    "%(count)d items may have been reported before.",
                    suggested,
                )
                % {"count": suggested}
                if suggested
                else "",
            }
        )
    return TemplateResponse(
        request,
        "admin/digests/digest/story_hints.html",
        {
            **model_admin.admin_site.each_context(request),
            **context,
            "opts": model_admin.model._meta,
            "story_days": settings.NEWSROOM_STORY_DAYS,
            "title": _("Reported before: the items of %(date)s") % {"date": digest.date},
            "entries": [(entry, _fragment(request, context, entry, True)) for entry in entries],
        },
    )


@post_only
def decide_view(model_admin, request, object_id, item_id):
    """Mark one item a follow-up, a repeat or not related to an earlier one (``decide``)."""
    digest = _digest(model_admin, request, object_id)
    item = get_object_or_404(Item.objects.select_related("digest"), pk=item_id, digest=digest)
    earlier_id = request.POST.get("earlier", "")
    earlier = get_object_or_404(Item, pk=earlier_id) if earlier_id.isdigit() else None
    try:
        if earlier is None:
            raise DecisionRefused(_("Choose the earlier item."))
        kind = request.POST.get("kind", "")
        link = decide(item, earlier, kind, request.user, score=_score(request))
    except DecisionNotPermitted as refused:
        if _wants_json(request):
            return JsonResponse({"ok": False, "message": str(refused)}, status=403)
        raise
    except DecisionRefused as refused:
        return _answer(request, digest, item, str(refused), ok=False)
    message = _("“%(item)s”: %(kind)s of %(date)s “%(earlier)s”.") % {
        "item": item.heading,
        "kind": dict(ANSWERS)[link.kind],
        "date": link.earlier.digest.date.isoformat(),
        "earlier": link.earlier.heading,
    }
    return _answer(request, digest, item, message)


def _score(request):
    """The similarity the page showed, kept with the decision (0 to 1; anything else none)."""
    try:
        score = float(request.POST.get("score", ""))
    except ValueError:
        return None
    return score if 0 <= score <= 1 else None


def _answer(request, digest, item, message, ok=True):
    """JSON with the card's hints drawn afresh, or back to where the desk pressed."""
    if _wants_json(request):
        context = _context(request, digest)
        entries = hints(digest, [item])
        html = _fragment(request, context, entries[0]) if entries else ""
        return JsonResponse(
            {"ok": ok, "message": message, "item": item.pk, "html": html},
            status=200 if ok else 400,
        )
    messages.add_message(request, messages.SUCCESS if ok else messages.ERROR, message)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = reverse("admin:digests_digest_change", args=[digest.pk]) + f"#item-{item.pk}"
    return redirect(back)
