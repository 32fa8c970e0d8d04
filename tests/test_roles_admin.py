"""The user admin's desk roles: chosen on the add and change forms, staff status that
follows them, no escalation through a role, and the table of what each role may do."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import translation

from digests import accounts_admin, roles
from digests.roles import ADMINS, EDITORS, REVIEWERS, assign_role
from tests.test_accounts import change_url, user_form

User = get_user_model()
PASSWORD = "pw-for-tests"
pytestmark = pytest.mark.django_db


@pytest.fixture
def desk_admin(db):
    user = User.objects.create_user("deskadmin", password=PASSWORD, is_staff=True)
    assign_role(user, "admin")
    return User.objects.get(pk=user.pk)


@pytest.fixture
def as_desk_admin(client, desk_admin):
    client.force_login(desk_admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def groups_of(user):
    return sorted(user.groups.values_list("name", flat=True))


def test_the_change_form_shows_the_current_role(as_desk_admin, editor, reviewer):
    for user, role in ((editor, "editor"), (reviewer, "reviewer")):
        form = as_desk_admin.get(change_url(user)).context["adminform"].form
        assert form["role"].value() == role
    custom = User.objects.create_user("custom", is_staff=True)
    custom.groups.add(Group.objects.create(name="Proof-readers"))
    form = as_desk_admin.get(change_url(custom)).context["adminform"].form
    assert form["role"].value() == accounts_admin.OTHER


@pytest.mark.parametrize("role, group", [("reviewer", REVIEWERS), ("admin", ADMINS)])
def test_a_role_on_the_change_form_puts_the_user_in_exactly_its_group(
    as_desk_admin, editor, role, group
):
    editor.groups.add(Group.objects.create(name="Proof-readers"))
    response = as_desk_admin.post(change_url(editor), user_form(editor, role=role))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert groups_of(editor) == [group]
    editor.refresh_from_db()
    assert editor.is_staff


def test_a_desk_role_logs_in_without_anyone_ticking_staff(as_desk_admin):
    someone = User.objects.create_user("someone", password=PASSWORD, is_staff=False)
    response = as_desk_admin.post(change_url(someone), user_form(someone, role="editor"))
    assert response.status_code == 302
    someone.refresh_from_db()
    assert someone.is_staff and groups_of(someone) == [EDITORS]


def test_no_role_and_no_group_means_no_desk(as_desk_admin, editor):
    data = user_form(editor, role="other", groups=[])
    assert as_desk_admin.post(change_url(editor), data).status_code == 302
    editor.refresh_from_db()
    assert not editor.is_staff and groups_of(editor) == []
    # Ticking staff status does not bring it back: the role decides.
    data = user_form(editor, role="other", groups=[], is_staff="on")
    as_desk_admin.post(change_url(editor), data)
    editor.refresh_from_db()
    assert not editor.is_staff


def test_other_keeps_the_groups_set_by_hand(as_desk_admin, editor):
    proof = Group.objects.create(name="Proof-readers")
    data = user_form(editor, role="other", groups=[proof.pk])
    assert as_desk_admin.post(change_url(editor), data).status_code == 302
    editor.refresh_from_db()
    assert groups_of(editor) == ["Proof-readers"] and editor.is_staff


def test_a_superuser_stays_staff_with_no_role(client, editor):
    root = User.objects.create_superuser("root", "root@newsroom.test", PASSWORD)
    client.force_login(root)
    data = user_form(root, role="other", groups=[])
    assert client.post(change_url(root), data).status_code == 302
    root.refresh_from_db()
    assert root.is_staff and root.is_superuser


def test_a_reviewer_cannot_be_made_admin_by_someone_lacking_its_rights(client, reviewer, editor):
    # A reviewer given the right to change users (only that) may not hand out Admins.
    reviewer.user_permissions.add(
        Permission.objects.get(codename="change_user"),
        Permission.objects.get(codename="view_user"),
    )
    client.force_login(User.objects.get(pk=reviewer.pk))
    response = client.post(change_url(editor), user_form(editor, role="admin"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert [e.code for e in errors["role"]] == ["beyond_own_permissions"]
    assert groups_of(editor) == [EDITORS]


def test_an_admin_cannot_gain_superuser_through_the_role(as_desk_admin, desk_admin):
    data = user_form(desk_admin, role="admin", is_superuser="on")
    assert as_desk_admin.post(change_url(desk_admin), data).status_code == 302
    desk_admin.refresh_from_db()
    assert not desk_admin.is_superuser and groups_of(desk_admin) == [ADMINS]


def test_the_add_form_refuses_a_role_beyond_ones_own(client, reviewer):
    reviewer.user_permissions.add(Permission.objects.get(codename="add_user"))
    reviewer.user_permissions.add(Permission.objects.get(codename="change_user"))
    client.force_login(User.objects.get(pk=reviewer.pk))
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "climber",
            "role": "admin",
            "usable_password": "true",
            "password1": "a-long-enough-password-9",
            "password2": "a-long-enough-password-9",
        },
    )
    assert response.status_code == 200
    assert "role" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="climber").exists()


def test_a_role_whose_group_was_deleted_makes_it_again(as_desk_admin, editor):
    Group.objects.filter(name=REVIEWERS).delete()
    assert (
        as_desk_admin.post(change_url(editor), user_form(editor, role="reviewer")).status_code
        == 302
    )
    group = Group.objects.get(name=REVIEWERS)
    assert groups_of(editor) == [REVIEWERS]
    assert group.permissions.filter(codename="publish_digest").exists()


# --- the table ---------------------------------------------------------------------------


@pytest.fixture
def english():
    """The table's labels are compared in English (the desk's default is Chinese)."""
    with translation.override("en"):
        yield


def test_the_table_is_read_from_roles_py(english):
    table = accounts_admin.role_table()
    assert table["roles"] == ["Editors", "Reviewers", "Admins"]
    rows = dict(table["rows"])
    assert rows["Submit for review"] == [True, True, True]
    assert rows["Publish and schedule"] == [False, True, True]
    assert rows["Manage users"] == [False, False, True]
    # Every permission an ability names exists in some role: none is a typo.
    every = set(roles.ADMIN)
    for _label, perms in accounts_admin.ABILITIES:
        assert set(perms) <= every, perms


def test_the_table_follows_a_change_in_roles_py(monkeypatch, english):
    monkeypatch.setitem(roles.ROLES, EDITORS, [*roles.EDITOR, "digests.publish_digest"])
    monkeypatch.setattr(accounts_admin, "ROLES", roles.ROLES)
    rows = dict(accounts_admin.role_table()["rows"])
    assert rows["Publish and schedule"] == [True, True, True]


def table_rows(page):
    table = page[page.index('id="desk-roles"') :]
    table = table[: table.index("</table>")]
    return re.findall(
        r'<th scope="row">([^<]+)</th>((?:<td class="role-may[^"]*">)[\s\S]*?)</tr>', table
    )


@pytest.mark.parametrize("url", ["add", "change", "list"])
def test_the_table_is_on_the_add_change_and_list_pages(as_desk_admin, editor, url):
    address = {
        "add": reverse("admin:auth_user_add"),
        "change": change_url(editor),
        "list": reverse("admin:auth_user_changelist"),
    }[url]
    page = as_desk_admin.get(address).content.decode()
    rows = table_rows(page)
    assert len(rows) == len(accounts_admin.ABILITIES)
    manage_users = dict(rows)["Manage users"]
    assert manage_users.count('class="role-may"') == 1  # admins only
    assert manage_users.count('class="role-may-not"') == 2


def test_raw_groups_and_permissions_are_folded_away(as_desk_admin, editor):
    page = as_desk_admin.get(change_url(editor)).content.decode()
    fieldset = page[page.index('name="groups"') - 3000 : page.index('name="groups"')]
    assert "collapse" in fieldset
    assert 'name="role"' in page
