from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DigestsConfig(AppConfig):
    name = "digests"
    verbose_name = _("Newsroom")

    def ready(self):
        from digests import checks, history  # noqa: F401  (checks registers itself)

        history.register()
        self.connect_newsletter_webhooks()

    def connect_newsletter_webhooks(self):
        """Bounce and complaint reports from the mail provider stop mail to the address."""
        from anymail.signals import tracking

        from digests.newsletter import webhooks

        tracking.connect(webhooks.on_tracking, dispatch_uid="newsroom.newsletter.tracking")
