from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from digests import sitemaps, views
from digests.api.views import api
from digests.preview import SharedPreviewView


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico on every page, the admin's included."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.svg")


urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    # The mail provider's bounce and complaint webhooks (django-anymail; digests/newsletter).
    path("anymail/", include("anymail.urls")),
    path("favicon.ico", FaviconView.as_view()),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots"),
    # An index of the sections' sitemaps, each in pages of ``sitemaps.LIMIT`` addresses.
    path("sitemap.xml", sitemaps.index, name="sitemap"),
    path(
        "sitemap-<slug:section>.xml",
        sitemap,
        {"sitemaps": sitemaps.SITEMAPS},
        name="sitemap-section",
    ),
    path("preview/<str:signed>/", SharedPreviewView.as_view(), name="shared-preview"),
]
# The reader site in Chinese at /, in English at /en/ (the default language has no prefix).
urlpatterns += i18n_patterns(path("", include("digests.urls")), prefix_default_language=False)

if settings.DEBUG:
    from django.conf.urls.static import static as media

    urlpatterns += media(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
