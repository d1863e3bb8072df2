"""Photos of signed visit forms: images only, size-capped, random names, scoped serving."""

import datetime as dt
import io
import os

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.visits.conftest import image_upload, record, visit_data
from visits import services
from visits.attachments import MAX_ATTACHMENT_BYTES
from visits.models import Visit, VisitAttachment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(dt.datetime(2026, 6, 3, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def visit(shandong_director, shandong_child):
    return record(shandong_director, shandong_child, dt.date(2026, 6, 1))


def test_a_jpeg_is_stored_under_a_random_name(shandong_director, visit):
    attachment = services.attachment_add(
        actor=shandong_director, visit=visit, upload=image_upload("张小花家访表.jpg")
    )
    assert attachment.file.name.startswith("visits/")
    assert "张小花" not in attachment.file.name
    assert attachment.content_type == "image/jpeg"
    assert os.path.exists(os.path.join(settings.MEDIA_ROOT, attachment.file.name))


@pytest.mark.parametrize(("fmt", "content_type"), [("PNG", "image/png"), ("WEBP", "image/webp")])
def test_png_and_webp_are_accepted(shandong_director, visit, fmt, content_type):
    attachment = services.attachment_add(
        actor=shandong_director, visit=visit, upload=image_upload("f.img", fmt=fmt)
    )
    assert attachment.content_type == content_type


def test_a_non_image_is_refused_in_chinese(shandong_director, visit):
    fake = SimpleUploadedFile("form.jpg", b"<html><script>alert(1)</script>", "image/jpeg")
    with pytest.raises(ValidationError) as excinfo:
        services.attachment_add(actor=shandong_director, visit=visit, upload=fake)
    assert excinfo.value.message_dict["attachments"] == ["只能上传 JPEG、PNG 或 WebP 格式的图片。"]
    assert not VisitAttachment.objects.exists()


def test_a_gif_is_refused(shandong_director, visit):
    with pytest.raises(ValidationError):
        services.attachment_add(
            actor=shandong_director, visit=visit, upload=image_upload("a.gif", fmt="GIF")
        )


def test_an_oversized_file_is_refused_in_chinese(shandong_director, visit):
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * MAX_ATTACHMENT_BYTES, "image/jpeg")
    with pytest.raises(ValidationError) as excinfo:
        services.attachment_add(actor=shandong_director, visit=visit, upload=big)
    assert "文件过大" in excinfo.value.message_dict["attachments"][0]
    assert not VisitAttachment.objects.exists()


def test_bytes_appended_to_an_image_are_not_stored(shandong_director, visit):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, "PNG")
    polyglot = buffer.getvalue() + b"<script>alert(1)</script>"
    attachment = services.attachment_add(
        actor=shandong_director,
        visit=visit,
        upload=SimpleUploadedFile("x.png", polyglot, "image/png"),
    )
    with attachment.file.open("rb") as stored:
        assert b"<script>" not in stored.read()


def _stored_files() -> set[str]:
    folder = os.path.join(settings.MEDIA_ROOT, "visits")
    return set(os.listdir(folder)) if os.path.isdir(folder) else set()


def test_a_bad_file_among_good_ones_writes_nothing(shandong_director, shandong_child):
    fake = SimpleUploadedFile("b.jpg", b"not an image", "image/jpeg")
    before = _stored_files()
    with pytest.raises(ValidationError):
        services.visit_record(
            actor=shandong_director,
            child=shandong_child,
            data=visit_data(),
            attachments=[image_upload(), fake],
        )
    assert _stored_files() == before
    assert not VisitAttachment.objects.exists()
    assert not Visit.objects.exists()


def test_the_attachment_is_served_only_in_scope_and_never_cached(
    shandong_director, visit, client_for, pingdeng_supervisor, nanmen_director
):
    attachment = services.attachment_add(
        actor=shandong_director, visit=visit, upload=image_upload()
    )
    url = f"/visits/attachments/{attachment.pk}/"
    response = client_for(shandong_director).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client_for(pingdeng_supervisor).get(url).status_code == 404
    assert client_for(nanmen_director).get(url).status_code == 404


def test_upload_through_the_page_shows_the_chinese_refusal(shandong_director, visit, client_for):
    client = client_for(shandong_director)
    fake = SimpleUploadedFile("form.png", b"GIF89a-not-really", "image/png")
    response = client.post(f"/visits/{visit.pk}/attachments/", {"file": fake}, follow=True)
    assert "只能上传 JPEG、PNG 或 WebP 格式的图片。" in response.content.decode()
    assert not VisitAttachment.objects.exists()


def test_removing_an_attachment_deletes_the_file(
    shandong_director, visit, client_for, django_capture_on_commit_callbacks
):
    attachment = services.attachment_add(
        actor=shandong_director, visit=visit, upload=image_upload()
    )
    path = os.path.join(settings.MEDIA_ROOT, attachment.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(shandong_director).post(
            f"/visits/attachments/{attachment.pk}/delete/"
        )
    assert response.status_code == 302
    assert not VisitAttachment.objects.exists()
    assert not os.path.exists(path)


def test_stored_attachment_bytes_hold_no_exif_xmp_or_comment(shandong_director, visit):
    from tests.core.test_images import SECRET, metadata_rich

    data = metadata_rich("JPEG")
    upload = SimpleUploadedFile("scan.jpg", data, content_type="image/jpeg")
    attachment = services.attachment_add(actor=shandong_director, visit=visit, upload=upload)
    stored = attachment.file.open("rb").read()
    assert SECRET not in stored and b"PhoneMaker" not in stored and b"xmpmeta" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert "comment" not in image.info and not image.getexif()
