"""core.images: one way to read an upload within bounds and store it without metadata."""

import io

import pytest
from PIL import Image, ImageCms, ImageFile

from core import images

SECRET = b"GPS 25.47N 110.0E home of the child"


def metadata_rich(fmt: str, size=(64, 48)) -> bytes:
    """An image carrying every kind of metadata a camera app may write."""
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (25.0, 47.0, 0.0)}  # GPS IFD
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">' + SECRET + b"</x:xmpmeta>"
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    options = {"exif": exif.tobytes(), "xmp": xmp, "icc_profile": icc}
    if fmt == "JPEG":
        options["comment"] = SECRET
    if fmt == "PNG":
        from PIL import PngImagePlugin

        text = PngImagePlugin.PngInfo()
        text.add_text("Comment", SECRET.decode())
        options["pnginfo"] = text
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_the_stored_bytes_hold_no_exif_xmp_comment_or_icc(fmt):
    data = metadata_rich(fmt)
    assert SECRET in data or b"PhoneMaker" in data  # the source really carries it
    image, detected = images.decode(data, max_pixels=10_000)
    stored = images.encode_clean(image, detected)
    assert SECRET not in stored and b"PhoneMaker" not in stored
    assert b"xmpmeta" not in stored and b"Exif" not in stored
    with Image.open(io.BytesIO(stored)) as reopened:
        assert reopened.format == fmt
        assert not reopened.getexif()
        for key in ("exif", "xmp", "XML:com.adobe.xmp", "comment", "icc_profile", "Comment"):
            assert key not in reopened.info, key


def test_the_pixel_cap_is_checked_from_the_header_before_decoding(monkeypatch):
    data = metadata_rich("PNG", size=(200, 200))
    loaded = []
    original = ImageFile.ImageFile.load
    monkeypatch.setattr(
        ImageFile.ImageFile, "load", lambda self: loaded.append(self) or original(self)
    )
    with pytest.raises(images.ImageRefused) as refused:
        images.decode(data, max_pixels=200 * 200 - 1)
    assert refused.value.code == "pixels"
    assert loaded == []  # refused on the header alone
    images.decode(data, max_pixels=200 * 200)
    assert loaded  # (and decoding does go through the patched method)


def test_probe_reads_the_header_only():
    header = images.probe(metadata_rich("JPEG", size=(300, 20)))
    assert (header.format, header.width, header.height, header.pixels) == ("JPEG", 300, 20, 6000)


@pytest.mark.parametrize("data", [b"", b"not an image", b"GIF89a" + b"\0" * 40])
def test_anything_else_is_refused_as_a_format(data):
    with pytest.raises(images.ImageRefused) as refused:
        images.decode(data, max_pixels=10_000)
    assert refused.value.code == "format"


def test_a_large_jpeg_is_decoded_at_a_reduced_scale():
    buffer = io.BytesIO()
    Image.new("RGB", (2000, 1000), "white").save(buffer, "JPEG")
    image, _fmt = images.decode(buffer.getvalue(), max_pixels=10_000_000, max_side=400)
    assert max(image.size) == 400
