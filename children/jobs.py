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
from jobs.registry import JobKind, JobRefused, Outcome, register

LEDGER_EXPORT = "ledger_export"


def ledger_export_filter(user, query: str):
    """The list page's filter over the user's scope, from the list's query string."""
    from children.filters import ChildFilter

    queryset = selectors.child_list(user)
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


# --- the Excel import: a preview job, then (confirmed by the person) a write job --------------

LEDGER_IMPORT_PREVIEW = "ledger_import_preview"
LEDGER_IMPORT_WRITE = "ledger_import_write"
PREVIEW_ROWS = 50  # rows listed on the page; the counts cover the whole file
MAX_ERRORS_SHOWN = 1000  # beyond this the page gets unwieldy; the command prints them all


def preview_summary(preview, *, township, filename: str) -> dict:
    """What the page shows of a preview or of a finished import, as JSON for the job."""
    from core.validators import mask_id_number

    rows = []
    for row in preview.plan.rows[:PREVIEW_ROWS]:
        child = row.child
        rows.append(
            {
                "row": row.source.row,
                "name": child.name,
                "id": mask_id_number(child.id_number) if child.id_number else str(_("未登记户口")),
                "village": row.source.village.name,
                "status": row.status,
                "status_label": str(row.status_label),
                "changes": [
                    f"{label}：{before or '—'} → {after or '—'}"
                    for label, (before, after) in row.changes.items()
                ],
            }
        )
    errors = preview.errors
    return {
        "ok": preview.ok,
        "township_id": township.pk,
        "township": township.name,
        "filename": filename,
        "sheet": preview.file.sheet,
        "header_row": preview.file.header_row,
        "ignored": list(preview.file.ignored),
        "new": preview.plan.new,
        "updated": preview.plan.updated,
        "unchanged": preview.plan.unchanged,
        "error_count": len(errors),
        "errors": [
            {"row": error.row, "column": error.column, "message": str(error.message)}
            for error in errors[:MAX_ERRORS_SHOWN]
        ],
        "errors_hidden": max(0, len(errors) - MAX_ERRORS_SHOWN),
        "warnings": [str(warning) for warning in preview.warnings],
        "rows": rows,
        "more_rows": max(0, len(preview.plan.rows) - PREVIEW_ROWS),
    }


def _import_township(job):
    from accounts.scoping import visible_townships

    township = visible_townships(job.owner).filter(pk=job.params.get("township")).first()
    if township is None:
        raise JobRefused(_("预览已过期或已导入，请重新上传文件。"))
    return township


def run_import_preview(job, progress) -> Outcome:
    """Read and check the staged file; nothing is written to the ledger. An error-free
    preview keeps its checked rows beside the file for the write (children.io.previewed)."""
    from children.io import previewed, staging
    from children.io.ledger_import import preview_ledger
    from core.xlsx_guard import WorkbookRefused

    township = _import_township(job)
    data = staging.peek(job.params.get("token", ""))
    if data is None:
        raise JobRefused(_("预览已过期或已导入，请重新上传文件。"))
    progress.start(None, message=_("正在检查文件……"))
    try:
        preview = preview_ledger(actor=job.owner, township=township, data=data)
    except WorkbookRefused as exc:
        staging.discard(job.params.get("token", ""))
        raise JobRefused(exc.message) from exc
    if not preview.ok:
        staging.discard(job.params.get("token", ""))
    else:
        previewed.save(
            job.params.get("token", ""),
            key=previewed.preview_key(data=data, township=township, day=preview.plan.day),
            preview=preview,
        )
    progress.start(len(preview.plan.rows))
    progress.advance(len(preview.plan.rows))
    summary = preview_summary(preview, township=township, filename=job.params.get("filename", ""))
    return Outcome(result=summary)


def run_import_write(job, progress) -> Outcome:
    """Write the previewed file, all or nothing (one transaction: a worker stopped half-way
    leaves the ledger as it was, and the job can be run again). The rows the preview checked
    are taken over when they were saved for this very file, township and day; what depends
    on the database is checked again either way."""
    from children.io import previewed, staging
    from children.io.ledger_import import import_ledger
    from core.xlsx_guard import WorkbookRefused

    township = _import_township(job)
    token = job.params.get("token", "")
    # Kept until the write commits: a re-run after a killed worker finds the file again.
    data = staging.peek(token)
    if data is None:
        raise JobRefused(_("预览已过期或已导入，请重新上传文件。"))
    progress.start(job.params.get("rows"), message=_("正在写入台账……"))
    saved = previewed.load(
        token,
        key=previewed.preview_key(data=data, township=township, day=timezone.localdate()),
    )
    try:
        result = import_ledger(
            actor=job.owner,
            township=township,
            data=data,
            filename=job.params.get("filename", ""),
            previewed=saved,
        )
    except WorkbookRefused as exc:
        raise JobRefused(exc.message) from exc
    staging.discard(token)
    progress.advance(len(result.plan.rows))
    summary = preview_summary(result, township=township, filename=job.params.get("filename", ""))
    summary["written"] = not result.errors
    return Outcome(result=summary)


def register_kinds() -> None:
    register(JobKind(LEDGER_EXPORT, run_ledger_export, permission="children.export_ledger"))
    register(
        JobKind(
            LEDGER_IMPORT_PREVIEW,
            run_import_preview,
            permission="children.import_ledger",
            result_template="children/_import_result.html",
        )
    )
    register(
        JobKind(
            LEDGER_IMPORT_WRITE,
            run_import_write,
            permission="children.import_ledger",
            result_template="children/_import_result.html",
        )
    )
