"""What a person may read of a child's identity: the one place that decides how the ID number,
the phones and the birth date are shown (docs/architecture.md, "Masking that holds").

An 18-character ID number is area (6) + birth date (8) + sequence (3) + check (1): a mask is
only as good as what stands beside it. Without the reveal right (``children.reveal_id``) a
person sees the last 4 characters of an ID, the middle of a phone hidden, and the child's age
instead of the birth date: on pages, in history entries and in exports alike. Full values are
shown only on purpose (the reveal button, the edit form of someone with the right, an export
with "完整身份证号"), and each such read is written to the access log.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.audit import AccessAction, log_access
from core.validators import mask_id_number, mask_phone, years_between

REVEAL_PERMISSION = "children.reveal_id"
# Shown for a birth date in a history entry to someone who may not see it.
HIDDEN_DATE = "****-**-**"


def may_reveal(user) -> bool:
    return bool(user is not None and user.has_perm(REVEAL_PERMISSION))


def age_label(birth_date: dt.date | None, *, on: dt.date | None = None) -> str:
    """``9岁``: what stands for a birth date where the full date may not be shown."""
    if birth_date is None:
        return ""
    return _("%(age)d岁") % {"age": years_between(birth_date, on or timezone.localdate())}


def birth_display(birth_date: dt.date | None, *, reveal: bool) -> str:
    if birth_date is None:
        return ""
    return birth_date.isoformat() if reveal else age_label(birth_date)


# --- history entries --------------------------------------------------------------------------

# The history stores {field verbose name (in the language of whoever saved): [before, after]}.
# IDs and phones are stored masked (core.versioning.MASKED_IN_HISTORY) but in older entries
# with the mask of the time; birth dates are stored in full, for those who may see them.
_MASKERS = {
    "id_number": mask_id_number,
    "document_number": mask_id_number,
    "father_phone": mask_phone,
    "mother_phone": mask_phone,
    "guardian_phone": mask_phone,
}
_HIDDEN_FROM_OTHERS = ("birth_date",)


@cache
def _labels() -> dict[str, str]:
    """{label in any of the site's languages: field name} of the fields masked in history."""
    from children.models import Child

    labels = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for name in (*_MASKERS, *_HIDDEN_FROM_OTHERS):
                labels[str(Child._meta.get_field(name).verbose_name)] = name
    return labels


def _mask_value(name: str, value, *, reveal: bool):
    if value in (None, ""):
        return value
    if name in _MASKERS:
        return _MASKERS[name](str(value))
    return value if reveal else HIDDEN_DATE


def masked_changes(changes: dict, *, reveal: bool) -> dict:
    """A history entry's ``{label: [before, after]}`` as ``reveal`` allows it to be read: IDs
    and phones always masked (in today's mask, also in entries written before it), the birth
    date hidden from those who may not see it."""
    if not isinstance(changes, dict):
        return changes
    labels = _labels()
    shown = {}
    for label, values in changes.items():
        name = labels.get(label)
        if name is None or not isinstance(values, list | tuple):
            shown[label] = values
            continue
        shown[label] = [_mask_value(name, value, reveal=reveal) for value in values]
    return shown


# --- logging the reads of full values ---------------------------------------------------------


def log_full_read(*, request, child, where: str) -> None:
    """A page showed ``child``'s full ID number or phones (``where``: "reveal", "edit"…)."""
    log_access(
        action=AccessAction.REVEAL_ID,
        request=request,
        target=child,
        detail={"where": where},
    )
