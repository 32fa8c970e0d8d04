"""Opaque cursors for keyset pagination: the last row's sort key, signed and encoded.

A page is found by the index on its sort key (``date`` for digests; the day,
position and pk for items), never by skipping rows, so the thousandth page costs
what the first does. A cursor that does not verify is a 400, not a silent first page.
"""

import json

from django.core import signing

SALT = "newsroom.api.cursor"


class BadCursor(ValueError):
    pass


def encode(kind, key):
    return signing.dumps([kind, key], salt=SALT, compress=True)


def decode(kind, cursor):
    try:
        found_kind, key = signing.loads(cursor, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError, json.JSONDecodeError) as error:
        raise BadCursor("invalid cursor") from error
    if found_kind != kind:
        raise BadCursor("invalid cursor")
    return key
