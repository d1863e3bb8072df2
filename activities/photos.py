"""Checking and re-encoding uploaded activity photos with Pillow.

An upload is trusted for nothing: its name and declared content type are ignored, Pillow
decides what it is. Only JPEG, PNG and WebP are kept. The photo is re-encoded by
``core.images`` (shared with the visit attachments), which drops every metadata block (EXIF:
phones write the GPS position of the place, often a child's home; XMP; comments; ICC) and
any bytes appended to the image, and a thumbnail is made at the same time.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import images

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000  # a 40-megapixel phone photo; anything larger is refused
MAX_STORED_SIDE = 2560  # originals are scaled down to this on the long side
THUMBNAIL_SIDE = 320
ALLOWED_FORMATS = images.ALLOWED_FORMATS
SUFFIXES = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}


@dataclass(frozen=True)
class ProcessedPhoto:
    image: bytes
    thumbnail: bytes
    format: str
    content_type: str
    suffix: str
    width: int
    height: int


def _not_an_image(name: str) -> ValidationError:
    return ValidationError(
        _("「%(name)s」不是有效的图片，只能上传 JPEG、PNG 或 WebP 格式的照片。") % {"name": name},
        code="not_image",
    )


def check_size(name: str, size: int) -> None:
    if size > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("「%(name)s」过大（%(size).1f MB），每张照片不能超过 5 MB。")
            % {"name": name, "size": size / 1024 / 1024},
            code="too_large",
        )
    if size == 0:
        raise _not_an_image(name)


def _encode(image, fmt: str) -> bytes:
    return images.encode_clean(image, fmt, quality=85)


def process_photo(name: str, data: bytes) -> ProcessedPhoto:
    """Verify ``data`` is a JPEG/PNG/WebP image and return it re-encoded with a thumbnail."""
    check_size(name, len(data))
    try:
        image, fmt = images.decode(data, max_pixels=MAX_PHOTO_PIXELS, max_side=MAX_STORED_SIDE)
    except images.ImageRefused as exc:
        if exc.code == "pixels":
            raise ValidationError(
                _("「%(name)s」像素过大，请缩小后再上传。") % {"name": name},
                code="too_many_pixels",
            ) from exc
        raise _not_an_image(name) from exc
    image.thumbnail((MAX_STORED_SIDE, MAX_STORED_SIDE))
    stored = _encode(image, fmt)
    thumb = image.copy()
    thumb.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    return ProcessedPhoto(
        image=stored,
        thumbnail=_encode(thumb, fmt),
        format=fmt,
        content_type=ALLOWED_FORMATS[fmt],
        suffix=SUFFIXES[fmt],
        width=image.width,
        height=image.height,
    )
