"""Users and groups in the admin: the desk's roles by name, and no escalation.

Admins manage the desk's accounts without being superusers, so the rule is:
only a superuser grants superuser, changes a superuser's account, or gives
permissions beyond their own. Anyone else may change, set the password of or
delete only an account (or group) whose permissions are all theirs too, and may
give a user or group only permissions they hold themselves.

A desk member's role (editor, reviewer, admin) is chosen on the add and change
forms: it puts the account in exactly that role's group and lets it log in to
the desk. The table of what each role may do is read from ``digests.roles``.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from digests.roles import GROUP_NAMES, ROLES, assign_role, sync_groups

User = get_user_model()


def names_of(permissions):
    """``Permission`` rows as "app_label.codename", the form ``has_perm`` takes."""
    return {
        f"{app_label}.{codename}"
        for app_label, codename in permissions.values_list("content_type__app_label", "codename")
    }


def granted(user=None, group=None):
    """What an account or group is given, whether or not the account is active."""
    if user is not None:
        return names_of(Permission.objects.filter(Q(user=user) | Q(group__user=user)).distinct())
    return names_of(group.permissions.all())


def may_manage(actor, user=None, group=None):
    """Whether ``actor`` may change, set the password of or delete this account or group."""
    if actor.is_superuser:
        return True
    if user is not None and user.is_superuser:
        return False
    return granted(user, group) <= actor.get_all_permissions()


def check_within(actor, permissions, groups=()):
    """Refuse permissions (given directly or through groups) that ``actor`` lacks."""
    if actor.is_superuser:
        return
    wanted = names_of(permissions) if permissions is not None else set()
    for group in groups:
        wanted |= granted(group=group)
    beyond = sorted(wanted - actor.get_all_permissions())
    if beyond:
        raise ValidationError(
            ngettext(
                "You can only give permissions you hold yourself; not %(perms)s.",
                "You can only give permissions you hold yourself; not these: %(perms)s.",
                len(beyond),
            )
            % {"perms": ", ".join(beyond)},
            code="beyond_own_permissions",
        )


def group_label(group_name):
    """A group's name, the desk's roles in the reader's language."""
    return gettext(group_name) if group_name in ROLES else group_name


# What each role may do, in the desk's words, and the permissions each ability takes.
# The table on the user pages marks a role when its list in roles.py holds them all.
ABILITIES = [
    (_("Write and import drafts"), ["digests.add_digest", "digests.change_digest"]),
    (_("Submit for review"), ["digests.submit_digest"]),
    (_("Comment in the review thread"), ["digests.add_reviewcomment"]),
    (_("Request changes, edit digests in review"), ["digests.review_digest"]),
    (_("Publish and schedule"), ["digests.publish_digest"]),
    (_("Withdraw and reopen published digests"), ["digests.withdraw_digest"]),
    (_("Add corrections (更正)"), ["digests.add_correction"]),
    (_("Create share links for previews"), ["digests.add_previewlink"]),
    (
        _("Manage sections and sources"),
        ["digests.change_category", "digests.change_source"],
    ),
    (_("Manage users"), ["auth.add_user", "auth.change_user"]),
    (_("Unlock logins"), ["axes.delete_accessattempt"]),
]
OTHER = "other"  # no desk role: the groups and permissions set by hand


def role_table():
    """The roles' names and, per ability, whether each role may: from roles.py's lists."""
    return {
        "roles": [group_label(name) for name in GROUP_NAMES.values()],
        "rows": [
            (label, [set(perms) <= set(ROLES[name]) for name in GROUP_NAMES.values()])
            for label, perms in ABILITIES
        ],
    }


def role_of(user):
    """The desk role of an account in exactly one role's group; ``OTHER`` otherwise."""
    names = {group.name for group in user.groups.all()}
    for role, name in GROUP_NAMES.items():
        if names == {name}:
            return role
    return OTHER


def role_group(role):
    """The group of a desk role (made again from roles.py if a site deleted it)."""
    name = GROUP_NAMES[role]
    if not Group.objects.filter(name=name).exists():
        sync_groups(Group, Permission)
    return Group.objects.get(name=name)


def may_log_in(user, role, groups):
    """A desk member, a superuser or a member of any group is staff; no one else."""
    return user.is_superuser or role in GROUP_NAMES or bool(groups)


class RoleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, group):
        return group_label(group.name)


class RoleFilter(admin.RelatedFieldListFilter):
    """The changelist's filter by group, with the roles' names translated."""

    def field_choices(self, field, request, model_admin):
        return [
            (pk, group_label(name))
            for pk, name in super().field_choices(field, request, model_admin)
        ]


