"""Search at archive scale: bounded candidates, year walking, ranking, the desk's search."""

import datetime

import pytest

from digests.models import Digest, Item
from digests.search import index_items, matching, reindex_digest, search
from digests.search import query as search_query
from digests.search.tokenize import camel_parts, index_tokens, month_token, year_token
from tests import factories

S = Digest.Status
pytestmark = pytest.mark.django_db


def day(date, *items, status=S.PUBLISHED):
    """A digest on ``date`` with items (title, body), indexed."""
    digest = factories.digest(date=datetime.date.fromisoformat(date), status=status)
    for position, (title, body) in enumerate(items, start=1):
        factories.item(digest, position=position, topic="科技", title=title, body=body)
    index_items(digest.items.all())
    return digest


def titles(q, **kwargs):
    return [item.title for item in search(q, **kwargs)]


# --- tokens ---------------------------------------------------------------------------------


def test_camel_case_words_are_indexed_with_their_parts():
    assert camel_parts("OpenAI DeepSeek xAI AIChip iPhone") == [
        *("open", "ai", "deep", "seek", "x", "chip", "i", "phone")
    ]
    assert camel_parts("AIGC GPTs NVIDIA openai 芯片") == []  # one part each
    tokens = index_tokens("OpenAI发布")
    assert tokens[0] == "openai" and {"open", "ai"} <= set(tokens)


def test_camel_parts_take_linear_time():
    # No pattern: one pass over the characters, however the capitals fall.
    assert camel_parts("Ab" * 50_000) == ["ab"]
    assert camel_parts("A" * 100_000 + "a") == []


def test_an_item_carries_its_days_year_and_month_and_no_query_can_produce_them():
    digest = day("2024-05-06", ("固态电池量产", "正文。"))
    item = digest.items.get()
    assert item.search_body.split()[-2:] == [year_token(2024), month_token(2024, 5)]
    assert year_token(2024) == "y2024" and month_token(2024, 5) == "m202405"
    assert [word.atoms for word in search_query.match_words("m202405")] == [("m", "202405")]
    assert [word.atoms for word in search_query.match_words("y2024")] == [("y", "2024")]


def test_a_batch_of_months_is_searched_with_the_fewest_tokens():
    months = [(2026, 2), (2026, 1), *((2025, m) for m in range(12, 0, -1)), (2024, 12)]
    assert search_query.date_tokens(months) == ["m202602", "m202601", "y2025", "m202412"]


def test_a_digest_whose_date_changes_keeps_its_items_month_after_reindexing():
    digest = day("2024-05-06", ("固态电池量产", "正文。"))
    day("2026-01-02", ("无关", "正文。"))
    Digest.objects.filter(pk=digest.pk).update(date=datetime.date(2025, 12, 31))
    digest.refresh_from_db()
    reindex_digest(digest)  # what the desk's save, the importer and restore call
    assert digest.items.get().search_body.split()[-2:] == ["y2025", "m202512"]
    assert titles("固态电池") == ["固态电池量产"]


# --- what is found ----------------------------------------------------------------------------


def test_short_queries_are_token_searches():
    day(
        "2026-03-01",
        ("OpenAI发布新模型", "模型更新。"),
        ("AIGC平台上线", "生成内容。"),
        ("邮件服务升级", "email服务。"),
        ("光刻机交付", "设备。"),
        ("芯片出货", "国产芯片。"),
    )
    assert set(titles("AI")) == {"OpenAI发布新模型", "AIGC平台上线"}  # not email
    assert titles("光") == ["光刻机交付"]  # every Chinese character is a token
    assert titles("芯片") == ["芯片出货"]


def test_numbers_stay_whole_in_short_and_long_queries():
    day("2026-03-01", ("6G试验网", "130家企业。"), ("2030年目标", "30项任务。"))
    assert titles("30") == ["2030年目标"]
    assert titles("6G") == ["6G试验网"]


