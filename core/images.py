"""Uploaded images: read within bounds, stored without metadata.

One way for every app that keeps a picture (visit attachments, consent forms, activity
photos):

- ``probe`` reads only the header (format and dimensions), so that the pixel caps, per file
  and per request (core/uploads.py), are checked before anything is decoded;
- ``decode`` checks the format and the pixel cap, verifies the file's structure, then decodes
  it, a large JPEG straight at a reduced scale (``draft``) when only a smaller copy is kept;
- ``encode_clean`` writes pixels we produced and nothing else: no EXIF (a phone writes the
  GPS position, often a child's home), no XMP, no JPEG comment, no ICC profile (the colours
  are converted to sRGB first), no bytes appended after the image.

The apps word the refusals (``ImageRefused.code`` says which one); ``clean_image`` does it
for photos of signed paper forms (visit forms, consent forms), in Chinese.
"""

from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
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


# --- photos of signed paper forms (visit forms, consent forms) ---------------------------------
#
# An upload is accepted only if Pillow decodes it as a JPEG, PNG or WebP image within the size
# and pixel caps. It is then re-encoded: what is stored is pixels we produced, so a file that is
# "also" something else (an image with HTML or a script appended, a polyglot) loses the rest,
# and every metadata block is dropped.

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
# Beyond ~40 megapixels a "photo" of a paper form is either a decompression bomb or needlessly
# large; the longest side is reduced to MAX_SIDE when stored (still readable when zoomed).
MAX_PIXELS = 40_000_000
MAX_SIDE = 3000

FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    content_type: str
    extension: str

    def random_name(self) -> str:
        # Never the uploaded name: it may carry the child's name and is not ours to trust.
        return f"{secrets.token_hex(16)}.{self.extension}"


def refuse_format() -> ValidationError:
    return ValidationError(_("只能上传 JPEG、PNG 或 WebP 格式的图片。"), code="format")


def refuse_size() -> ValidationError:
    megabytes = MAX_ATTACHMENT_BYTES // 1024 // 1024
    return ValidationError(
        _("文件过大：每张图片不能超过 %(mb)d MB。") % {"mb": megabytes}, code="size"
    )


def clean_image(upload) -> CleanImage:
    """Check an uploaded file and return the re-encoded image, or raise ValidationError
    with a Chinese message."""
    size = getattr(upload, "size", None)
    if size is None or size > MAX_ATTACHMENT_BYTES:
        raise refuse_size()
    if size == 0:
        raise refuse_format()
    upload.seek(0)
    data = upload.read(MAX_ATTACHMENT_BYTES + 1)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise refuse_size()
    try:
        image, image_format = decode(data, max_pixels=MAX_PIXELS, max_side=MAX_SIDE)
    except ImageRefused as exc:
        if exc.code == "pixels":
            raise ValidationError(_("图片像素过大，请缩小后再上传。"), code="pixels") from exc
        raise refuse_format() from exc
    return _encode_form(image, image_format)


def _encode_form(image, image_format: str) -> CleanImage:
    content_type, extension = FORMATS[image_format]
    return CleanImage(encode_clean(image, image_format, quality=88), content_type, extension)