class EscalationCheckedUserForm(UserChangeForm):
    actor = None  # set by the admin, per request

    role = forms.ChoiceField(
        label=_("desk role"),
        choices=[
            *((key, _(name)) for key, name in GROUP_NAMES.items()),
            (OTHER, _("Other: the groups set below")),
        ],
        help_text=_(
            "Puts the account in exactly this role's group (the table below says what each "
            "may do) and lets it log in to the desk. With “Other”, the groups under "
            "“Groups and permissions” apply; an account in no group that is not a "
            "superuser cannot log in to the desk."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["role"].initial = role_of(self.instance)

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if role in GROUP_NAMES and "groups" in self.fields:
            cleaned["groups"] = Group.objects.filter(pk=role_group(role).pk)
        if "user_permissions" in cleaned and "groups" in cleaned:
            try:
                check_within(self.actor, cleaned["user_permissions"], cleaned["groups"])
            except ValidationError as error:
                if "user_permissions" in self.changed_data:
                    self.add_error("user_permissions", error)
                else:
                    self.add_error("role" if role in GROUP_NAMES else "groups", error)
        return cleaned


class DeskUserCreationForm(AdminUserCreationForm):
    """A new desk member: a name, a password and a role; they can log in to the desk."""

    actor = None

    role = forms.ChoiceField(
        label=_("role"),
        choices=[(key, _(name)) for key, name in GROUP_NAMES.items()],
        help_text=_("What they do on the desk; the account can log in to the admin."),
    )

    class Meta(AdminUserCreationForm.Meta):
        fields = ("username", "email")

    def clean_role(self):
        role = self.cleaned_data["role"]
        group = Group.objects.filter(name=GROUP_NAMES[role]).first()
        if group is not None:
            check_within(self.actor, None, [group])
        return role


class DeskUserAdmin(UserAdmin):
    form = EscalationCheckedUserForm
    add_form = DeskUserCreationForm
    change_list_template = "admin/auth/user/desk_change_list.html"
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("On the desk"), {"fields": ("role", "is_active", "is_staff")}),
        (
            _("Groups and permissions"),
            {
                "classes": ("collapse",),
                "fields": ("is_superuser", "groups", "user_permissions"),
                "description": _(
                    "Django's own settings, for a role the desk does not name: used when "
                    "the desk role is “Other”. Nobody can give permissions they lack."
                ),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "email",
                    "role",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    list_display = ("username", "email", "first_name", "last_name", "roles", "is_staff")
    list_filter = ("is_staff", "is_superuser", "is_active", ("groups", RoleFilter))

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def roles(self, user):
        return ", ".join(group_label(group.name) for group in user.groups.all())

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None:
            readonly = (*readonly, "is_staff")  # follows the role: see save_model
        if not request.user.is_superuser:
            readonly = (*readonly, "is_superuser")
        return readonly

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name == "groups":
            kwargs["form_class"] = RoleChoiceField
        if db_field.name == "user_permissions":
            kwargs["queryset"] = Permission.objects.select_related("content_type")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_manage(request.user, user=obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_manage(request.user, user=obj))

    def get_deleted_objects(self, objs, request):
        """Bulk deletion too: accounts the person may not manage make it refused."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        beyond = [user.username for user in objs if not may_manage(request.user, user=user)]
        if beyond:
            perms_needed.add(
                gettext("accounts with rights beyond yours: %(names)s")
                % {"names": ", ".join(beyond)}
            )
        return deleted, counts, perms_needed, protected

    class Media:
        css = {"all": ["digests/admin/review.css"]}

    def get_fieldsets(self, request, obj=None):
        """The role's fieldset opens with the table of what each role may do."""
        table = render_to_string(
            "admin/auth/user/desk_roles.html", {"desk_roles": role_table(), "open": True}
        )
        return [
            (name, {**options, "description": table})
            if "role" in options["fields"]
            else (name, options)
            for name, options in super().get_fieldsets(request, obj)
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "desk_roles": role_table()}
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.is_staff = True  # a desk member logs in to the admin
        elif "role" in form.cleaned_data:
            groups = form.cleaned_data.get("groups")
            if groups is None:
                groups = obj.groups.all()
            obj.is_staff = may_log_in(obj, form.cleaned_data["role"], groups.exists())
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:
            assign_role(form.instance, form.cleaned_data["role"])


class EscalationCheckedGroupForm(forms.ModelForm):
    actor = None

    def clean_permissions(self):
        permissions = self.cleaned_data["permissions"]
        check_within(self.actor, permissions)
        return permissions


class DeskGroupAdmin(GroupAdmin):
    """Groups, with the desk's role names shown in the reader's language."""

    form = EscalationCheckedGroupForm
    list_display = ["name", "role_name"]

    @admin.display(description=_("role"))
    def role_name(self, group):
        return group_label(group.name) if group.name in ROLES else ""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_manage(request.user, group=obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_manage(request.user, group=obj))


admin.site.unregister(Group)
admin.site.register(Group, DeskGroupAdmin)
admin.site.unregister(User)
admin.site.register(User, DeskUserAdmin)
