"""What to tell an editor whose save was refused because someone else changed the digest."""

from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from digests import history
from digests.models import DigestEvent


def _who(user):
    return user.get_username() if user else _("the system")


def choices(conflicts):
    """Both values of each field both editors changed, side by side, with a choice."""
    if not conflicts:
        return ""
    rows = format_html_join(
        "",
        "<tr><th scope='row'>{}</th>"
        "<td><label><input type='radio' name='choose-{}' value='mine' required> {}</label>"
        "<pre class='conflict-value'>{}</pre></td>"
        "<td><label><input type='radio' name='choose-{}' value='theirs' required> {}</label>"
        "<pre class='conflict-value'>{}</pre>"
        "<input type='hidden' name='theirs-{}' value='{}'></td></tr>",
        (
            (
                c.label,
                c.field,
                _("keep mine"),
                c.mine,
                c.field,
                _("take theirs"),
                c.theirs,
                c.field,
                c.theirs,
            )
            for c in conflicts
        ),
    )
    return format_html(
        "<p>{}</p><table class='merge-conflicts'><thead><tr><th></th><th>{}</th><th>{}</th>"
        "</tr></thead><tbody>{}</tbody></table>",
        _(
            "Everything else was merged: your changes and theirs are both in the form. "
            "You both changed these fields; choose which text to keep, then save:"
        ),
        _("yours"),
        _("theirs (saved meanwhile)"),
        rows,
    )


def conflict_message(digest, base_version, conflicts=None):
    """An HTML message: who changed the digest since ``base_version``, and what changed."""
    lines = []
    for event in DigestEvent.objects.filter(
        digest=digest, version__gt=base_version or 0
    ).select_related("actor"):
        lines.append(
            _("%(who)s %(action)s at %(when)s")
            % {
                "who": _who(event.actor),
                "action": event.get_action_display(),
                "when": f"{timezone.localtime(event.created_at):%Y-%m-%d %H:%M}",
            }
        )
    newest = history.versions_of(digest).first()
    if newest and newest.field_dict.get("version", 0) > (base_version or 0):
        lines.insert(
            0,
            _("%(who)s saved it at %(when)s")
            % {
                "who": _who(newest.revision.user),
                "when": f"{timezone.localtime(newest.revision.date_created):%Y-%m-%d %H:%M}",
            },
        )
    older = history.version_for(digest, base_version or 0)
    changes = []
    if newest and older and newest.pk != older.pk:
        groups = history.diff(
            history.snapshot(older.revision, digest.pk),
            history.snapshot(newest.revision, digest.pk),
        )
        for group in groups:
            for change in group.changes:
                changes.append((group.title, change.label, change.html))
    if conflicts:
        return format_html(
            "{intro}<ul class='conflict-who'>{who}</ul>{choices}",
            intro=_("Not saved yet: this digest changed while you were editing it."),
            who=format_html_join("", "<li>{}</li>", ((line,) for line in lines)),
            choices=choices(conflicts),
        )
    return format_html(
        "{intro}<ul class='conflict-who'>{who}</ul>{changes}<p>{outro}</p>",
        intro=_(
            "Not saved: this digest changed while you were editing it (version %(base)s, now "
            "%(now)s)."
        )
        % {"base": base_version, "now": digest.version},
        who=format_html_join("", "<li>{}</li>", ((line,) for line in lines)),
        changes=format_html(
            "<p>{}</p><ul class='conflict-changes'>{}</ul>",
            _("What they changed:"),
            format_html_join("", "<li><strong>{}</strong> · {}: {}</li>", changes),
        )
        if changes
        else "",
        outro=_(
            "Your text is still in the form below and nothing of it was saved. Compare, then "
            "save again to keep your version over theirs, or reload the page to start from theirs."
        ),
    )
