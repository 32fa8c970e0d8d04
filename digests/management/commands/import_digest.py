"""Import plain-text (or JSON) briefings as digests, one transaction per file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from digests.importing import ImportRefused, import_file
from digests.workflow import WorkflowError


class Command(BaseCommand):
    help = (
        "Import briefings written in the plain-text format (docs/briefing-format.md), or "
        "their JSON form (*.json). Each file becomes one digest, a draft unless --publish."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument(
            "--publish", action="store_true", help="Publish each imported digest at once."
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace the draft of a day that already has one (never a published digest).",
        )

    def handle(self, *args, files, publish, replace, **options):
        failures, imported = [], []
        progress = tqdm(
            files,
            unit="file",
            disable=len(files) < 2,
            file=self.stderr._out,
            dynamic_ncols=True,
        )
        for path in progress:
            progress.set_postfix_str(path.name)
            try:
                digest = import_file(path, replace=replace, publish=publish)
            except (OSError, ImportRefused, ValueError, WorkflowError) as error:
                failures.append(f"{path}: {error}")
                progress.write(self.style.ERROR(f"{path}: {error}"), file=self.stderr._out)
                continue
            imported.append(digest)
            progress.write(
                f"{path}: {digest.date.isoformat()} — {digest.items.count()} items, "
                f"{digest.get_status_display()}",
                file=self.stdout._out,
            )
        if len(files) > 1:
            self.stdout.write(
                f"{len(imported)} of {len(files)} files imported, {len(failures)} refused."
            )
        if failures:
            raise CommandError(
                failures[0] if len(failures) == 1 else f"{len(failures)} files were refused."
            )
