"""Which existing section or source a name in a briefing means, and renames that keep old names.

An imported name is matched, in this order, to a row with exactly that name, to a
row whose name has the same ``name_key`` (case, spaces and full-width forms
ignored), then to a row with such an alias (a former or other name). No match
means a new row. The import preview and the importer both call ``resolve``, so
what the preview shows is what the import does.
"""

from dataclasses import dataclass

from django.db import models

from digests.models.taxonomy import name_key

EXACT, NAME, ALIAS, NEW = "exact", "name", "alias", "new"


@dataclass(frozen=True)
class Match:
    """One name as written in a briefing and the row it means (``None`` when new)."""

    written: str
    row: models.Model | None
    how: str
    alias: str = ""


def resolve(model, names):
    """Map each of ``names`` to a ``Match`` against ``model`` (Category or Source).

    Two queries whatever the number of names: every row and every alias, since
    ``name_key`` is not something the database can index.
    """
    relation = model._meta.get_field("aliases")
    owner = relation.field.name
    exact, by_key, by_alias = {}, {}, {}
    for row in model._default_manager.only("pk", "name"):
        exact[row.name] = row
        by_key.setdefault(name_key(row.name), row)
    aliases = relation.related_model._default_manager.select_related(owner)
    for alias in aliases.only("name", f"{owner}__name"):
        by_alias.setdefault(name_key(alias.name), alias)
    matches = {}
    for written in names:
        key = name_key(written)
        if written in exact:
            matches[written] = Match(written, exact[written], EXACT)
        elif key in by_key:
            matches[written] = Match(written, by_key[key], NAME)
        elif key in by_alias:
            alias = by_alias[key]
            matches[written] = Match(written, getattr(alias, owner), ALIAS, alias.name)
        else:
            matches[written] = Match(written, None, NEW)
    return matches


def keep_former_name(row, former):
    """After ``row`` (a section or source) was renamed, keep ``former`` as its alias.

    Aliases that now read as the row's own name are dropped. Call it inside the
    transaction that saved the rename.
    """
    key = name_key(row.name)
    aliases = row.aliases
    kept = []
    for alias in aliases.all():
        if name_key(alias.name) == key:
            alias.delete()
        else:
            kept.append(name_key(alias.name))
    if name_key(former) != key and name_key(former) not in kept:
        aliases.model._default_manager.update_or_create(
            name=former, defaults={aliases.field.name: row}
        )
