"""The ledger's background jobs: the 花名册 export and the two steps of an Excel import.

Registered in ``ChildrenConfig.ready``; the ``jobs`` app runs them in a worker and keeps
their results for their owner only.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import AccessAction, log_access
from children import selectors
from jobs.registry import JobKind, Outcome, register

LEDGER_EXPORT = "ledger_export"


def ledger_export_filter(user, query: str):
    """The list page's filter over the user's scope, from the list's query string."""
    from children.filters import ChildFilter

    queryset = selectors.child_list(user, with_schedule=False)
    return ChildFilter(
        QueryDict(query),
        queryset=queryset,
        request=SimpleNamespace(user=user, GET=QueryDict(query)),
    )


def export_place(filterset, user) -> str:
    cleaned = getattr(filterset.form, "cleaned_data", None) or {}
    if cleaned.get("village"):
        village = cleaned["village"]
        return f"{village.township.name}{village.name}"
    if cleaned.get("township"):
        return cleaned["township"].name
    if user.village_id:
        return f"{user.village.township.name}{user.village.name}"
    if user.township_id:
        return user.township.name
    return _("全县")


def run_ledger_export(job, progress) -> Outcome:
    """The filtered ledger list as a 花名册 workbook: the same selector and filter as the
    list page, so it never holds more than the list shows."""
    from children.io.ledger_export import ledger_rows, write_ledger

    user, params = job.owner, job.params
    filterset = ledger_export_filter(user, params.get("query", ""))
    # Like the list page (strict filtering): an invalid filter shows nothing, not everything.
    children = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    reveal = bool(params.get("reveal")) and user.has_perm("children.reveal_id")
    place = export_place(filterset, user)
    today = timezone.localdate()
    progress.start(children.count(), message=_("正在生成花名册……"))
    data = write_ledger(
        progress.counted(ledger_rows(children)),
        title=_("龙胜各族自治县%(place)s困境儿童花名册") % {"place": place},
        unit=user.area_label,
        reveal=reveal,
        exported_on=today,
    )
    log_access(
        action=AccessAction.EXPORT,
        user=user,
        target_type="ledger",
        target_label=str(_("困境儿童花名册")),
        detail={
            "filters": params.get("filters", {}),
            "rows": progress.done,
            "revealed": reveal,
            "job": str(job.pk),
        },
    )
    filename = _("困境儿童花名册-%(place)s-%(date)s.xlsx") % {
        "place": place,
        "date": today.isoformat(),
    }
    return Outcome(data=data, filename=filename)


def register_kinds() -> None:
    register(JobKind(LEDGER_EXPORT, run_ledger_export, permission="children.export_ledger"))
