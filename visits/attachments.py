"""Photos of signed visit forms: checked and re-encoded by the shared cleaner
(core/images.py, also used for consent forms); how many a visit may hold is this app's."""

from core.images import FORMATS, MAX_ATTACHMENT_BYTES, CleanImage, clean_image

MAX_ATTACHMENTS_PER_VISIT = 10

__all__ = [
    "FORMATS",
    "MAX_ATTACHMENTS_PER_VISIT",
    "MAX_ATTACHMENT_BYTES",
    "CleanImage",
    "clean_image",
]
