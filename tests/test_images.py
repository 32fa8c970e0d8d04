"""Pictures on digests and items: uploaded once, then saved again and again (issue 8, point 1)."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from digests.models import Digest
from tests import factories
from tests.formdata import form_data

pytestmark = pytest.mark.django_db
S = Digest.Status


def png(width=640, height=480):
    buffer = BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(buffer, "PNG")
    return SimpleUploadedFile("picture.png", buffer.getvalue(), "image/png")


def change_url(digest):
    return reverse("admin:digests_digest_change", args=[digest.pk])


@pytest.mark.parametrize("field", ["items-0-image", "cover_image"])
def test_saving_again_after_an_upload_keeps_the_edits(client, editor, field):
    client.force_login(editor)
    draft = factories.full_digest(status=S.DRAFT)
    url = change_url(draft)
    data = form_data(client.get(url).content, form_id="digest_form")
    data[field] = png()
    data["_continue"] = "1"
    assert client.post(url, data).status_code == 302

    # 保存并继续编辑 again: the form as re-rendered, with the stored picture and a new edit.
    data = form_data(client.get(url).content, form_id="digest_form")
    data["items-0-title"] = "第二次保存的标题"
    data["_continue"] = "1"
    response = client.post(url, data)
    assert response.status_code == 302
    item = draft.items.order_by("position").first()
    assert item.title == "第二次保存的标题"
    draft.refresh_from_db()
    picture = item.image if field.startswith("items") else draft.cover_image
    assert picture and picture.width == 640


def test_a_stored_picture_is_validated_without_reading_a_closed_file(editor):
    """The validator accepts a picture already in storage, opened or not."""
    from digests.validators import validate_image

    draft = factories.full_digest(status=S.DRAFT)
    item = draft.items.first()
    item.image.save("picture.png", png(), save=True)
    item.image.close()
    stored = type(item).objects.get(pk=item.pk).image
    validate_image(stored)  # no ValueError: seek of closed file
    stored.open("rb")
    stored.close()
    validate_image(stored)


def test_a_fake_picture_is_still_refused():
    from django.core.exceptions import ValidationError

    from digests.validators import validate_image

    with pytest.raises(ValidationError):
        validate_image(SimpleUploadedFile("x.png", b"not a picture"))
