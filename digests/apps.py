from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DigestsConfig(AppConfig):
    name = "digests"
    verbose_name = _("Newsroom")

    def ready(self):
        from digests import checks, history  # noqa: F401  (checks registers itself)

        history.register()
        self.connect_newsletter_webhooks()
        self.forget_build_on_change()

    def forget_build_on_change(self):
        """Under runserver, an edited template changes the page cache's keys (digests.build)."""
        from django.utils.autoreload import file_changed

        from digests import build

        file_changed.connect(build.forget, dispatch_uid="newsroom.build.forget")

    def connect_newsletter_webhooks(self):
        """Bounce and complaint reports from the mail provider stop mail to the address."""
        from anymail.signals import tracking

        from digests.newsletter import webhooks

        tracking.connect(webhooks.on_tracking, dispatch_uid="newsroom.newsletter.tracking")
