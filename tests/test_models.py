"""The model rules the database and the models hold."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from digests.models import Category, Digest, Item, Source, Tag
from digests.slugs import pinyin_slug
from tests import factories

pytestmark = pytest.mark.django_db


def test_one_digest_per_day():
    factories.digest(date=datetime.date(2026, 2, 2))
    with pytest.raises(IntegrityError), transaction.atomic():
        Digest.objects.create(date=datetime.date(2026, 2, 2))
    assert Digest.objects.filter(date=datetime.date(2026, 2, 2)).count() == 1


def test_published_digest_needs_published_at():
    with pytest.raises(IntegrityError), transaction.atomic():
        Digest.objects.create(date=datetime.date(2026, 2, 3), status=Digest.Status.PUBLISHED)


def test_digest_title_defaults_to_briefing_name():
    assert factories.digest().title == "每日科技新闻速览"


@pytest.mark.parametrize("model", ["source", "category"])
def test_deleting_what_items_use_is_refused(model):
    source, category = factories.source("网易手机网"), factories.category("AI技术动态")
    item = factories.item(factories.digest(), category=category, source=source)
    target = source if model == "source" else category
    with pytest.raises(ProtectedError), transaction.atomic():
        target.delete()
    assert Item.objects.filter(pk=item.pk).exists()
    assert type(target).objects.filter(pk=target.pk).exists()


def test_unused_source_and_category_can_be_deleted():
    source, category = factories.source(), factories.category()
    source.delete()
    category.delete()
    assert not Source.objects.exists() and not Category.objects.exists()


def test_deleting_a_digest_deletes_its_items_and_blocks():
    digest = factories.full_digest(items=2)
    digest.delete()
    assert not Item.objects.exists()


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("AI技术动态", "ai-ji-shu-dong-tai"),
        ("前沿科技突破", "qian-yan-ke-ji-tu-po"),
        ("政策与资本动向", "zheng-ce-yu-zi-ben-dong-xiang"),
        ("其他领域", "qi-ta-ling-yu"),
        ("6G通信", "6g-tong-xin"),
    ],
)
def test_chinese_category_names_get_readable_slugs(name, slug):
    assert factories.category(name).slug == slug


def test_source_slug_from_chinese_name():
    assert factories.source("北京市人民政府").slug == "bei-jing-shi-ren-min-zheng-fu"
    assert factories.source("IT之家").slug == "it-zhi-jia"


def test_slug_is_stable_when_the_name_changes():
    category = factories.category("AI技术动态")
    category.name = "人工智能动态"
    category.save()
    category.refresh_from_db()
    assert category.slug == "ai-ji-shu-dong-tai"


def test_slugs_stay_unique_for_names_that_read_the_same():
    first = factories.category("AI技术动态")
    second = factories.category("AI 技术动态")
    third = factories.category("AI技术 动态")
    assert [first.slug, second.slug, third.slug] == [
        "ai-ji-shu-dong-tai",
        "ai-ji-shu-dong-tai-2",
        "ai-ji-shu-dong-tai-3",
    ]


def test_slug_of_text_without_letters_falls_back():
    assert pinyin_slug("!!!", fallback="section") == "section"


def test_item_topic_slug_and_tag_slug_use_pinyin():
    item = factories.item(factories.digest(), topic="生物医药")
    item.tags.add("人工智能", "RISC-V")
    assert item.topic_slug == "sheng-wu-yi-yao"
    assert sorted(Tag.objects.values_list("slug", flat=True)) == ["ren-gong-zhi-neng", "risc-v"]


def test_items_keep_their_position_order():
    digest = factories.digest()
    section = factories.category()
    third = factories.item(digest, category=section, position=3)
    first = factories.item(digest, category=section, position=1)
    second = factories.item(digest, category=section, position=2)
    assert list(digest.items.all()) == [first, second, third]


def test_sections_come_in_the_order_of_their_first_item():
    digest = factories.digest()
    policy = factories.category("政策与资本动向", position=1)
    ai = factories.category("AI技术动态", position=2)
    factories.item(digest, category=ai, position=1)
    factories.item(digest, category=policy, position=2)
    factories.item(digest, category=ai, position=3)
    sections = digest.sections()
    assert [category.name for category, _ in sections] == ["AI技术动态", "政策与资本动向"]
    assert [len(items) for _, items in sections] == [2, 1]


def test_categories_are_ordered_by_position():
    factories.category("其他领域", position=4)
    factories.category("AI技术动态", position=1)
    assert list(Category.objects.values_list("name", flat=True)) == ["AI技术动态", "其他领域"]


def test_published_queryset_is_only_published_digests():
    published = factories.digest(status=Digest.Status.PUBLISHED)
    factories.digest(status=Digest.Status.DRAFT)
    factories.digest(status=Digest.Status.REVIEW)
    assert list(Digest.objects.published()) == [published]


def test_item_paragraphs_keep_breaks_and_drop_blank_lines():
    item = factories.item(factories.digest(), body="第一段。\n\n第二段。\n")
    assert item.paragraphs == ["第一段。", "第二段。"]
    assert item.heading == f"AI技术-{item.title}"


def test_topic_with_hyphen_is_invalid():
    item = factories.item(factories.digest())
    item.topic = "Wi-Fi"
    with pytest.raises(Exception, match="TOPIC-HEADLINE"):
        item.full_clean()
