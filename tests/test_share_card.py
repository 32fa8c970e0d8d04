"""The share card (digests/sharing/card.py): drawing, its address, the worker and the desk."""

import datetime
import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult
from PIL import Image, ImageColor

from digests import sharing, tasks, workflow
from digests.models import Digest
from digests.sharing import card
from tests import factories

S = Digest.Status
DAY = datetime.date(2026, 3, 1)
CARD = "/2026/03/01/card.png"
TASK = "digests.tasks.draw_share_card"
BACKGROUND = ImageColor.getrgb(card.BACKGROUND)


def inked(image, box, background=BACKGROUND):
    """How many pixels of ``box`` differ from the card's background."""
    region = image.crop(box).convert("RGB")
    return sum(1 for pixel in region.get_flattened_data() if pixel != background)


def headline_box(n):
    top = card.FIRST_HEADLINE_TOP + n * card.HEADLINE_STEP
    return (card.MARGIN + 30, top, card.WIDTH - card.MARGIN, top + card.HEADLINE_SIZE + 12)


def sample(headlines=("多模态生成式AI进入自然交互阶段",)):
    return card.text_for("每日科技新闻速览", datetime.date(2026, 2, 2), list(headlines))


# --- drawing -------------------------------------------------------------------------------


def test_card_is_1200_by_630_with_the_headlines_drawn():
    image = card.draw(sample(["第一条", "第二条", "第三条"]))
    assert image.size == (1200, 630)
    for n in range(3):
        assert inked(image, headline_box(n)) > 200, f"headline {n} was not drawn"
    assert inked(image, headline_box(3)) == 0  # only three headlines: the fourth line is empty


def test_at_most_four_headlines_in_the_briefing_order():
    text = sample([f"标题{n}" for n in range(6)])
    assert text.headlines == ("标题0", "标题1", "标题2", "标题3")
    image = card.draw(text)
    assert inked(image, headline_box(3)) > 0
    below = headline_box(3)[3]  # between the fourth headline and the footer band
    assert inked(image, (0, below, card.WIDTH, card.HEIGHT - 100)) == 0


def test_card_counts_the_days_items():
    text = sample([f"标题{n}" for n in range(14)])
    assert text.count == "共14条"
    footer = (card.MARGIN, card.FOOTER_TOP, card.MARGIN + 200, card.HEIGHT - 20)
    band = ImageColor.getrgb(card.SURFACE)  # the footer band's colour
    assert inked(card.draw(text), footer, band) > 300
    assert inked(card.draw(sample([])), footer, band) == 0


def test_date_line_has_the_weekday():
    assert card.date_line(datetime.date(2026, 2, 2)) == "2026年2月2日 星期一"
    assert card.date_line(datetime.date(2026, 2, 8)) == "2026年2月8日 星期日"


def test_a_long_headline_is_cut_to_fit_and_never_overflows():
    font = card._font(card.font_file(), card.HEADLINE_SIZE)
    long = "针对边缘场景的专用AI芯片与优化框架将降低部署门槛" * 5
    width = 600
    cut = card.fit(long, font, width)
    assert cut.endswith("…") and long.startswith(cut[:-1])
    assert font.getlength(cut) <= width
    assert font.getlength(cut[:-1] + long[len(cut) - 1] + "…") > width  # the longest that fits
    assert card.fit("短标题", font, width) == "短标题"
    # Drawn on the card, nothing passes the right margin.
    image = card.draw(sample([long]))
    right = (card.WIDTH - card.MARGIN + 1, card.FIRST_HEADLINE_TOP, card.WIDTH, 300)
    assert inked(image, right) == 0


def test_fitting_adversarial_long_text_is_fast():
    font = card._font(card.font_file(), card.HEADLINE_SIZE)
    text = "宽" * 200_000
    started = time.perf_counter()
    cut = card.fit(card.drawable(text, card.font_file()), font, 1000)
    assert time.perf_counter() - started < 2
    assert cut.endswith("…") and len(cut) < 100


def test_characters_the_font_lacks_are_left_out_not_a_crash():
    path = card.font_file()
    assert card.drawable("AI芯片 😀𠮷 Ω", path) == "AI芯片 Ω"  # emoji and a rare hanzi dropped
    assert card.drawable("第一行\n第二行\x00", path) == "第一行 第二行"
    image = card.draw(sample(["😀😀😀"]))  # nothing the font has: an empty line
    assert inked(image, headline_box(0)) < 200  # the bullet only


