"""The desk's admin site: Django's admin with a home for the day's work and a review badge.

``newsroom.apps.NewsroomAdminConfig`` makes it ``admin.site``, so everything registered
with ``@admin.register`` lands here.
"""

from django.contrib import admin
from django.views.i18n import JavaScriptCatalog

from digests.desk import home


class DeskSite(admin.AdminSite):
    """The admin site of the newsroom desk."""

    def each_context(self, request):
        """Every admin page's context, with the number of digests awaiting review."""
        return {**super().each_context(request), "review_count": home.review_count(request.user)}

    def index(self, request, extra_context=None):
        """The desk home: the day's work first, Django's list of apps after it."""
        return super().index(request, {"desk": home.desk(request), **(extra_context or {})})

    def i18n_javascript(self, request, extra_context=None):
        """The admin's script catalog, with the desk's own scripts' strings (djangojs)."""
        return JavaScriptCatalog.as_view(packages=["django.contrib.admin", "digests"])(request)
