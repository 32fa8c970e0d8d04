"""Load the demo briefings as published digests and create demo accounts (development only)."""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from digests.briefing import BriefingError, parse_text
from digests.demo import demo_files
from digests.demo.sources import register_sources
from digests.importing import import_briefing
from digests.models import Digest
from digests.roles import DEMO_ACCOUNTS, assign_role


class Command(BaseCommand):
    help = (
        "Load Newsroom's demo briefings as published digests and create the demo editor, "
        "reviewer and admin accounts. Development only; running it again keeps existing data."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even with DEBUG off (never on a public site: the passwords are printed).",
        )

    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError("load_demo is for development (DEBUG=1) only.")
        register_sources()  # their kinds and primary flags, for the registry and its check
        self.load_briefings()
        self.create_accounts()

    def load_briefings(self):
        existing = set(Digest.objects.values_list("date", flat=True))
        loaded = 0
        for path in demo_files():
            try:
                briefing = parse_text(path.read_bytes())
            except BriefingError as error:
                raise CommandError(f"{path.name}: {error}") from None
            if briefing.date in existing:
                continue
            import_briefing(briefing, publish=True)
            loaded += 1
        self.stdout.write(
            f"Demo briefings: {loaded} loaded, {len(existing)} days already present."
        )

    def create_accounts(self):
        User = get_user_model()
        created = []
        for username, role in DEMO_ACCOUNTS:
            if User.objects.filter(username=username).exists():
                continue
            password = secrets.token_urlsafe(9)
            user = User.objects.create_user(
                username=username,
                email=f"{username}@newsroom.localhost",
                password=password,
                is_staff=True,
                is_superuser=role == "admin",
            )
            assign_role(user, role)
            created.append((username, role, password))
        accounts_file = Path(settings.NEWSROOM_DEMO_ACCOUNTS_FILE)
        shown = (
            accounts_file.relative_to(settings.BASE_DIR)
            if accounts_file.is_relative_to(settings.BASE_DIR)
            else accounts_file
        )
        if created:
            lines = {name: f"{name:10} {role:9} {password}" for name, role, password in created}
            self.remember(accounts_file, lines)
            self.stdout.write(self.style.SUCCESS("Demo accounts (development only, shown once):"))
            for line in lines.values():
                self.stdout.write(f"  {line}")
            self.stdout.write(f"  (also kept in {shown})")
        else:
            self.stdout.write(f"Demo accounts already exist; their passwords are in {shown}.")

    def remember(self, accounts_file, lines):
        """Keep the passwords in a local file, replacing the lines of re-created accounts."""
        kept = {}
        if accounts_file.exists():
            for line in accounts_file.read_text(encoding="utf-8").splitlines():
                if line.split():
                    kept[line.split()[0]] = line
        kept.update(lines)
        accounts_file.parent.mkdir(parents=True, exist_ok=True)
        accounts_file.write_text("\n".join(kept.values()) + "\n", encoding="utf-8")
