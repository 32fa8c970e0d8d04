"""Admin strings of Django and django-axes that lack Chinese, kept for Newsroom's catalog."""

from django.utils.translation import gettext_noop

# Only marked, never used here: `make messages` then keeps them in locale/zh_Hans, where
# Django's own lookups (admin templates, BLANK_CHOICE_LABEL) find their Chinese.
ADMIN_STRINGS = (
    # admin/date_hierarchy.html: {% blocktranslate %}Filter by {{ field_name }}{% end… %}
    gettext_noop("Filter by %(field_name)s"),
    # django.db.models.fields.BLANK_CHOICE_LABEL, the empty choice of a select box
    gettext_noop("- Select an option -"),
    # registration/logged_out.html, the breadcrumb after logging out of the admin
    gettext_noop("Logout"),
    # django-axes (login throttling) ships no Chinese; its app and model names in the admin
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
)
