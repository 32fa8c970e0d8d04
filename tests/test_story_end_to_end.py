"""Issue 12's "done when": a follow-up imported a few days later links back on the public site.

Day 1's briefing is imported and published; three days later a briefing re-reporting one
of its items is imported; the story index finds the earlier item; the editor marks it a
follow-up; once day 4 is published, readers go from it back to day 1 and forward again.
Run as the desk would: the real importer, index, workflow and page caches.
"""

import datetime
import re
import zoneinfo

import pytest
import time_machine

from digests import workflow
from digests.briefing import parse_text
from digests.importing import import_briefing
from digests.models import Digest, ItemLink
from digests.story import desk as story_desk
from digests.story import index as story_index
from tests.conftest import run_worker

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

TRAILER = """# 深度解析
深度解析:{title}
背景:{background}
趋势总结
- 趋势:{trend}
今日核心趋势总结:{summary}
"""

DAY1 = """每日科技新闻速览(2026-03-10)
前沿科技突破
空天探索-NASA火星车实现全AI自主驾驶
NASA毅力号火星车完成首次全AI规划驾驶,火星车可独立分析地形、规划路径并规避障碍,无需地面指令实时干预,探测效率提升300%。
来源:辉和辉的AI学习
绿色能源-绿氢成本低于灰氢
中国绿氢成本降至1美元每公斤,隆基绿能在内蒙古建设5GW光伏制氢项目,年产10万吨绿氢。
来源:鼎鉴乾坤
""" + TRAILER.format(
    title="深空探测的自主化", background="火星车驾驶。", trend="自主决策。", summary="自主。"
)

DAY4 = """每日科技新闻速览(2026-03-13)
前沿科技突破
空天探索-NASA火星车AI自主驾驶再获突破
NASA毅力号火星车再次完成全AI规划驾驶,火星车可独立分析地形、规划路径并规避障碍,无需地面指令实时干预,单日行驶距离创下纪录。
来源:辉和辉的AI学习
商业航天-可回收火箭发射成本下降
蓝箭航天朱雀三号火箭实现多次回收,发射成本从每公斤6万美元降至2万美元。
来源:鼎鉴乾坤
""" + TRAILER.format(
    title="商业航天的成本", background="火箭回收。", trend="成本下降。", summary="降本。"
)


def at(day, hour=9):
    return time_machine.travel(datetime.datetime(2026, 3, day, hour, tzinfo=SHANGHAI), tick=False)


def publish(digest, editor, reviewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(digest, editor)
        workflow.publish(digest, reviewer)
    digest.refresh_from_db()
    assert digest.status == Digest.Status.PUBLISHED


def read(client, path):
    """A reader's page, at the site's canonical address (where the worker refreshes pages)."""
    response = client.get(path, headers={"host": "127.0.0.1:8000"})
    assert response.status_code == 200, path
    return response.content.decode()


def story_hrefs(html, kind):
    return re.findall(rf'<li class="story-{kind}">.*?<a href="([^"]+)"', html)


def test_a_follow_up_imported_days_later_links_back_on_the_public_site(
    client, editor, reviewer, django_capture_on_commit_callbacks
):
    with at(10):
        first_day = import_briefing(parse_text(DAY1.encode()), user=editor)
        publish(first_day, editor, reviewer, django_capture_on_commit_callbacks)
        mars = first_day.items.get(title="NASA火星车实现全AI自主驾驶")
        assert read(client, f"/items/{mars.pk}/")

    with at(13):
        fourth_day = import_briefing(parse_text(DAY4.encode()), user=editor)
        follow_up = fourth_day.items.get(title="NASA火星车AI自主驾驶再获突破")
        rockets = fourth_day.items.get(title="可回收火箭发射成本下降")

        # The story index finds day 1's item, and nothing for an unrelated one.
        found = story_index.similar_items(follow_up, days=30)
        assert found and found[0][0].pk == mars.pk and 0 < found[0][1] <= 1
        assert mars.pk not in [item.pk for item, _ in story_index.similar_items(rockets)]

        # The editor marks it a follow-up, on the draft.
        made = story_desk.decide(follow_up, found[0][0], ItemLink.Kind.FOLLOW_UP, editor)
        assert (made.item_id, made.earlier_id, made.kind) == (follow_up.pk, mars.pk, "follow_up")

        # Not yet for readers: day 4 is a draft, day 1's page shows no follow-up.
        day1_item_page = read(client, f"/items/{mars.pk}/")
        assert story_hrefs(day1_item_page, "later") == []
        assert follow_up.title not in day1_item_page
        assert story_hrefs(read(client, "/2026/03/10/"), "later") == []

        publish(fourth_day, editor, reviewer, django_capture_on_commit_callbacks)
        # With a shared cache (Redis) the worker renders the pages the publication
        # changed, day 1's among them (digests.refresh); with a per-process cache the
        # first reader does.
        run_worker()

        # Day 4's day page and item page link back to day 1's item (此前报道) ...
        day4_page = read(client, "/2026/03/13/")
        assert story_hrefs(day4_page, "earlier") == [f"/items/{mars.pk}/"]
        back = '<time datetime="2026-03-10">2026-03-10</time> NASA火星车实现全AI自主驾驶'
        assert back in day4_page
        item_page = read(client, f"/items/{follow_up.pk}/")
        assert story_hrefs(item_page, "earlier") == [f"/items/{mars.pk}/"]

        # ... and day 1's item page and day page link forward (后续报道), even though
        # they were cached before day 4 was published.
        day1_item_page = read(client, f"/items/{mars.pk}/")
        assert story_hrefs(day1_item_page, "later") == [f"/items/{follow_up.pk}/"]
        day1_page = read(client, "/2026/03/10/")
        assert story_hrefs(day1_page, "later") == [f"/items/{follow_up.pk}/"]

        # The story reads back through the days on its own page.
        thread = read(client, f"/items/{follow_up.pk}/story/")
        steps = re.findall(r'<h2 class="item-row-title"><a href="/items/(\d+)/"', thread)
        assert steps == [str(mars.pk), str(follow_up.pk)]
