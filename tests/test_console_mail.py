"""Development mail on the console: readable Chinese, the HTML part kept in a file."""

import io

from django.core.mail import EmailMultiAlternatives

from newsroom.console_mail import EmailBackend


def test_a_mail_is_printed_decoded_and_its_html_saved(tmp_path):
    stream = io.StringIO()
    backend = EmailBackend(stream=stream, folder=tmp_path)
    message = EmailMultiAlternatives(
        "请确认订阅",
        "请打开链接：http://127.0.0.1:8000/newsletter/confirm/abc:def/\n",
        "newsroom@localhost",
        ["reader@example.com"],
        headers={"List-Unsubscribe": "<http://127.0.0.1:8000/newsletter/unsubscribe/x/>"},
    )
    message.attach_alternative("<p>每日科技新闻速览</p>", "text/html")
    assert backend.send_messages([message]) == 1
    printed = stream.getvalue()
    # As a person reads it: the subject and body decoded, the link whole on one line.
    assert "Subject: 请确认订阅" in printed
    assert "http://127.0.0.1:8000/newsletter/confirm/abc:def/" in printed
    assert "List-Unsubscribe: <http://127.0.0.1:8000/newsletter/unsubscribe/x/>" in printed
    (saved,) = tmp_path.glob("*.html")
    assert saved.read_text(encoding="utf-8").strip() == "<p>每日科技新闻速览</p>"
    assert str(saved) in printed
