"""Uploaded images: read within bounds, stored without metadata.

One way for every app that keeps a picture (visit attachments, activity photos):

- ``probe`` reads only the header (format and dimensions), so that the pixel caps, per file
  and per request (core/uploads.py), are checked before anything is decoded;
- ``decode`` checks the format and the pixel cap, verifies the file's structure, then decodes
  it, a large JPEG straight at a reduced scale (``draft``) when only a smaller copy is kept;
- ``encode_clean`` writes pixels we produced and nothing else: no EXIF (a phone writes the
  GPS position, often a child's home), no XMP, no JPEG comment, no ICC profile (the colours
  are converted to sRGB first), no bytes appended after the image.

The apps word the refusals (``ImageRefused.code`` says which one).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# Never decode anything larger than this, whatever an app allows (Pillow refuses twice this
# outright and warns above it; the warning is turned into a refusal in ``decode``).
Image.MAX_IMAGE_PIXELS = 50_000_000

# What a re-encoded image may keep of the source's info: PNG palette transparency.
_KEPT_INFO = ("transparency",)
_DECODE_ERRORS = (
    UnidentifiedImageError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
    OSError,
    SyntaxError,
    ValueError,
)


class ImageRefused(Exception):
    """``code``: "format" (not a JPEG/PNG/WebP image Pillow can read) or "pixels"."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Probe:
    format: str
    width: int
    height: int

    @property
    def pixels(self) -> int:
        return self.width * self.height


def probe(data) -> Probe:
    """Format and size from the header only; nothing is decoded. ``data``: bytes or a
    binary file (an UploadedFile), read from its current position."""
    source = data if hasattr(data, "read") else io.BytesIO(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as image:
                fmt = image.format
                width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRefused("pixels") from exc
    except _DECODE_ERRORS as exc:
        raise ImageRefused("format") from exc
    if fmt not in ALLOWED_FORMATS:
        raise ImageRefused("format")
    return Probe(fmt, width, height)


def decode(data: bytes, *, max_pixels: int, max_side: int | None = None) -> tuple[Image.Image, str]:
    """The decoded, upright image and its format. Raises ImageRefused."""
    header = probe(data)
    if header.pixels > max_pixels:
        raise ImageRefused("pixels")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as checked:
                checked.verify()  # structure and checksums; the image must be reopened after
            with Image.open(io.BytesIO(data)) as opened:
                if max_side and header.format == "JPEG":
                    # Decode at 1/2, 1/4 or 1/8 scale when that still covers max_side.
                    opened.draft(opened.mode, (max_side, max_side))
                opened.load()
                image = ImageOps.exif_transpose(opened)
    except _DECODE_ERRORS as exc:
        raise ImageRefused("format") from exc
    if max_side:
        image.thumbnail((max_side, max_side))
    return image, header.format


def _to_srgb(image: Image.Image) -> Image.Image:
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA", "L", "LA"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"))
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # an unreadable profile is dropped; the pixels stay as they are
    return converted or image


def encode_clean(image: Image.Image, fmt: str, *, quality: int = 85) -> bytes:
    """``image`` re-encoded as ``fmt`` with no metadata at all."""
    image = _to_srgb(image)
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    if fmt == "PNG" and image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
    kept = {key: image.info[key] for key in _KEPT_INFO if key in image.info}
    image.info = kept  # EXIF, XMP, comment, ICC, text chunks: none is written
    if hasattr(image, "_exif"):
        image._exif = None
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.save(buffer, "JPEG", quality=quality, optimize=True)
    elif fmt == "WEBP":
        image.save(buffer, "WEBP", quality=quality)
    else:
        image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
