from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DigestsConfig(AppConfig):
    name = "digests"
    verbose_name = _("Newsroom")

    def ready(self):
        from digests import checks, history  # noqa: F401  (checks registers itself)

        history.register()
