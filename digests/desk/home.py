"""The desk home at /admin/: what is due today and tomorrow, what waits for whom, what is
scheduled, what was published lately, and which days still lack a briefing.

A fixed number of queries however long the archive: each list is one query on the
digest's ``(status, -date)`` index or its unique date, limited to a few rows.
"""

import datetime
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from digests import edition
from digests.desk.digest_list import with_item_counts
from digests.models import Correction, Digest

S = Digest.Status

DRAFTS_SHOWN = 10  # my drafts; the desk filter ``?desk=mine`` lists them all
REVIEW_SHOWN = 10  # the review queue, oldest day first; ``?desk=review`` lists them all
SCHEDULED_SHOWN = 5
PUBLISHED_SHOWN = 7  # the last published days, with their corrections
CORRECTIONS_SHOWN = 2  # the latest notes shown for each published day
DAYS_AHEAD = 7  # today and the six days after it, for the days still missing


def review_count(user):
    """How many digests await review, for a member who may see digests (else None)."""
    if not user.has_perm("digests.view_digest"):
        return None
    return Digest.objects.filter(status=S.REVIEW).count()


def changelist(**params):
    return f"{reverse('admin:digests_digest_changelist')}?{urlencode(params)}"


def import_url(day):
    return f"{reverse('admin:digests_digest_import')}?{urlencode({'date': day.isoformat()})}"


def add_url(day):
    return f"{reverse('admin:digests_digest_add')}?{urlencode({'date': day.isoformat()})}"


@dataclass
class Day:
    """One editorial day near today: its digest (with contents) or the links to start it."""

    date: datetime.date
    digest: Digest | None
    failing: list = field(default_factory=list)  # edition.CheckResult that did not pass

    @property
    def item_count(self):
        return len(self.digest.items.all())

    @property
    def is_weekend(self):
        return self.date.weekday() >= 5

    @property
    def import_url(self):
        return import_url(self.date)

    @property
    def add_url(self):
        return add_url(self.date)


@dataclass
class Published:
    """A recently published day and its corrections, newest first."""

    digest: Digest
    corrections: list

    @property
    def latest(self):
        return self.corrections[:CORRECTIONS_SHOWN]


def near_days(today):
    """Today and tomorrow with their digests' contents, and the check results that fail."""
    days = [today, today + datetime.timedelta(days=1)]
    found = {
        digest.date: digest
        for digest in Digest.objects.with_contents()
        .select_related("created_by")
        .prefetch_related("comments")  # the check that review comments are resolved
        .annotate(repeat_count=edition.repeat_count())  # the no_repeats check, no query
        .filter(date__in=days)
    }
    return [
        Day(
            date=day,
            digest=found.get(day),
            failing=[r for r in edition.run_checks(found[day]) if not r.passed]
            if day in found
            else [],
        )
        for day in days
    ]


def missing_days(today):
    """The days from today on, for ``DAYS_AHEAD`` days, that have no digest yet."""
    days = [today + datetime.timedelta(days=n) for n in range(DAYS_AHEAD)]
    have = set(
        Digest.objects.filter(date__range=(days[0], days[-1])).values_list("date", flat=True)
    )
    return [Day(date=day, digest=None) for day in days if day not in have]


def published_days():
    """The last published days, each with its items' corrections (one query for all)."""
    recent = list(Digest.objects.published().order_by("-date")[:PUBLISHED_SHOWN])
    corrections = {}
    for correction in (
        Correction.objects.filter(item__digest__in=recent)
        .select_related("item")
        .only("note", "created_at", "item__digest", "item__topic", "item__title")
        .order_by("-created_at", "-id")
    ):
        corrections.setdefault(correction.item.digest_id, []).append(correction)
    return [Published(digest, corrections.get(digest.pk, [])) for digest in recent]


def inbox(user):
    """Today's new candidates from the feeds and the inbox's address, for a member who
    may see the inbox (else None): one count (issue 12)."""
    if not user.has_perm("digests.view_candidate"):
        return None
    from digests.ingest.inbox import INBOX_HOURS, todays_new  # the admin's: imported when used

    return {
        "count": todays_new().count(),
        "hours": INBOX_HOURS,
        "url": reverse("admin:digests_candidate_changelist"),
    }


def desk(request):
    """What the desk home shows to this member, or None without ``digests.view_digest``."""
    user = request.user
    if not user.has_perm("digests.view_digest"):
        return None
    today = timezone.localdate()
    listed = Digest.objects.select_related("created_by")
    drafts = list(
        listed.filter(status=S.DRAFT, created_by=user).order_by("-date")[: DRAFTS_SHOWN + 1]
    )
    review = list(listed.filter(status=S.REVIEW).order_by("date")[: REVIEW_SHOWN + 1])
    scheduled = list(
        listed.filter(status=S.SCHEDULED).order_by("publish_at", "date")[: SCHEDULED_SHOWN + 1]
    )
    # One grouped count for the items of every digest listed.
    with_item_counts([*drafts, *review, *scheduled])
    can_add = user.has_perm("digests.add_digest")
    return {
        "today": today,
        "near": near_days(today),
        "missing": missing_days(today),
        "drafts": drafts[:DRAFTS_SHOWN],
        "more_drafts": len(drafts) > DRAFTS_SHOWN,
        "review": review[:REVIEW_SHOWN],
        "scheduled": scheduled[:SCHEDULED_SHOWN],
        "more_scheduled": len(scheduled) > SCHEDULED_SHOWN,
        "published": published_days(),
        # A reviewer's morning starts with the queue; an editor's with their own drafts.
        "review_first": user.has_perm("digests.review_digest"),
        "can_add": can_add,
        "mine_url": changelist(desk="mine"),
        "review_url": changelist(desk="review"),
        "scheduled_url": changelist(desk="scheduled"),
        "published_url": changelist(desk="published"),
        "calendar_url": reverse("admin:digests_digest_calendar"),
        "import_url": reverse("admin:digests_digest_import"),
        "inbox": inbox(user),
    }
