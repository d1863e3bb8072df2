"""Checking and cleaning uploaded photos of signed paper forms (visit forms, consent forms).

An upload is accepted only if Pillow decodes it as a JPEG, PNG or WebP image within the size
and pixel caps. It is then re-encoded: what is stored is pixels we produced, so a file that is
"also" something else (an image with HTML or a script appended, a polyglot) loses the rest,
and the EXIF block (GPS position of the child's home, phone model) is dropped.
"""

import io
import secrets
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

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
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                image_format = probe.format
                if image_format not in FORMATS:
                    raise refuse_format()
                if probe.width * probe.height > MAX_PIXELS:
                    raise ValidationError(_("图片像素过大，请缩小后再上传。"), code="pixels")
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
                image.thumbnail((MAX_SIDE, MAX_SIDE))
                return _encode(image, image_format)
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
        raise refuse_format() from exc


def _encode(image: Image.Image, image_format: str) -> CleanImage:
    content_type, extension = FORMATS[image_format]
    out = io.BytesIO()
    if image_format == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=88, optimize=True)
    elif image_format == "PNG":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=85)
    return CleanImage(out.getvalue(), content_type, extension)
