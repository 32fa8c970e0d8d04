"""The demo briefings' sources as the desk would register them: kind and primary flag."""

from digests.models import Source

K = Source.Kind

# name: (kind, primary source). A primary source reports its own decisions or results.
SOURCES = {
    "IT之家": (K.MEDIA, False),
    "钛媒体": (K.MEDIA, False),
    "财新网": (K.MEDIA, False),
    "新华网": (K.MEDIA, False),
    "第一财经": (K.MEDIA, False),
    "澎湃新闻": (K.MEDIA, False),
    "人民网": (K.MEDIA, False),
    "科技日报": (K.MEDIA, False),
    "机器之心": (K.MEDIA, False),
    "量子位": (K.MEDIA, False),
    "36氪": (K.MEDIA, False),
    "林知远": (K.PERSON, False),
    "硅基观察室": (K.BLOG, False),
    "中国科学院": (K.GOVERNMENT, True),
    "工业和信息化部": (K.GOVERNMENT, True),
    "国家航天局": (K.GOVERNMENT, True),
}


def register_sources():
    """Create the demo sources with their kinds before the briefings name them; an
    existing source is left as the desk has it. Returns how many were created."""
    created = 0
    for name, (kind, primary) in SOURCES.items():
        _source, new = Source.objects.get_or_create(
            name=name, defaults={"kind": kind, "is_primary": primary}
        )
        created += new
    return created
