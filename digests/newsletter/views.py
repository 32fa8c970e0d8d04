"""The reader's newsletter pages: sign-up, confirmation, preferences, unsubscribe, privacy.

Every page under /newsletter/ is built for each request (``middleware.NOT_CACHED``)
and marked ``never_cache``: they carry a subscriber's token or a sign-up in progress.
The sign-up itself is posted from cached pages that carry no CSRF token, so
``SubscribeView`` is ``csrf_exempt`` and defends itself (``same_site``, a honeypot,
the limits in ``signup``); the one-click unsubscribe is posted by mail clients
without cookies, so it is exempt too. Every other form has its CSRF token.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView

from digests.logins import client_ip
from digests.models import Subscriber
from digests.newsletter import signup, tokens
from digests.newsletter.forms import PreferencesForm, SubscribeForm, same_site_path

State = Subscriber.State
# The preferences page's buttons: what each does (``save`` only keeps the sections).
ACTIONS = {
    "save": None,
    "pause": signup.pause,
    "resume": signup.resume,
    "leave": signup.leave,
}


def _host(url):
    return urlsplit(url).netloc.lower()


def same_site(request):
    """Whether the request's ``Origin`` (or, lacking it, ``Referer``) is this site, or absent.

    A browser sends ``Origin`` with every POST; ``null`` (a sandboxed or
    privacy-stripped origin) is not this site. A client that sends neither is let
    through, to be limited like any other.
    """
    claimed = request.headers.get("Origin") or request.headers.get("Referer")
    if not claimed:
        return True
    return _host(claimed) == request.get_host().lower()


def referer_path(request):
    """The path of the page the form was posted from, when the ``Referer`` is this site."""
    referer = request.headers.get("Referer", "")
    if _host(referer) != request.get_host().lower():
        return ""
    return same_site_path(urlsplit(referer).path)


def see_other(name, *args, query=""):
    """A 303 to a named page: the browser GETs it, a reload posts nothing again."""
    response = HttpResponseRedirect(reverse(name, args=args) + query)
    response.status_code = 303
    return response


def page(request, template, context=None, status=200):
    return render(request, f"digests/newsletter/{template}", context or {}, status=status)


def bad_link(request):
    """An expired, mangled or outdated link: say so, and offer the sign-up again."""
    days = settings.NEWSROOM_NEWSLETTER_CONFIRM_DAYS
    return page(request, "bad_link.html", {"days": days}, status=400)


@method_decorator(never_cache, name="dispatch")
class SignupView(TemplateView):
    """The full sign-up page: the address and the sections."""

    template_name = "digests/newsletter/signup.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=SubscribeForm(), **kwargs)


@method_decorator([csrf_exempt, never_cache], name="dispatch")
class SubscribeView(View):
    """The sign-up's POST, from any page's footer or the full page.

    Every accepted request answers with the same 303 to the "check your inbox" page,
    whatever the address's state: the form must not tell who is subscribed.
    """

    http_method_names = ["post"]

    def post(self, request):
        if not same_site(request):
            return page(request, "refused.html", status=403)
        form = SubscribeForm(request.POST)
        if form.is_bot():
            return see_other("digests:newsletter-sent")
        if not form.is_valid():
            return page(request, "signup.html", {"form": form}, status=400)
        if signup.client_over_limit(client_ip(request)):
            limit = settings.NEWSROOM_NEWSLETTER_SIGNUPS_PER_HOUR
            response = page(request, "too_many.html", {"limit": limit}, status=429)
            response["Retry-After"] = str(signup.seconds_to_next_window())
            return response
        signup.subscribe(
            form.cleaned_data["email"],
            sections=list(form.cleaned_data["sections"]),
            language=request.LANGUAGE_CODE,
            source=form.cleaned_data["source"] or referer_path(request),
        )
        return see_other("digests:newsletter-sent")


@method_decorator(never_cache, name="dispatch")
class SentView(TemplateView):
    """ "Check your inbox": the same page whatever the sign-up did."""

    template_name = "digests/newsletter/sent.html"

    def get_context_data(self, **kwargs):
        days = settings.NEWSROOM_NEWSLETTER_CONFIRM_DAYS
        return super().get_context_data(days=days, **kwargs)


class _TokenView(View):
    """A page reached by a signed link: the subscriber it stands for, or the bad-link page."""

    purpose = None

    def dispatch(self, request, token):
        try:
            self.subscriber = tokens.load(token, self.purpose)
        except tokens.BadToken:
            return bad_link(request)
        return super().dispatch(request, token)

    def links(self, *purposes):
        return {f"{purpose}_token": tokens.make(self.subscriber, purpose) for purpose in purposes}


@method_decorator(never_cache, name="dispatch")
class ConfirmView(_TokenView):
    """The confirmation link: a GET shows a button (link scanners GET), its POST confirms."""

    purpose = tokens.CONFIRM

    def get(self, request, token):
        if self.subscriber.state not in (State.PENDING, State.ACTIVE, State.PAUSED):
            return bad_link(request)  # left or stopped since: sign up again
        context = {"subscriber": self.subscriber, **self.links(tokens.PREFERENCES)}
        return page(request, "confirm.html", context)

    def post(self, request, token):
        try:
            signup.confirm(self.subscriber)
        except signup.Refused:
            return bad_link(request)
        context = {"subscriber": self.subscriber, **self.links(tokens.PREFERENCES)}
        return page(request, "confirmed.html", context)


@method_decorator(never_cache, name="dispatch")
class PreferencesView(_TokenView):
    """Sections, pause or resume, leave: each saved by a POST, then a message (``?done=``)."""

    purpose = tokens.PREFERENCES

    def get(self, request, token, form=None, status=200):
        subscriber = self.subscriber
        if form is None:
            form = PreferencesForm(initial={"sections": list(subscriber.sections.all())})
        done = request.GET.get("done")
        context = {
            "subscriber": subscriber,
            "form": form,
            "token": token,
            "done": done if done in ACTIONS else None,
            "receiving": subscriber.state in (State.ACTIVE, State.PAUSED),
            **self.links(tokens.UNSUBSCRIBE),
        }
        return page(request, "preferences.html", context, status=status)

    def post(self, request, token):
        action = request.POST.get("action", "save")
        if action not in ACTIONS:
            action = "save"
        if action == "save":
            form = PreferencesForm(request.POST)
            if not form.is_valid():
                return self.get(request, token, form=form, status=400)
            signup.choose_sections(self.subscriber, list(form.cleaned_data["sections"]))
        else:
            try:
                ACTIONS[action](self.subscriber)
            except signup.Refused:
                return self.get(request, token, status=409)
        return see_other("digests:newsletter-preferences", token, query=f"?done={action}")


@method_decorator([csrf_exempt, never_cache], name="dispatch")
class UnsubscribeView(_TokenView):
    """A GET shows one button; a POST unsubscribes (RFC 8058 one-click: no cookies, 200)."""

    purpose = tokens.UNSUBSCRIBE

    def get(self, request, token):
        context = {"subscriber": self.subscriber, "token": token, "left": False}
        return page(request, "unsubscribe.html", {**context, **self.links(tokens.PREFERENCES)})

    def post(self, request, token):
        signup.leave(self.subscriber)
        context = {"subscriber": self.subscriber, "token": token, "left": True}
        return page(request, "unsubscribe.html", {**context, **self.links(tokens.PREFERENCES)})


class PrivacyView(TemplateView):
    """The privacy note: what is kept, why, for how long, how to leave or be erased."""

    template_name = "digests/privacy.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            confirm_days=settings.NEWSROOM_NEWSLETTER_CONFIRM_DAYS,
            per_day=settings.NEWSROOM_NEWSLETTER_CONFIRMATIONS_PER_DAY,
            unconfirmed_days=settings.NEWSROOM_NEWSLETTER_UNCONFIRMED_DAYS,
            contact=settings.NEWSROOM_NEWSLETTER_FROM,
            **kwargs,
        )
