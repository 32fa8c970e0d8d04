"""Users and groups in the admin: desk roles by name, and no way to gain rights one lacks.

A member of Admins who is not a superuser (``desk_admin``) manages the desk's
accounts, but may not become a superuser, touch a superuser's account, or give
anyone (a group included) a permission they do not hold themselves. Every path
is tried with the test client, refused and allowed.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import translation

from digests.roles import ADMINS, EDITORS, REVIEWERS, assign_role

User = get_user_model()
PASSWORD = "pw-for-tests"


def perm(name):
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@pytest.fixture
def desk_admin(db):
    user = User.objects.create_user(
        "deskadmin", "deskadmin@newsroom.test", PASSWORD, is_staff=True
    )
    assign_role(user, "admin")
    return User.objects.get(pk=user.pk)


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@newsroom.test", PASSWORD)


@pytest.fixture
def as_desk_admin(client, desk_admin):
    client.force_login(desk_admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def strong_group(db):
    """A group with a permission Admins lack (a superuser made it)."""
    group = Group.objects.create(name="Permission managers")
    group.permissions.add(perm("auth.add_permission"))
    return group


def change_url(user):
    return reverse("admin:auth_user_change", args=[user.pk])


def user_form(user, **changes):
    """The change form's data for ``user`` as it stands, with ``changes``."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "08:00:00",
        "groups": [g.pk for g in user.groups.all()],
        "user_permissions": [p.pk for p in user.user_permissions.all()],
        "role": "other",  # the groups as posted (a desk role would replace them)
    }
    for flag in ("is_active", "is_staff", "is_superuser"):
        if getattr(user, flag):
            data[flag] = "on"
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def password_form(password="a-new-long-password-42"):
    return {"password1": password, "password2": password, "usable_password": "true"}


def can_log_in(client, username, password):
    client.logout()
    response = client.post(
        reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"}
    )
    return response.status_code == 302 and "_auth_user_id" in client.session


# --- becoming a superuser ------------------------------------------------------------


def test_an_admin_cannot_tick_superuser_on_their_own_account(as_desk_admin, desk_admin):
    page = as_desk_admin.get(change_url(desk_admin)).content.decode()
    assert 'name="is_superuser"' not in page
    response = as_desk_admin.post(
        change_url(desk_admin), user_form(desk_admin, is_superuser="on", first_name="Deng")
    )
    assert response.status_code == 302
    desk_admin.refresh_from_db()
    assert desk_admin.first_name == "Deng"  # the rest of the form was saved
    assert not desk_admin.is_superuser


def test_an_admin_cannot_tick_superuser_on_someone_else(as_desk_admin, editor):
    as_desk_admin.post(change_url(editor), user_form(editor, is_superuser="on"))
    editor.refresh_from_db()
    assert not editor.is_superuser


def test_a_superuser_can_grant_superuser(client, superuser, editor):
    client.force_login(superuser)
    response = client.post(change_url(editor), user_form(editor, is_superuser="on"))
    assert response.status_code == 302
    editor.refresh_from_db()
    assert editor.is_superuser


# --- a superuser's account --------------------------------------------------------------


def test_an_admin_cannot_change_a_superuser(as_desk_admin, superuser):
    page = as_desk_admin.get(change_url(superuser))
    assert page.status_code == 200  # they may see the account
    assert 'name="username"' not in page.content.decode()  # read-only
    for changes in (
        {"is_active": None},
        {"is_staff": None},
        {"email": "attacker@example.com"},
    ):
        response = as_desk_admin.post(change_url(superuser), user_form(superuser, **changes))
        assert response.status_code == 403
    superuser.refresh_from_db()
    assert superuser.is_active and superuser.is_staff
    assert superuser.email == "root@newsroom.test"


