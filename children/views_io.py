"""Excel import and export of the ledger: thin views over children.io and the services."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View

from accounts.audit import AccessAction, log_access
from accounts.scoping import visible_townships
from children import selectors
from children.io import staging
from children.io.forms import LedgerImportForm
from children.io.ledger_export import ledger_rows, write_ledger
from children.io.ledger_import import import_ledger, preview_ledger
from children.io.template import build_template
from core.validators import mask_id_number
from core.xlsx_guard import WorkbookRefused

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_KEY = "ledger_import"
PREVIEW_ROWS = 50  # rows listed on the page; the counts cover the whole file
MAX_ERRORS_SHOWN = 1000  # beyond this the page gets unwieldy; the command prints them all


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


class LedgerImportView(PermissionRequiredMixin, View):
    """Upload → preview (nothing written) → confirm (everything written, or nothing)."""

    permission_required = "children.import_ledger"
    raise_exception = True
    template_name = "children/import_ledger.html"

    def render_page(self, request, form, **context):
        return render(request, self.template_name, {"form": form, **context})

    def get(self, request):
        return self.render_page(request, LedgerImportForm(user=request.user))

    def post(self, request):
        if "confirm" in request.POST:
            return self.confirm(request)
        form = LedgerImportForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self.render_page(request, form)
        upload, township = form.cleaned_data["file"], form.cleaned_data["township"]
        data = upload.read()
        try:
            preview = preview_ledger(actor=request.user, township=township, data=data)
        except WorkbookRefused as exc:
            form.add_error("file", exc.message)
            return self.render_page(request, form)
        token = None
        if preview.ok:
            old = request.session.get(SESSION_KEY)
            if old:
                staging.discard(old.get("token", ""))
            token = staging.stage(data)
            request.session[SESSION_KEY] = {
                "token": token,
                "township": township.pk,
                "filename": upload.name[:200],
            }
        return self.render_page(
            request,
            form,
            **self.preview_context(preview, township, upload.name, token),
        )

    def confirm(self, request):
        state = request.session.get(SESSION_KEY) or {}
        token = request.POST.get("token", "")
        data = None
        if state.get("token") and constant_time_compare(token, state["token"]):
            data = staging.take(token)
        township = visible_townships(request.user).filter(pk=state.get("township")).first()
        if data is None or township is None:
            messages.error(request, _("预览已过期或已导入，请重新上传文件。"))
            return redirect("children:import")
        filename = state.get("filename", "")
        try:
            result = import_ledger(
                actor=request.user,
                township=township,
                data=data,
                filename=filename,
                request=request,
            )
        except WorkbookRefused as exc:
            result, refusal = None, exc.message
        else:
            refusal = None
        request.session.pop(SESSION_KEY, None)
        form = LedgerImportForm(user=request.user, initial={"township": township.pk})
        if refusal:
            messages.error(request, refusal)
            return redirect("children:import")
        if result.errors:
            # Something changed since the preview (another import, an edit): nothing written.
            return self.render_page(
                request,
                form,
                confirm_failed=True,
                **self.preview_context(result, township, filename, None),
            )
        messages.success(
            request,
            _("导入完成：新增 %(new)d 人，更新 %(updated)d 人，无变化 %(unchanged)d 人。")
            % {
                "new": result.plan.new,
                "updated": result.plan.updated,
                "unchanged": result.plan.unchanged,
            },
        )
        return redirect("children:import")

    @staticmethod
    def preview_context(preview, township, filename, token) -> dict:
        rows = []
        for row in preview.plan.rows[:PREVIEW_ROWS]:
            child = row.child
            rows.append(
                {
                    "row": row.source.row,
                    "name": child.name,
                    "id": mask_id_number(child.id_number) if child.id_number else _("未登记户口"),
                    "village": row.source.village.name,
                    "status": row.status,
                    "status_label": row.status_label,
                    "changes": [
                        f"{label}：{before or '—'} → {after or '—'}"
                        for label, (before, after) in row.changes.items()
                    ],
                }
            )
        errors = preview.errors
        return {
            "preview": preview,
            "township": township,
            "filename": filename,
            "token": token,
            "preview_rows": rows,
            "more_rows": max(0, len(preview.plan.rows) - PREVIEW_ROWS),
            "errors": errors[:MAX_ERRORS_SHOWN],
            "errors_hidden": max(0, len(errors) - MAX_ERRORS_SHOWN),
        }


class LedgerImportTemplateView(PermissionRequiredMixin, View):
    """The blank template, with the villages and directors of the chosen township."""

    permission_required = "children.import_ledger"
    raise_exception = True

    def get(self, request):
        townships = visible_townships(request.user)
        township = None
        if request.GET.get("township", "").isdigit():
            township = townships.filter(pk=request.GET["township"]).first()
        elif request.user.township_id:
            township = townships.filter(pk=request.user.township_id).first()
        data = build_template(township=township)
        name = township.name if township is not None else _("全县")
        return _xlsx_response(data, _("困境儿童台账导入模板-%(name)s.xlsx") % {"name": name})


class LedgerExportView(PermissionRequiredMixin, View):
    """The filtered ledger list as a 花名册 workbook: the same selector and filter as the
    list page, so it never holds more than the list shows."""

    permission_required = "children.export_ledger"
    raise_exception = True

    def get(self, request):
        from children.filters import ChildFilter

        user = request.user
        queryset = selectors.child_list(user)
        filterset = ChildFilter(request.GET, queryset=queryset, request=request)
        # Like the list page (strict filtering): an invalid filter, e.g. a township the
        # user may not see, shows nothing rather than everything.
        children = filterset.qs if filterset.is_valid() else queryset.none()
        reveal = request.GET.get("reveal") == "1" and user.has_perm("children.reveal_id")
        place = self.place(filterset, user)
        today = timezone.localdate()

        count = 0

        def counted():
            nonlocal count
            for row in ledger_rows(children):
                count += 1
                yield row

        data = write_ledger(
            counted(),
            title=_("龙胜各族自治县%(place)s困境儿童花名册") % {"place": place},
            unit=user.area_label,
            reveal=reveal,
            exported_on=today,
        )
        log_access(
            action=AccessAction.EXPORT,
            request=request,
            target_type="ledger",
            target_label=str(_("困境儿童花名册")),
            detail={
                "filters": {
                    key: values[0] if len(values) == 1 else values
                    for key, values in request.GET.lists()
                },
                "rows": count,
                "revealed": reveal,
            },
        )
        filename = _("困境儿童花名册-%(place)s-%(date)s.xlsx") % {
            "place": place,
            "date": today.isoformat(),
        }
        return _xlsx_response(data, filename)

    @staticmethod
    def place(filterset, user) -> str:
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