def test_only_published_items_are_found_and_counted(client):
    day("2026-03-01", ("固态电池量产", "正文。"))
    day("2026-03-02", ("固态电池草稿", "正文。"), status=S.DRAFT)
    day("2026-03-03", ("固态电池待审", "正文。"), status=S.REVIEW)
    assert titles("固态电池") == ["固态电池量产"]
    page = client.get("/search/", {"q": "固态电池"}).content.decode()
    assert "<mark>固态电池</mark>量产" in page and "草稿" not in page and "待审" not in page
    assert len(search("固态电池")) == 1


def test_matching_narrows_any_queryset_drafts_included_unranked():
    published = day("2026-03-01", ("固态电池量产", "正文。"), ("别的", "正文。"))
    draft = day("2026-03-02", ("固态电池草稿", "正文。"), status=S.DRAFT)
    found = matching("固态电池", Item.objects.all())
    assert {item.title for item in found} == {"固态电池量产", "固态电池草稿"}
    assert {item.title for item in matching("AI", Item.objects.all())} == set()
    assert list(matching("   ", Item.objects.all())) == []
    # As the admin uses it: digests holding a match (a subquery, aliased by the ORM).
    items = matching("固态电池", Item.objects.all())
    digests = Digest.objects.filter(pk__in=items.values("digest"))
    assert set(digests) == {published, draft}
    assert not Digest.objects.filter(
        pk__in=matching("不存在的词", Item.objects.all()).values("digest")
    ).exists()


# --- order and the bounded candidate set ------------------------------------------------------


def test_headline_matches_come_first_even_when_older():
    day("2020-01-01", ("固态电池量产", "正文。"))
    day("2026-01-01", ("储能", "固态电池出货。"))
    assert titles("固态电池") == ["固态电池量产", "储能"]
    first, second = search("固态电池")
    assert first.in_title and not second.in_title


def test_a_newer_equal_match_ranks_first():
    day("2012-06-01", ("芯片出货", "正文。"))
    day("2026-06-01", ("芯片出货", "正文。"))
    day("2019-06-01", ("芯片出货", "正文。"))
    dates = [item.digest.date.year for item in search("芯片")]
    assert dates == [2026, 2019, 2012]
    scores = [item.score for item in search("芯片")]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]


def test_the_search_keeps_the_newest_candidates_and_says_more(client, settings):
    settings.SEARCH_CANDIDATES = 3
    for year in (2021, 2022, 2023, 2024, 2025):
        day(f"{year}-07-01", (f"固态电池{year}", "正文。"))
    results = search("固态电池")
    assert results.capped and len(results) == 3
    assert [item.title for item in results] == ["固态电池2025", "固态电池2024", "固态电池2023"]
    page = client.get("/search/", {"q": "固态电池"}).content.decode()
    assert "3+" in page and "固态电池2021" not in page
    # The last page goes on to the older matches, by date, in /items/.
    assert 'href="/items/?q=%E5%9B%BA%E6%80%81%E7%94%B5%E6%B1%A0&amp;date_to=2023-07-01"' in page
    older = client.get("/items/", {"q": "固态电池", "date_to": "2023-07-01"}).content.decode()
    assert "固态电池2021" in older and "固态电池2025" not in older
    settings.SEARCH_CANDIDATES = 5
    results = search("固态电池")
    assert not results.capped and len(results) == 5  # exact, at the limit


def test_the_months_are_walked_newest_first_until_there_are_enough(
    settings, django_assert_num_queries
):
    settings.SEARCH_CANDIDATES = 2
    day("2026-01-05", ("量子计算一", "正文。"))
    day("2024-03-01", ("量子计算二", "正文。"), ("量子计算三", "正文。"))
    day("2023-03-01", ("量子计算四", "正文。"))
    day("2020-03-01", ("别的", "正文。"))
    search("预热")  # the terms, cached as in every request after the first
    # 1 the published days' first and last dates; then the matches, ranked, of: 2 the
    # newest 3 months, 2026-01 to 2025-11 (one in 66 days: the two still needed should
    # be in the next 6 months, with a quarter more), 3 those 6 (none), 4 the next 21
    # (sized from the falling rate of matches per day), which hold two: enough, one
    # more than the candidates. Nothing is loaded until a page is taken.
    with django_assert_num_queries(4):
        results = search("量子计算")
    assert results.capped and [item.title for item in results] == ["量子计算一", "量子计算二"]


