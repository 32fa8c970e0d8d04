"""Control characters in a request's parameters never reach the database.

PostgreSQL cannot hold a NUL character in text at all (the driver refuses the
query, which would be a 500), and no other control character belongs in a
filter, a search box or a form field. ``ControlCharacterMiddleware`` looks at
the path and at every parameter name and value of the query string and of a
form post:

- on the reader site, control characters are removed from the query string's
  parameters, so a reader's search for ``%00`` is an empty search;
- on the desk (the admin and shared previews), the request is answered
  ``400 Bad Request`` with a message naming the parameter.

Tabs and line breaks are allowed in a posted form (a pasted briefing has them);
nowhere else.
"""

import re

from django.http import HttpResponseBadRequest, QueryDict
from django.utils.translation import gettext as _

# C0 and C1 control characters and DEL.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# In a posted form, tab, line feed and carriage return are text.
CONTROL_IN_FORM = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
DESK_PATHS = ("/admin/", "/preview/")


def _offending(querydict, pattern):
    """The first parameter name (or value's name) holding a character of ``pattern``, or None."""
    for name, values in querydict.lists():
        if pattern.search(name) or any(pattern.search(value) for value in values):
            return name
    return None


def _without_control(querydict):
    """A copy of ``querydict`` with control characters removed from names and values."""
    cleaned = QueryDict(mutable=True, encoding=querydict.encoding)
    for name, values in querydict.lists():
        cleaned.setlist(CONTROL.sub("", name), [CONTROL.sub("", value) for value in values])
    cleaned._mutable = False
    return cleaned


def _bad_request(where):
    message = _(
        "The request was refused: %(where)s contains a control character (such as NUL), "
        "which Newsroom cannot store or search for. Remove it and try again."
    ) % {"where": where}
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


class ControlCharacterMiddleware:
    """Refuse (desk) or drop (reader site) control characters in the path and parameters."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if CONTROL.search(request.path):
            return _bad_request(_("the address"))
        desk = request.path.startswith(DESK_PATHS)
        name = _offending(request.GET, CONTROL)
        if name is not None:
            if desk:
                return _bad_request(
                    _("the parameter “%(name)s”") % {"name": CONTROL.sub("?", name)}
                )
            request.GET = _without_control(request.GET)
        if request.method == "POST" and _is_form(request):
            name = _offending(request.POST, CONTROL_IN_FORM)
            if name is not None:
                return _bad_request(_("the field “%(name)s”") % {"name": CONTROL.sub("?", name)})
        return self.get_response(request)


def _is_form(request):
    """Whether the body is a form Django parses into ``request.POST`` (not JSON, not a file)."""
    return request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
