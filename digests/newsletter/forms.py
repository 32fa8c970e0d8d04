"""The sign-up and preferences forms: the address rules and the page the sign-up came from."""

from urllib.parse import urlsplit

from django import forms
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

from digests.models import Category, Subscriber

# Defined once, on the model: 254 characters (RFC 5321's path limit) and 300.
MAX_ADDRESS = Subscriber._meta.get_field("email").max_length
MAX_SOURCE = Subscriber._meta.get_field("consent_source").max_length
HONEYPOT = "leave_empty"


def normalise_address(address):
    """The address as kept: trimmed, its domain lower-cased (the local part is the mailbox's)."""
    local, at, domain = address.strip().rpartition("@")
    return f"{local}{at}{domain.lower()}" if at else address.strip()


def same_site_path(value):
    """The path of ``value`` if it is a path on this site (``/…``, not ``//host``); else ""."""
    if not value or len(value) > MAX_SOURCE or not value.startswith("/"):
        return ""
    if value.startswith("//") or "\\" in value or not value.isprintable():
        return ""
    parts = urlsplit(value)
    return "" if parts.scheme or parts.netloc else parts.path


def active_sections():
    return Category.objects.filter(is_active=True).order_by("position", "name")


class SectionsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(
            queryset=active_sections(),
            required=False,
            label=_("Sections"),
            help_text=_("Tick none to receive every section."),
            **kwargs,
        )


class SubscribeForm(forms.Form):
    """The sign-up, from the footer of any page or the full page (which adds the sections)."""

    email = forms.CharField(
        label=_("E-mail address"),
        max_length=MAX_ADDRESS,
        error_messages={
            "required": _("Enter your e-mail address."),
            "max_length": _("An e-mail address has at most %(limit_value)d characters."),
        },
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "inputmode": "email", "spellcheck": "false"}
        ),
    )
    sections = SectionsField()
    source = forms.CharField(required=False, widget=forms.HiddenInput)
    # Filled only by programs that fill every field; hidden from people and screen readers.
    leave_empty = forms.CharField(required=False, label=_("Leave this field empty"))

    def clean_email(self):
        address = normalise_address(self.cleaned_data["email"])
        EmailValidator(message=_("Enter a valid e-mail address, such as name@example.com."))(
            address
        )
        return address

    def clean_source(self):
        """Where the form was: a path on this site, or "" (the view then uses the Referer)."""
        return same_site_path(self.cleaned_data.get("source", ""))

    def is_bot(self):
        return bool(self.data.get(HONEYPOT))


class PreferencesForm(forms.Form):
    sections = SectionsField()