def test_batches_ranked_apart_are_merged_in_one_order(settings, django_assert_num_queries):
    settings.SEARCH_CANDIDATES = 3
    day("2026-03-01", ("储能", "固态电池出货。"))
    day("2025-06-01", ("固态电池量产", "正文。"))
    day("2024-09-01", ("固态电池旧闻", "正文。"), ("别的", "固态电池。"))
    day("2010-01-01", ("别的", "正文。"))
    search("预热")
    # 1 the span, 2 the newest 3 months (the body match), 3 the next 8 (the headline
    # match), 4 the next 13 (two more: one more than the candidates, so the older,
    # the body match of 2024, is left out). Each ranked apart, merged.
    with django_assert_num_queries(4):
        results = search("固态电池")
    assert results.capped
    assert [item.title for item in results] == ["固态电池量产", "固态电池旧闻", "储能"]


def test_a_prefix_takes_a_year_in_its_first_query(settings, django_assert_num_queries):
    settings.SEARCH_CANDIDATES = 1
    day("2026-01-05", ("OpenAI发布新模型", "正文。"))
    day("2025-03-01", ("AIGC工具", "正文。"))
    day("2024-03-01", ("AI芯片", "正文。"))
    search("预热")
    # 1 the span, 2 the newest 12 months (2026-01 back to 2025-02): two matches, one
    # more than the candidates. With the 3 months of a word, two queries more.
    with django_assert_num_queries(2):
        results = search("AI")
    assert results.capped and [item.title for item in results] == ["OpenAI发布新模型"]


def test_a_phrase_needs_its_atoms_side_by_side():
    # PostgreSQL asks the index for the atoms (6 and g anywhere), then checks the phrase.
    day("2026-03-01", ("6G试验网开通", "正文。"), ("G端市场回暖", "第6批订单。"))
    day("2026-02-01", ("卫星", "6G星座组网。"))
    assert titles("6G") == ["6G试验网开通", "卫星"]
    assert titles("6G 卫星") == ["卫星"]


def test_a_rare_word_costs_two_queries(django_assert_num_queries):
    for year in range(2010, 2027):
        day(f"{year}-03-01", ("别的", "正文。"))
    day("2011-03-02", ("钙钛矿电池", "正文。"))
    search("预热")
    # 1 the span, 2 the newest month (none), 3 the word alone, in every month.
    with django_assert_num_queries(3):
        results = search("钙钛矿")
    assert [item.title for item in results] == ["钙钛矿电池"]


# --- the page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [10, 300])
def test_search_page_queries_do_not_grow_with_the_day(client, django_assert_num_queries, count):
    digest = factories.digest(date=datetime.date(2026, 3, 1), status=S.PUBLISHED)
    for n in range(count):
        factories.item(digest, position=n, topic="科技", title=f"固态电池{n}", body="正文。")
    index_items(digest.items.all())
    client.get("/search/", {"q": "预热"})  # the terms, cached
    # 1 the public counters (the page cache's generation), 2 the published days'
    # span, 3 the matches of 2026-03 (the only month), 4 the page's items with their
    # day, section and source, 5 their tags, 6 their corrections.
    with django_assert_num_queries(6):
        response = client.get("/search/", {"q": "固态电池"})
    assert response.status_code == 200
    assert response.context["paginator"].count == count
    assert len(response.context["items"]) == min(count, 20)


def test_search_page_marks_a_short_query_where_tokens_start(client):
    day("2026-03-01", ("OpenAI发布新模型", "email通知。"))
    page = client.get("/search/", {"q": "AI"}).content.decode()
    assert "Open<mark>AI</mark>" in page and "em<mark>ai</mark>l" not in page


def test_a_page_past_the_candidates_is_not_found(client, settings):
    settings.SEARCH_CANDIDATES = 3
    for n in range(1, 6):
        day(f"2026-03-0{n}", (f"固态电池{n}", "正文。"))
    assert client.get("/search/", {"q": "固态电池", "page": 2}).status_code == 404
