"""A new release never serves pages, day pages or feed entries kept by the old one.

The page cache's keys carry ``digests.build.build_id()``: a digest of the files that
render pages, or ``NEWSROOM_BUILD_ID``.
"""

import pytest

from digests import build, public_cache


@pytest.fixture
def checkout(tmp_path, settings):
    """A small tree shaped like the project's, its build id computed afresh."""
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "day.html").write_text("<h1>{{ digest.title }}</h1>")
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "site.css").write_text("h1 { color: #123; }")
    settings.BASE_DIR = tmp_path
    settings.NEWSROOM_BUILD_ID = ""
    build.build_id.cache_clear()
    yield tmp_path
    build.build_id.cache_clear()


def test_the_build_id_follows_the_files_that_draw_pages(checkout):
    first = build.build_id()
    assert build.build_id() == first  # read once per process
    (checkout / "static" / "site.css").write_text("h1 { color: #321; }")
    assert build.build_id() == first  # until a file is reported changed
    build.forget(file_path=checkout / "static" / "site.css")
    second = build.build_id()
    assert second != first
    (checkout / "static" / "notes.md").write_text("not drawn on any page")
    (checkout / "var").mkdir()
    (checkout / "var" / "cache.html").write_text("outside the folders that draw pages")
    build.forget(file_path=checkout / "static" / "notes.md")
    assert build.build_id() == second
    (checkout / "templates" / "day.html").rename(checkout / "templates" / "today.html")
    build.forget(file_path=checkout / "templates" / "today.html")
    assert build.build_id() != second  # a renamed template is a change too


def test_a_deployment_may_name_its_build(checkout, settings):
    settings.NEWSROOM_BUILD_ID = "2026.12.2-7fe7909"
    build.build_id.cache_clear()
    assert build.build_id() == "2026.12.2-7fe7909"


def test_a_file_outside_the_project_leaves_the_build_alone(checkout, tmp_path_factory):
    first = build.build_id()
    build.forget(file_path=tmp_path_factory.mktemp("elsewhere") / "x.html")
    assert build.build_id.cache_info().currsize == 1  # still the one computed above
    assert build.build_id() == first
    build.forget(file_path=checkout / "templates" / "day.html")
    assert build.build_id.cache_info().currsize == 0


class KeysSeen:
    """The cache, noting every key it is asked for."""

    def __init__(self, real, keys):
        self.real, self.keys = real, keys

    def __getattr__(self, name):
        operation = getattr(self.real, name)

        def noted(*args, **kwargs):
            if args and isinstance(args[0], str):
                self.keys.append(args[0])
            elif args and isinstance(args[0], list | dict):
                self.keys.extend(args[0])
            return operation(*args, **kwargs)

        return noted


@pytest.mark.django_db
def test_a_new_build_renders_what_the_old_one_kept(client, published_day, settings, monkeypatch):
    settings.NEWSROOM_GENERATION_CHECK_SECONDS = 60
    public_cache.forget()
    urls = ("/2026/03/01/", "/", "/feeds/atom/")
    for url in urls:
        assert client.get(url)["X-Cache"] == "miss", url
        assert client.get(url)["X-Cache"] == "hit", url

    keys = []
    for module in ("middleware", "fragments", "feeds"):
        monkeypatch.setattr(f"digests.{module}.build_id", lambda: "next-release")
        real = __import__(f"digests.{module}", fromlist=["cache"]).cache
        monkeypatch.setattr(f"digests.{module}.cache", KeysSeen(real, keys))
    for url in urls:
        assert client.get(url)["X-Cache"] == "miss", url
    kinds = ("newsroom:page:", "newsroom:day-page", "newsroom:feed-entry")
    for kind in kinds:
        assert [key for key in keys if key.startswith(kind)], kind
    stale = [key for key in keys if key.startswith(kinds) and "next-release" not in key]
    assert stale == []
