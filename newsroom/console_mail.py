"""Development mail: printed on the console as a person reads it, not as it travels.

Django's console backend prints the message as sent, and Chinese text travels
base64-encoded: the confirmation link of a newsletter sign-up would be unreadable
on the ``make run`` console. This backend prints the headers and each text part
decoded; an HTML part is saved beside the database (``var/mail/``) and its path
printed, to be opened in a browser. Used only in development (``DEBUG`` without
``EMAIL_HOST``).
"""

from pathlib import Path

from django.conf import settings
from django.core.mail.backends import console
from django.utils import timezone

SHOWN_HEADERS = ("From", "To", "Subject", "Date", "List-Unsubscribe", "List-Unsubscribe-Post")


class EmailBackend(console.EmailBackend):
    def __init__(self, *args, folder=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.folder = Path(folder or Path(settings.BASE_DIR) / "var" / "mail")

    def write_message(self, message):
        msg = message.message()
        for name in SHOWN_HEADERS:
            if msg[name]:
                self.stream.write(f"{name}: {msg[name]}\n")
        for part in msg.walk():
            if part.is_multipart():
                continue
            kind = part.get_content_type()
            content = part.get_content()
            if kind == "text/plain":
                self.stream.write(f"\n{content}\n")
            elif kind == "text/html":
                size, path = len(content.encode()), self.save(content)
                self.stream.write(f"\n[HTML part, {size:,} bytes, saved as {path}]\n")
            else:
                self.stream.write(f"\n[{kind} part]\n")
        self.stream.write("-" * 79 + "\n")

    def save(self, html):
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{timezone.now():%Y%m%d-%H%M%S-%f}.html"
        path.write_text(html, encoding="utf-8")
        return path
