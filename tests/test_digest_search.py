"""Each digest's own search index (its items' tokens, joined), which the desk's search uses."""

import datetime

import pytest
from django.urls import reverse
from reversion.models import Version

from digests import search, workflow
from digests.briefing import parse_text
from digests.importing import import_briefing
from digests.models import Digest, Item
from digests.models.digest import DigestTokens
from digests.search.digests import matching_digests
from digests.search.index import index_digests, rebuild
from tests import factories
from tests.formdata import form_data

pytestmark = pytest.mark.django_db


def found(q):
    return list(matching_digests(q, Digest.objects.order_by("date")))


def tokens(digest):
    return DigestTokens.objects.values_list("tokens", flat=True).get(digest=digest).split()


@pytest.fixture
def desk(client, admin_user):
    client.force_login(admin_user)
    return client


def save_with(client, digest, **changes):
    url = reverse("admin:digests_digest_change", args=[digest.pk])
    data = form_data(client.get(url).content, form_id="digest_form")
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:500]


def briefing(date, *items, replace=False):
    """Import a draft briefing of ``items`` (heading, body) for ``date``."""
    lines = [f"每日科技新闻速览({date})", "科技动态"]
    for heading, body in items:
        lines += [heading, body, "来源:新华网"]
    lines += ["# 深度解析", "深度解析:标题", "背景:说明。", "趋势总结", "- 甲:乙。"]
    lines.append("今日核心趋势总结:总结。")
    return import_briefing(parse_text("\n".join(lines) + "\n"), replace=replace)


def test_a_digests_tokens_are_its_items_tokens_in_order():
    digest = factories.digest()
    second = factories.item(digest, position=2, title="卫星互联网组网")
    first = factories.item(digest, position=1, title="固态电池量产提速")
    search.reindex_digest(digest)
    first.refresh_from_db()
    second.refresh_from_db()
    expected = [first.search_title, first.search_body, second.search_title, second.search_body]
    assert tokens(digest) == " ".join(expected).split()
    assert found("固态电池") == found("卫星") == [digest]


def test_a_draft_is_found_by_a_word_of_an_item_and_the_others_are_not():
    draft = factories.digest()
    factories.item(draft, title="人形机器人进入工厂")
    other = factories.digest(status=Digest.Status.PUBLISHED)
    factories.item(other, title="低轨卫星发射")
    search.index_items(Item.objects.all())
    assert found("人形机器人") == [draft]
    assert found("卫星") == [other]
    assert found("不存在的词") == []
    assert found("") == []


def test_words_in_two_items_of_a_digest_find_it_once():
    digest = factories.digest()
    factories.item(digest, title="国产芯片出货", body="量子计算机原型机亮相。")
    factories.item(digest, title="先进封装芯片", body="厂商发布新一代产品。")
    elsewhere = factories.digest()
    factories.item(elsewhere, title="量子通信网络", body="城域网开通。")
    search.index_items(Item.objects.all())
    assert found("芯片") == [digest]  # in both items: listed once
    assert found("芯片 产品") == [digest]  # one word in each item
    assert found("量子") == [digest, elsewhere]
    assert found("芯片 城域网") == []  # in two different digests


def test_the_tokens_follow_an_item_edit_and_a_deletion_at_the_desk(desk):
    digest = factories.full_digest(items=2)
    search.reindex_digest(digest)
    save_with(desk, digest, **{"items-0-title": "固态电池量产提速"})
    assert found("固态电池") == [digest]
    save_with(desk, digest, **{"items-0-DELETE": "on"})
    assert digest.items.count() == 1
    assert found("固态电池") == []
    assert "固态电池" not in tokens(digest)


def test_the_tokens_follow_the_deletion_of_a_digests_last_item(desk):
    digest = factories.full_digest(items=1)
    Item.objects.filter(digest=digest).update(title="固态电池量产提速")
    search.reindex_digest(digest)
    assert found("固态电池") == [digest]
    digest.items.all().delete()
    search.reindex_digest(digest)
    assert tokens(digest) == []
    assert found("固态电池") == []


def test_the_tokens_follow_a_source_rename(desk):
    digest = factories.full_digest(items=2)
    source = digest.items.first().source
    search.reindex_digest(digest)
    url = reverse("admin:digests_source_change", args=[source.pk])
    data = form_data(desk.get(url).content)
    data["name"] = "光明日报"
    assert desk.post(url, data).status_code == 302
    assert found("光明日报") == [digest]


def test_the_tokens_follow_an_import_and_a_replacing_import():
    digest = briefing("2026-03-01", ("电池-固态电池量产提速", "多家企业公布产线。"))
    assert found("固态电池") == [digest]
    briefing("2026-03-01", ("航天-低轨卫星发射", "组网加快。"), replace=True)
    assert found("固态电池") == []
    assert found("卫星") == [digest]


def test_the_tokens_follow_a_restore():
    digest = briefing("2026-03-01", ("电池-固态电池量产提速", "多家企业公布产线。"))
    first = Version.objects.get_for_object(digest).last()
    briefing("2026-03-01", ("航天-低轨卫星发射", "组网加快。"), replace=True)
    assert found("固态电池") == []
    workflow.restore(digest, first, None)
    assert found("固态电池") == [digest]
    assert found("卫星") == []


def test_a_rebuild_writes_the_digests_tokens_too():
    digest = factories.digest()
    factories.item(digest, title="人形机器人进入工厂")
    DigestTokens.objects.all().delete()
    assert found("人形机器人") == []
    rebuild()
    assert found("人形机器人") == [digest]


def test_digests_are_indexed_in_one_query_per_batch(django_assert_num_queries):
    start = datetime.date(2020, 1, 1)
    digests = [factories.digest(date=start + datetime.timedelta(days=n)) for n in range(3)]
    for digest in digests:
        factories.item(digest, title="人形机器人进入工厂")
    search.index_items(Item.objects.all())
    DigestTokens.objects.filter(digest=digests[0]).delete()  # one to insert, two to update
    DigestTokens.objects.update(tokens="")
    with django_assert_num_queries(1):  # one INSERT … ON CONFLICT UPDATE, joined in SQL
        index_digests([digest.pk for digest in digests])
    assert found("人形机器人") == digests
    assert DigestTokens.objects.count() == 3


def test_a_deleted_digest_takes_its_tokens_along():
    digest = factories.digest()
    factories.item(digest, title="人形机器人进入工厂")
    search.reindex_digest(digest)
    digest.delete()
    assert not DigestTokens.objects.exists()
    assert found("人形机器人") == []


def test_a_status_change_keeps_the_tokens():
    digest = factories.full_digest(items=1)
    Item.objects.filter(digest=digest).update(title="人形机器人进入工厂")
    search.reindex_digest(digest)
    workflow.submit(digest, None)
    digest = Digest.objects.get(pk=digest.pk)
    digest.title = "新的标题"
    digest.save()
    assert found("人形机器人") == [digest]
