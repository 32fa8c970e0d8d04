"""Write the resized renditions of every uploaded picture that lacks them."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from digests import images
from digests.models import Digest, Item


class Command(BaseCommand):
    help = "Create the missing WebP renditions of item pictures and digest covers."

    def handle(self, *args, **options):
        pictures = [item.image for item in Item.objects.exclude(image="").only("image")]
        pictures += [
            d.cover_image for d in Digest.objects.exclude(cover_image="").only("cover_image")
        ]
        written = 0
        for picture in tqdm(pictures, unit="picture", file=self.stderr._out):
            written += len(images.make_renditions(picture))
        self.stdout.write(f"{written} renditions written for {len(pictures)} pictures.")
