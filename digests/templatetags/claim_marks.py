"""``{% analysis_marks digest as paragraphs %}``: the analysis with its supported numbers
marked (``digests.claims.marking``)."""

from django import template

from digests.claims import marking

register = template.Library()


@register.simple_tag
def analysis_marks(digest):
    return marking.paragraphs(digest)
