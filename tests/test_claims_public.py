"""The numeric claims readers see: each item's ``claims`` in the .json and the API, the
day page's marked analysis numbers, and nothing of a digest readers may not see."""

import re

import pytest

from digests.briefing import parse_text
from digests.importing import import_briefing
from digests.models import Claim, Digest
from tests.test_claims_ledger import SAMPLE_TEXT

pytestmark = pytest.mark.django_db
S = Digest.Status

# The digest readers may not see (conftest's ``secret``), with a number of its own (7777万辆)
# in an item and the analysis.
SECRET_BRIEFING = """每日科技新闻速览(2026-12-05)
草稿栏目
草稿主题-草稿独有标题
某车企去年卖出新能源汽车7777万辆,为草稿独有的数字。
来源:草稿来源
# 深度解析
深度解析:草稿分析
数据支撑:销量7777万辆。
趋势总结
- 趋势:说明。
今日核心趋势总结:总结。
"""


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    settings.NEWSROOM_DAY_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def sample_day():
    """The reference sample, imported and published."""
    return import_briefing(parse_text(SAMPLE_TEXT), publish=True)


def test_every_item_of_the_json_and_the_api_has_its_claims(client, sample_day):
    Claim.objects.filter(digest=sample_day, text="8.88亿美元").update(
        status=Claim.Status.DISMISSED
    )
    data = client.get("/2026/02/02.json").json()
    items = [item for section in data["sections"] for item in section["items"]]
    assert all(isinstance(item["claims"], list) for item in items)
    texts = [claim["text"] for item in items for claim in item["claims"]]
    assert "8.88亿美元" not in texts  # dismissed
    size = next(c for item in items for c in item["claims"] if c["text"] == "突破1.2万亿元")
    assert size["value"] == 1200000000000 and size["unit"] == "元"
    firms = next(c for item in items for c in item["claims"] if c["text"] == "超过6000家")
    assert (firms["value"], firms["unit"], firms["bound"]) == (6000, "家", "over")
    assert client.get("/api/digests/2026-02-02").json() == data


def test_the_day_page_marks_the_supported_analysis_numbers(client, sample_day):
    page = client.get("/2026/02/02/").content.decode()
    analysis = page[page.index('id="analysis"') :]
    analysis = analysis[: analysis.index("</section>")]
    size_item = sample_day.items.get(title="中国AI产业规模突破1.2万亿元")
    links = re.findall(r'<a class="claim-link" href="#([^"]+)"[^>]*>([^<]+)</a>', analysis)
    assert (size_item.anchor, "1.2万亿元") in links
    assert (size_item.anchor, "超6000家") in links
    # Numbers no item reports stay plain text.
    assert "50%</a>" not in analysis and "28%</a>" not in analysis
    # Each link names its item(s) for assistive technology.
    key = re.search(r'aria-describedby="([^"]+)">1.2万亿元</a>', analysis).group(1)
    described = re.search(rf'id="{key}"[^>]*>(.*?)</span></span>', analysis).group(1)
    assert "中国AI产业规模突破1.2万亿元" in re.sub(r"<[^>]+>", "", described)
    assert f'id="{size_item.anchor}"' in page  # the link's target is on the page


def test_the_marked_day_page_stays_within_its_query_budget(
    client, sample_day, django_assert_num_queries
):
    client.get("/2026/02/02/")
    # test_views.test_day_page_queries: the same 10 with the sample's claims marked
    # (the claims come in the one prefetch; their support is computed, not queried).
    with django_assert_num_queries(10):
        client.get("/2026/02/02/")


def test_no_claim_of_an_unpublished_digest_reaches_readers(client, sample_day, secret):
    assert Claim.objects.filter(digest=secret, text="7777万辆").count() == 2
    for url in [
        "/2026/12/05.json",
        "/2026/12/05/",
        "/api/digests/2026-12-05",
        "/api/items?date_from=2026-12-05&date_to=2026-12-05",
        "/2026/02/02/",
        "/2026/02/02.json",
    ]:
        assert "7777" not in client.get(url).content.decode(), url


def test_the_items_api_gives_each_item_its_claims_in_one_more_query(
    client, sample_day, django_assert_max_num_queries
):
    Claim.objects.filter(digest=sample_day, text="8.88亿美元").update(
        status=Claim.Status.DISMISSED
    )
    url = "/api/items?date_from=2026-02-02&date_to=2026-02-02&limit=100"
    client.get(url)
    # The items page's queries (tests/test_api.py) and one for the page's claims.
    with django_assert_max_num_queries(5):
        results = client.get(url).json()["results"]
    assert len(results) == 13 and all(isinstance(item["claims"], list) for item in results)
    texts = [claim["text"] for item in results for claim in item["claims"]]
    assert "超过6000家" in texts and "8.88亿美元" not in texts
    firms = next(c for item in results for c in item["claims"] if c["text"] == "超过6000家")
    assert firms["value"] == 6000 and isinstance(firms["value"], int)
