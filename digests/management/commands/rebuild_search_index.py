"""Rewrite items' search tokens: after a jieba upgrade, a terms.txt edit or a restore."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from digests.search import rebuild, tokenizer_version


class Command(BaseCommand):
    help = (
        "Rewrite the search tokens of every item, or with --stale-only of the items a "
        "different tokenizer (jieba version, Newsroom's algorithm or search terms) wrote."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale-only",
            action="store_true",
            help="Only items whose tokens are not from the current tokenizer.",
        )

    def handle(self, *args, stale_only, **options):
        with tqdm(unit="item", file=self.stderr._out, dynamic_ncols=True) as bar:

            def progress(done, total):
                bar.total = total
                bar.update(done - bar.n)

            count = rebuild(stale_only=stale_only, progress=progress)
        self.stdout.write(f"{count} items reindexed; tokenizer version {tokenizer_version()}.")