def test_a_missing_font_raises_os_error_and_the_generic_card_still_draws(settings, tmp_path):
    with pytest.raises(OSError):
        card.draw(sample(), path=tmp_path / "missing.otf")
    card.generic_png.cache_clear()
    settings.NEWSROOM_SHARE_CARD_FONT = str(tmp_path / "missing.otf")
    try:
        generic = Image.open(io.BytesIO(card.generic_png()))
        assert generic.size == (1200, 630)
    finally:
        card.generic_png.cache_clear()


# --- the address ---------------------------------------------------------------------------


@pytest.fixture
def day(db):
    return factories.full_digest(date=DAY, status=S.PUBLISHED, items=5)


def png_of(response):
    return Image.open(io.BytesIO(b"".join(response.streaming_content)))


def test_card_address_draws_on_first_request_then_serves_the_file(
    client, day, django_assert_num_queries
):
    # 1 the public cache's counters (middleware: the page cache's key), 2 the published
    # digest of the day, 3 its items' titles (four drawn, all counted) (to draw the card).
    with django_assert_num_queries(3):
        response = client.get(CARD)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert png_of(response).size == (1200, 630)
    assert card.path_for(DAY, day.version).exists()
    assert "max-age=3600" in response["Cache-Control"]
    # 1 the public cache's counters, 2 the published digest: the kept file answers.
    with django_assert_num_queries(2):
        again = client.get(CARD)
    assert again.status_code == 200 and again["ETag"] == f'"20260301-v{day.version}"'


@pytest.mark.parametrize("status", [S.DRAFT, S.REVIEW, S.SCHEDULED])
def test_no_card_for_a_day_readers_cannot_see(client, db, status):
    factories.full_digest(date=DAY, status=status)
    assert client.get(CARD).status_code == 404
    assert card.day_files(DAY) == []
    assert client.get("/2026/02/30/card.png").status_code == 404  # no such date


def test_withdrawn_day_card_is_gone_and_its_file_removed(
    client, published_day, reviewer, django_capture_on_commit_callbacks
):
    assert client.get(CARD).status_code == 200
    assert card.day_files(DAY)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.withdraw(published_day, reviewer, "事实有误")
    assert card.day_files(DAY) == []
    response = client.get(CARD)
    assert response.status_code == 410
    assert "事实" not in response.content.decode()  # the reason is not on the card's address
    # A task queued before the withdrawal draws nothing.
    assert tasks.draw_share_card.call(digest_id=published_day.pk) == "not published"
    assert card.day_files(DAY) == []


def test_card_address_never_fails_when_the_card_cannot_be_drawn(client, day, settings, tmp_path):
    settings.NEWSROOM_SHARE_CARD_FONT = str(tmp_path / "missing.otf")
    card.generic_png.cache_clear()
    try:
        response = client.get(CARD)
    finally:
        card.generic_png.cache_clear()
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "no-store"  # nor kept: drawn once the font is back
    assert Image.open(io.BytesIO(response.content)).size == (1200, 630)
    assert card.day_files(DAY) == []


# --- the worker ----------------------------------------------------------------------------


def queued():
    return list(DBTaskResult.objects.filter(task_path=TASK))


def test_publishing_queues_the_card_and_the_task_draws_it(published_day):
    (task,) = queued()
    assert task.args_kwargs["kwargs"] == {"digest_id": published_day.pk}
    published_day.refresh_from_db()
    result = tasks.draw_share_card.call(digest_id=published_day.pk)
    assert result.endswith(f"2026-03-01-v{published_day.version}.png")
    assert tasks.draw_share_card.call(digest_id=published_day.pk) == "already drawn"


def test_a_correction_queues_the_card_of_the_new_version(
    published_day, editor, django_capture_on_commit_callbacks
):
    published_day.refresh_from_db()
    tasks.draw_share_card.call(digest_id=published_day.pk)
    old = card.path_for(DAY, published_day.version)
    assert old.exists()
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.add_correction(published_day.items.first(), None, "数字有误,已更正。")
    assert len(queued()) == 1
    published_day.refresh_from_db()
    tasks.draw_share_card.call(digest_id=published_day.pk)
    assert card.day_files(DAY) == [card.path_for(DAY, published_day.version)]  # old one gone
    assert not old.exists()


