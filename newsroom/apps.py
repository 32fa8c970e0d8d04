"""The admin, with the newsroom's desk site in place of Django's default one."""

from django.contrib.admin.apps import AdminConfig


class NewsroomAdminConfig(AdminConfig):
    """``django.contrib.admin`` whose ``admin.site`` is the desk (``digests.desk.site``)."""

    default_site = "digests.desk.site.DeskSite"
