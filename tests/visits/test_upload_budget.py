"""The budget of one upload request over all its files (core/uploads.py), on the visit form's
attachment upload: refused before any image is decoded, with a Chinese page saying why."""

import datetime as dt

import pytest
import time_machine
from django.test import override_settings
from PIL import ImageFile

from tests.visits.conftest import image_upload, record
from visits.models import VisitAttachment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(dt.datetime(2026, 6, 3, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def url(shandong_director, shandong_child):
    visit = record(shandong_director, shandong_child, dt.date(2026, 6, 1))
    return f"/visits/{visit.pk}/attachments/"


@override_settings(UPLOAD_REQUEST_MAX_PIXELS=10_000)
def test_images_over_the_request_pixel_budget_are_refused_before_decoding(
    shandong_director, client_for, url, monkeypatch
):
    files = [image_upload(f"p{i}.jpg", size=(80, 50)) for i in range(3)]  # 3 × 4,000 px
    decoded = []
    original = ImageFile.ImageFile.load
    monkeypatch.setattr(
        ImageFile.ImageFile, "load", lambda self: decoded.append(1) or original(self)
    )
    response = client_for(shandong_director).post(url, {"file": files})
    assert response.status_code == 413
    text = response.content.decode()
    assert "共约 0.0 百万像素，超过了每次上传 0.01 百万像素的上限" in text
    assert "请分几次上传" in text
    assert decoded == []  # headers only
    assert not VisitAttachment.objects.exists()


@override_settings(UPLOAD_REQUEST_MAX_PIXELS=10_000)
def test_images_within_the_budget_pass(shandong_director, client_for, url):
    response = client_for(shandong_director).post(url, {"file": image_upload(size=(80, 50))})
    assert response.status_code in (200, 302)
    assert VisitAttachment.objects.count() == 1


@override_settings(UPLOAD_REQUEST_MAX_BYTES=2048)
def test_a_request_over_the_byte_budget_is_refused_from_its_content_length(
    shandong_director, client_for, url
):
    big = image_upload(size=(400, 400))
    response = client_for(shandong_director).post(url, {"file": big})
    assert response.status_code == 413
    text = response.content.decode()
    assert "MB 的上限" in text and "请分几次上传" in text
    assert not VisitAttachment.objects.exists()