def test_an_admin_cannot_set_a_superusers_password_and_log_in_as_them(
    client, as_desk_admin, superuser
):
    url = reverse("admin:auth_user_password_change", args=[superuser.pk])
    assert as_desk_admin.get(url).status_code == 403
    assert as_desk_admin.post(url, password_form()).status_code == 403
    assert not can_log_in(client, "root", "a-new-long-password-42")
    assert can_log_in(client, "root", PASSWORD)


def test_an_admin_cannot_delete_a_superuser(as_desk_admin, superuser, editor):
    url = reverse("admin:auth_user_delete", args=[superuser.pk])
    assert as_desk_admin.get(url).status_code == 403
    assert as_desk_admin.post(url, {"post": "yes"}).status_code == 403
    bulk = {
        "action": "delete_selected",
        "_selected_action": [superuser.pk, editor.pk],
        "post": "yes",
    }
    response = as_desk_admin.post(reverse("admin:auth_user_changelist"), bulk)
    assert response.status_code == 403
    assert User.objects.filter(pk__in=[superuser.pk, editor.pk]).count() == 2


# --- accounts with more rights than one's own -------------------------------------------


@pytest.mark.parametrize("active", [True, False])
def test_an_admin_cannot_take_over_an_account_with_more_rights(
    client, as_desk_admin, strong_group, active
):
    strong = User.objects.create_user("strong", password=PASSWORD, is_staff=True)
    strong.groups.add(strong_group)
    strong.is_active = active
    strong.save()
    password_url = reverse("admin:auth_user_password_change", args=[strong.pk])
    assert as_desk_admin.post(password_url, password_form()).status_code == 403
    assert as_desk_admin.post(change_url(strong), user_form(strong)).status_code == 403
    assert (
        as_desk_admin.post(
            reverse("admin:auth_user_delete", args=[strong.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    strong.refresh_from_db()
    assert strong.is_active == active
    assert strong.check_password(PASSWORD)


def test_an_admin_cannot_give_a_permission_they_lack(as_desk_admin, desk_admin, editor):
    beyond = perm("auth.add_permission")
    for user in (desk_admin, editor):
        data = user_form(user, user_permissions=[beyond.pk])
        response = as_desk_admin.post(change_url(user), data)
        assert response.status_code == 200  # the form again, with the error
        assert "auth.add_permission" in response.context["adminform"].form.errors.as_text()
        assert not user.user_permissions.exists()


def test_an_admin_cannot_put_anyone_in_a_group_with_more_rights(
    as_desk_admin, desk_admin, editor, strong_group
):
    for user in (desk_admin, editor):
        groups = [*user.groups.values_list("pk", flat=True), strong_group.pk]
        response = as_desk_admin.post(change_url(user), user_form(user, groups=groups))
        assert response.status_code == 200
        assert "groups" in response.context["adminform"].form.errors
        assert not user.groups.filter(pk=strong_group.pk).exists()


def test_an_admin_cannot_add_permissions_to_a_group_beyond_their_own(as_desk_admin):
    admins = Group.objects.get(name=ADMINS)
    before = set(admins.permissions.values_list("pk", flat=True))
    beyond = [perm("auth.add_permission").pk, perm("auth.delete_group").pk]
    response = as_desk_admin.post(
        reverse("admin:auth_group_change", args=[admins.pk]),
        {"name": ADMINS, "permissions": [*before, *beyond]},
    )
    assert response.status_code == 200
    assert "permissions" in response.context["adminform"].form.errors
    assert set(admins.permissions.values_list("pk", flat=True)) == before


def test_an_admin_cannot_change_a_group_with_more_rights(as_desk_admin, strong_group):
    response = as_desk_admin.post(
        reverse("admin:auth_group_change", args=[strong_group.pk]),
        {"name": "Renamed", "permissions": []},
    )
    assert response.status_code == 403
    strong_group.refresh_from_db()
    assert strong_group.name == "Permission managers"


def test_an_admin_can_give_a_group_permissions_they_hold(as_desk_admin):
    editors = Group.objects.get(name=EDITORS)
    held = perm("digests.delete_source")
    before = list(editors.permissions.values_list("pk", flat=True))
    response = as_desk_admin.post(
        reverse("admin:auth_group_change", args=[editors.pk]),
        {"name": EDITORS, "permissions": [*before, held.pk]},
    )
    assert response.status_code == 302
    assert editors.permissions.filter(pk=held.pk).exists()


# --- what an admin may do -------------------------------------------------------------


def test_an_admin_manages_desk_accounts(client, as_desk_admin, editor):
    reviewers = Group.objects.get(name=REVIEWERS)
    data = user_form(editor, email="new@newsroom.test", groups=[reviewers.pk])
    assert as_desk_admin.post(change_url(editor), data).status_code == 302
    editor.refresh_from_db()
    assert editor.email == "new@newsroom.test"
    assert list(editor.groups.values_list("name", flat=True)) == [REVIEWERS]

    url = reverse("admin:auth_user_password_change", args=[editor.pk])
    assert as_desk_admin.post(url, password_form()).status_code == 302
    assert can_log_in(client, "editor", "a-new-long-password-42")

    client.force_login(User.objects.get(username="deskadmin"))
    bulk = {"action": "delete_selected", "_selected_action": [editor.pk], "post": "yes"}
    assert client.post(reverse("admin:auth_user_changelist"), bulk).status_code == 302
    assert not User.objects.filter(pk=editor.pk).exists()


@pytest.mark.parametrize("role, group", [("editor", EDITORS), ("reviewer", REVIEWERS)])
def test_a_user_created_with_a_role_can_log_in(client, as_desk_admin, role, group):
    response = as_desk_admin.post(
        reverse("admin:auth_user_add"),
        {
            "username": "newcomer",
            "email": "newcomer@newsroom.test",
            "role": role,
            "usable_password": "true",
            "password1": "a-long-enough-password-9",
            "password2": "a-long-enough-password-9",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="newcomer")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [group]
    assert can_log_in(client, "newcomer", "a-long-enough-password-9")
    assert client.get(reverse("admin:digests_digest_changelist")).status_code == 200


def test_the_add_form_requires_a_role(as_desk_admin):
    response = as_desk_admin.post(
        reverse("admin:auth_user_add"),
        {
            "username": "newcomer",
            "usable_password": "true",
            "password1": "a-long-enough-password-9",
            "password2": "a-long-enough-password-9",
        },
    )
    assert response.status_code == 200
    assert "role" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="newcomer").exists()


def test_role_names_are_shown_translated(as_desk_admin, desk_admin):
    as_desk_admin.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    with translation.override("zh-hans"):
        names = [translation.gettext(name) for name in (EDITORS, REVIEWERS, ADMINS)]
    assert names == ["编辑", "审核人", "管理员"]  # the catalog's existing translations
    for url in (
        reverse("admin:auth_user_add"),
        change_url(desk_admin),
        reverse("admin:auth_user_changelist"),
    ):
        page = as_desk_admin.get(url).content.decode()
        for english, chinese in zip((EDITORS, REVIEWERS, ADMINS), names, strict=True):
            assert chinese in page, url
            assert f">{english}<" not in page, url


def test_the_user_list_costs_the_same_queries_for_any_number_of_users(
    as_desk_admin, django_assert_num_queries
):
    def load():
        with django_assert_num_queries(EXPECTED) as context:
            response = as_desk_admin.get(reverse("admin:auth_user_changelist"))
        assert response.status_code == 200
        return context

    # The session and the person (2), their permissions (2: own and through groups),
    # the count and the page of users (3: filtered count, total count, rows), their
    # groups (1, prefetched), the groups for the role filter (1), the review count in
    # the header (1).
    EXPECTED = 10
    load()
    for n in range(5):
        assign_role(User.objects.create_user(f"member{n}", is_staff=True), "editor")
    load()
