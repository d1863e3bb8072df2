"""Checking and re-encoding uploaded activity photos with Pillow.

An upload is trusted for nothing: its name and declared content type are ignored, Pillow
decides what it is. Only JPEG, PNG and WebP are kept. The photo is re-encoded, which drops
EXIF metadata (phones write the GPS position of the place, often a child's home) and any
bytes appended to the image, and a thumbnail is made at the same time.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000  # a 40-megapixel phone photo; anything larger is refused
MAX_STORED_SIDE = 2560  # originals are scaled down to this on the long side
THUMBNAIL_SIDE = 320
ALLOWED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
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


METADATA_KEYS = ("exif", "xmp", "XML:com.adobe.xmp", "comment")


def _encode(image: Image.Image, fmt: str) -> bytes:
    for key in METADATA_KEYS:
        image.info.pop(key, None)
    buffer = io.BytesIO()
    if fmt == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(buffer, "JPEG", quality=85, optimize=True)
    elif fmt == "WEBP":
        image.save(buffer, "WEBP", quality=85)
    else:
        image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def process_photo(name: str, data: bytes) -> ProcessedPhoto:
    """Verify ``data`` is a JPEG/PNG/WebP image and return it re-encoded with a thumbnail."""
    check_size(name, len(data))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format
                if fmt not in ALLOWED_FORMATS:
                    raise _not_an_image(name)
                if probe.width * probe.height > MAX_PHOTO_PIXELS:
                    raise ValidationError(
                        _("「%(name)s」像素过大，请缩小后再上传。") % {"name": name},
                        code="too_many_pixels",
                    )
                probe.verify()  # structure and checksums; the image must be reopened after
            with Image.open(io.BytesIO(data)) as opened:
                opened.load()
                image = ImageOps.exif_transpose(opened)
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ) as exc:
        raise _not_an_image(name) from exc
    if fmt == "PNG" and image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
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
