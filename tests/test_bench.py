"""The benchmark (bench/): the pages it times exist, and it records its results in place."""

import datetime
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from digests.models import Digest
from tests import factories

sys.path.insert(0, str(Path(settings.BASE_DIR) / "bench"))
import latency
import tables


@pytest.fixture
def archive(db):
    """May 2020 and the latest day published, a tag on the latest day, a draft of 13 items."""
    published = Digest.Status.PUBLISHED
    factories.full_digest(date=datetime.date(2020, 5, 4), status=published)
    latest = factories.full_digest(date=datetime.date(2026, 11, 28), status=published)
    latest.items.first().tags.add("芯片")
    factories.full_digest(date=datetime.date(2026, 11, 29), items=13)


def test_every_page_the_benchmark_times_answers(archive):
    reader = Client()
    day, month, links, changes = latency.pick_pages(reader)
    assert (day, month) == ("/2026/11/28/", "/2026/11/")
    assert set(links) == set(latency.TAXONOMY)  # a section, topic, tag and source page
    assert changes["draft"][1] == 13  # the draft's form, and a published digest's page
    assert changes["published"][0] != changes["draft"][0]
    clients = {"reader": reader, "desk": latency.desk_client()}
    asked = 0
    for row in latency.rows(day, month, links, changes):
        for url in row.urls:
            if url == "/items/?page=50":  # a page this small archive does not have
                continue
            response = clients[row.who].get(url)
            assert response.status_code == 200, url
            asked += 1
    # 15 searches, 7 lists, 6 digest lists, 4 feeds, 6 desk and day pages, the API's day
    assert asked == 39


def test_percentiles_are_nearest_rank():
    values = list(range(1, 21))
    assert latency.percentile(values, 50) == 10.5
    assert latency.percentile(values, 95) == 19
    assert latency.percentile([], 95) is None


def test_results_replace_only_their_own_block(tmp_path):
    docs = tmp_path / "performance.md"
    docs.write_text(
        "# Performance\n<!-- results:postgresql -->\nold\n<!-- /results:postgresql -->\n"
        "<!-- results:sqlite -->\nold\n<!-- /results:sqlite -->\n"
    )
    tables.write_docs(docs, "sqlite", "<!-- results:sqlite -->\nnew\n<!-- /results:sqlite -->")
    assert docs.read_text() == (
        "# Performance\n<!-- results:postgresql -->\nold\n<!-- /results:postgresql -->\n"
        "<!-- results:sqlite -->\nnew\n<!-- /results:sqlite -->\n"
    )
    with pytest.raises(SystemExit, match="no <!-- results:redis -->"):
        tables.write_docs(docs, "redis", "")


def test_the_trends_benchmark_times_its_pages_cold(archive):
    """bench/trends.py: /trends/, the busiest topic's and section's pages, each built anew."""
    import trends as trends_bench

    from digests.trends import counts

    counts.rebuild()  # the archive above was put in place without the workflow
    results = trends_bench.measure(repeats=2)
    assert [row["page"] for row in results] == ["/trends/", "topic page", "section page"]
    assert all(row["requests"] == 2 and row["queries"] for row in results)
    assert results[1]["url"].startswith("/trends/topics/")
