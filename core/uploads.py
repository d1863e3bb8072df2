"""A budget for each upload request, over all its files together.

Each app caps one file (5 MB, 40 megapixels), but a request may carry many: nine 6300×6300
photos in one visit form took a worker 11.5 s and 470 MB. This middleware refuses, with a
Chinese page saying why, a multipart request

- whose body is larger than ``UPLOAD_REQUEST_MAX_BYTES``, from its Content-Length alone,
  before anything reads the body (Django never reads past Content-Length);
- whose images add up to more than ``UPLOAD_REQUEST_MAX_PIXELS``, from each image's header
  (core.images.probe), before any of them is decoded by a view.

Files that are not images (a ledger workbook) count for bytes only.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _

from core import images

MEGABYTE = 1024 * 1024


def _is_multipart(request) -> bool:
    return request.method in ("POST", "PUT", "PATCH") and request.content_type == (
        "multipart/form-data"
    )


def _refuse(request, message: str):
    return render(request, "413.html", {"message": message, "back": request.path}, status=413)


def request_pixels(files) -> int:
    """The pixels of every image among ``files`` (a MultiValueDict), read from headers."""
    total = 0
    for upload in (item for key in files for item in files.getlist(key)):
        try:
            upload.seek(0)
            total += images.probe(upload).pixels
        except images.ImageRefused as exc:
            if exc.code == "pixels":  # too large for Pillow even to open: over any budget
                return settings.UPLOAD_REQUEST_MAX_PIXELS + 1
        finally:
            upload.seek(0)
    return total


class UploadBudgetMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _is_multipart(request):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = settings.UPLOAD_REQUEST_MAX_BYTES
            if length > limit:
                return _refuse(
                    request,
                    _(
                        "本次上传的文件共 %(size).1f MB，超过了每次上传 %(max)d MB 的上限。"
                        "请分几次上传，或先把照片缩小后再上传。"
                    )
                    % {"size": length / MEGABYTE, "max": limit // MEGABYTE},
                )
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not _is_multipart(request) or not request.FILES:
            return None
        limit = settings.UPLOAD_REQUEST_MAX_PIXELS
        pixels = request_pixels(request.FILES)
        if pixels > limit:
            return _refuse(
                request,
                _(
                    "本次上传的图片共约 %(pixels)s 百万像素，超过了每次上传 %(max)s 百万像素的"
                    "上限。请分几次上传，或先把照片缩小（如手机相册的“中等尺寸”）后再上传。"
                )
                % {"pixels": f"{pixels / 1e6:.1f}", "max": f"{limit / 1e6:g}"},
            )
        return None
