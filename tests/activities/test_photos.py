"""Photo upload: images only (checked by Pillow), at most 5 MB, re-encoded without metadata,
thumbnails made, served only through the scoped view and never cached."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from activities import services
from activities.models import ActivityPhoto
from activities.photos import MAX_PHOTO_BYTES, THUMBNAIL_SIDE
from tests.activities.conftest import image_bytes, make_activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(longsheng_supervisor):
    return make_activity(longsheng_supervisor)


def upload(client, activity, *files, caption=""):
    return client.post(
        reverse("activities:photo_upload", args=[activity.pk]),
        {"photos": list(files), "caption": caption},
    )


def test_upload_of_a_non_image_is_refused_with_a_message(
    client_for, longsheng_supervisor, activity
):
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    response = upload(client_for(longsheng_supervisor), activity, fake)
    assert response.status_code == 200
    content = response.content.decode()
    assert "不是有效的图片" in content and "JPEG、PNG 或 WebP" in content
    assert not ActivityPhoto.objects.exists()


def test_upload_of_an_oversized_file_is_refused_with_a_message(
    client_for, longsheng_supervisor, activity
):
    big = SimpleUploadedFile(
        "big.png", image_bytes() + b"\0" * MAX_PHOTO_BYTES, content_type="image/png"
    )
    response = upload(client_for(longsheng_supervisor), activity, big)
    assert response.status_code == 200
    assert "每张照片不能超过 5 MB" in response.content.decode()
    assert not ActivityPhoto.objects.exists()


def test_a_gif_is_refused_even_though_it_is_an_image(longsheng_supervisor, activity):
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "GIF")
    with pytest.raises(ValidationError) as exc:
        services.activity_photos_add(
            actor=longsheng_supervisor, activity=activity, files=[("a.gif", buffer.getvalue())]
        )
    assert "不是有效的图片" in exc.value.messages[0]


def test_one_bad_file_writes_none_of_the_batch(client_for, longsheng_supervisor, activity):
    good = SimpleUploadedFile("good.png", image_bytes(), content_type="image/png")
    bad = SimpleUploadedFile("bad.jpg", b"GIF89a....", content_type="image/jpeg")
    response = upload(client_for(longsheng_supervisor), activity, good, bad)
    assert "「bad.jpg」不是有效的图片" in response.content.decode()
    assert not ActivityPhoto.objects.exists()


@pytest.mark.parametrize(("fmt", "content_type"), [("JPEG", "image/jpeg"), ("WEBP", "image/webp")])
def test_valid_photos_are_stored_with_thumbnails_and_random_names(
    client_for, longsheng_supervisor, activity, fmt, content_type
):
    data = image_bytes(fmt, size=(1200, 900))
    response = upload(
        client_for(longsheng_supervisor),
        activity,
        SimpleUploadedFile("张小花家.jpg", data, content_type="application/octet-stream"),
        caption="游园会",
    )
    assert response.status_code == 302
    photo = ActivityPhoto.objects.get()
    assert photo.content_type == content_type
    assert photo.image.name.startswith("activities/") and "张小花" not in photo.image.name
    assert photo.thumbnail.name.startswith("activities/thumbs/")
    with Image.open(photo.thumbnail.open("rb")) as thumb:
        assert max(thumb.size) == THUMBNAIL_SIDE
    assert photo.caption == "游园会"


def test_location_metadata_is_removed(longsheng_supervisor, activity):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (25.0, 47.0, 0.0)}  # GPS IFD
    data = image_bytes("JPEG", exif=exif.tobytes())
    [photo] = services.activity_photos_add(
        actor=longsheng_supervisor, activity=activity, files=[("a.jpg", data)]
    )
    stored = photo.image.open("rb").read()
    assert b"PhoneMaker" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif()


def test_photos_are_served_only_through_the_scoped_view_and_never_cached(
    client_for, longsheng_supervisor, shandong_director, pingdeng_supervisor, activity
):
    [photo] = services.activity_photos_add(
        actor=longsheng_supervisor, activity=activity, files=[("a.png", image_bytes())]
    )
    for name in ("activities:photo", "activities:photo_thumb"):
        url = reverse(name, args=[photo.pk])
        response = client_for(shandong_director).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert "no-store" in response["Cache-Control"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
        assert client_for(pingdeng_supervisor).get(url).status_code == 404


def test_the_detail_page_shows_thumbnails(client_for, longsheng_supervisor, activity):
    [photo] = services.activity_photos_add(
        actor=longsheng_supervisor, activity=activity, files=[("a.png", image_bytes())]
    )
    content = client_for(longsheng_supervisor).get(activity.get_absolute_url()).content.decode()
    assert reverse("activities:photo_thumb", args=[photo.pk]) in content