def test_nothing_queued_for_transitions_that_do_not_publish(
    editor, reviewer, django_capture_on_commit_callbacks
):
    digest = factories.full_digest(date=DAY, created_by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(digest, editor)
    assert queued() == []


def test_a_failing_queue_never_breaks_publishing(
    reviewer, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    class Broken:
        def enqueue(self, **kwargs):
            raise RuntimeError("the task queue is down")

    monkeypatch.setattr(tasks, "draw_share_card", Broken())
    digest = factories.full_digest(date=DAY, status=S.REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(digest, reviewer)
    digest.refresh_from_db()
    assert digest.status == S.PUBLISHED
    assert "the task queue is down" in caplog.text


def test_a_failing_font_fails_the_task_only(published_day, settings, tmp_path, client):
    settings.NEWSROOM_SHARE_CARD_FONT = str(tmp_path / "missing.otf")
    with pytest.raises(OSError):
        tasks.draw_share_card.call(digest_id=published_day.pk)
    published_day.refresh_from_db()
    assert published_day.status == S.PUBLISHED
    assert client.get("/2026/03/01/").status_code == 200


# --- og:image, the downloads and the command -----------------------------------------------


def test_day_and_item_pages_share_the_card(client, day):
    page = client.get("/2026/03/01/").content.decode()
    url = "http://127.0.0.1:8000/2026/03/01/card.png"
    assert f'<meta property="og:image" content="{url}">' in page
    assert f'<meta name="twitter:image" content="{url}">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    assert 'class="download-card" href="/2026/03/01/card.png"' in page
    item_page = client.get(day.items.first().get_absolute_url()).content.decode()
    assert f'<meta property="og:image" content="{url}">' in item_page


def picture():
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 630), (200, 40, 40)).save(buffer, "PNG")
    return SimpleUploadedFile("picture.png", buffer.getvalue(), content_type="image/png")


def test_an_editors_picture_comes_before_the_card(client, day):
    first = day.items.order_by("position").first()
    first.image = picture()
    first.save()
    item_page = client.get(first.get_absolute_url()).content.decode()
    assert "/media/" in og_image(item_page) and "card.png" not in og_image(item_page)
    # The day without a cover shares its card, not the item's picture.
    assert og_image(client.get("/2026/03/01/").content.decode()).endswith("/2026/03/01/card.png")
    factories.full_digest(
        date=datetime.date(2026, 3, 2), status=S.PUBLISHED, cover_image=picture()
    )
    assert "/media/covers/" in og_image(client.get("/2026/03/02/").content.decode())


def og_image(page):
    return page.split('<meta property="og:image" content="', 1)[1].split('"', 1)[0]


def test_card_url_only_for_published_days(db):
    draft = factories.digest(date=DAY)
    assert sharing.card_url(draft) is None
    draft.status = S.PUBLISHED
    assert sharing.card_url(draft) == "http://127.0.0.1:8000/2026/03/01/card.png"


def test_make_share_cards_draws_published_days_in_batches(db):
    days = [
        factories.full_digest(date=DAY + datetime.timedelta(days=n), status=S.PUBLISHED)
        for n in range(3)
    ]
    factories.full_digest(date=datetime.date(2026, 4, 1), status=S.DRAFT)
    out = io.StringIO()
    with CaptureQueriesContext(__import__("django.db").db.connection) as queries:
        call_command("make_share_cards", "--batch", "2", stdout=out)
    assert out.getvalue().strip() == "3 drawn, 0 already there, 0 failed"
    # Per batch of two days: the digests, then their items' titles (plus one empty read).
    assert len(queries) <= 5
    for digest in days:
        assert card.path_for(digest.date, digest.version).exists()
    assert card.day_files(datetime.date(2026, 4, 1)) == []
    out = io.StringIO()
    call_command("make_share_cards", stdout=out)
    assert out.getvalue().strip() == "0 drawn, 3 already there, 0 failed"
    out = io.StringIO()
    call_command("make_share_cards", "--force", "--since", "2026-03-02", stdout=out)
    assert out.getvalue().strip() == "2 drawn, 0 already there, 0 failed"
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("make_share_cards", "--since", "March")
