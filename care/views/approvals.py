"""Plan approval (提交审批, 批准, 退回) and the supervisor's to-do list (待审批) with its export."""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView
from openpyxl import Workbook

from accounts.audit import AccessAction, log_access
from care import selectors, services
from care.models import CarePlan
from care.views.common import ListPermissionMixin, ScopedObjectMixin
from children.forms_casework import DecisionForm
from core.cells import safe_cell_text
from core.forms import apply_errors


class PlanScopedMixin(ScopedObjectMixin):
    scoped_model = CarePlan

    def get_scoped_queryset(self):
        return CarePlan.objects.select_related("child", "child__township", "child__village")


class CarePlanSubmitView(PlanScopedMixin, View):
    """Submit a draft or returned plan (POST only)."""

    permission_required = "care.add_careplan"

    def post(self, request, pk):
        if not services.can_edit(request.user, self.object):
            raise PermissionDenied
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        try:
            plan = services.care_plan_submit(
                actor=request.user, plan=self.object, expected_version=version
            )
        except services.StaleEdit as exc:
            messages.error(request, str(exc))
            return redirect(self.object.get_absolute_url())
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(self.object.get_absolute_url())
        if plan.is_approved:
            messages.success(request, _("方案已批准，开始执行。"))
        else:
            messages.success(request, _("方案已提交，待乡镇督导员审批。"))
        return redirect(plan.get_absolute_url())


class CarePlanDecideView(PlanScopedMixin, FormView):
    """The approver's decision on a submitted plan (POST from the plan page)."""

    permission_required = "care.approve_careplan"
    form_class = DecisionForm
    template_name = "care/plan_decide.html"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if not services.can_approve(request.user, self.object):
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "plan": self.object,
            "child": self.object.child,
            "child_url": selectors.child_url(self.object.child),
        }

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            if data["decision"] == DecisionForm.APPROVE:
                services.care_plan_approve(
                    actor=self.request.user,
                    plan=self.object,
                    expected_version=data["version"],
                    comment=data["comment"],
                )
                messages.success(self.request, _("已批准，方案开始执行。"))
            else:
                services.care_plan_return(
                    actor=self.request.user,
                    plan=self.object,
                    expected_version=data["version"],
                    comment=data["comment"],
                )
                messages.success(self.request, _("已退回，待制定人修改后重新提交。"))
        except services.StaleEdit as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        return redirect("care:approvals")


class ApprovalListView(ListPermissionMixin, TemplateView):
    """待审批: the plans and closure requests waiting for this user's approval."""

    permission_required = "care.approve_careplan"
    template_name = "care/approvals.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(**kwargs) | {
            "plans": list(selectors.plans_awaiting(user).prefetch_related("services")),
            "closures": list(selectors.closures_awaiting(user)),
        }


class ApprovalExportView(ListPermissionMixin, View):
    """The to-do list as a workbook (what the page shows, no ID numbers)."""

    permission_required = "care.approve_careplan"

    def get(self, request):
        user = request.user
        plans = list(selectors.plans_awaiting(user).prefetch_related("services"))
        closures = list(selectors.closures_awaiting(user))
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("待审批关爱方案"))
        sheet.append([_("儿童"), _("乡镇"), _("村/社区"), _("关爱服务"), _("开始日期"),
                      _("复核日期"), _("提交人"), _("提交时间")])  # fmt: skip
        for plan in plans:
            sheet.append(
                [
                    safe_cell_text(plan.child.name),
                    plan.child.township.name,
                    plan.child.village.name,
                    plan.services_display(),
                    plan.started_on.isoformat(),
                    plan.review_on.isoformat(),
                    safe_cell_text(plan.submitted_by.display_name if plan.submitted_by else ""),
                    timezone.localtime(plan.submitted_at).strftime("%Y-%m-%d %H:%M")
                    if plan.submitted_at
                    else "",
                ]
            )
        sheet = workbook.create_sheet(_("待审批结案申请"))
        sheet.append([_("儿童"), _("乡镇"), _("村/社区"), _("结案原因"), _("结案日期"),
                      _("结案说明"), _("申请人"), _("申请时间")])  # fmt: skip
        for closure in closures:
            sheet.append(
                [
                    safe_cell_text(closure.child.name),
                    closure.child.township.name,
                    closure.child.village.name,
                    closure.get_reason_display(),
                    closure.closed_on.isoformat(),
                    safe_cell_text(closure.note),
                    safe_cell_text(closure.created_by.display_name if closure.created_by else ""),
                    timezone.localtime(closure.created_at).strftime("%Y-%m-%d %H:%M"),
                ]
            )
        out = io.BytesIO()
        workbook.save(out)
        log_access(
            action=AccessAction.EXPORT,
            request=request,
            target_type="approvals",
            target_label=str(_("待审批")),
            detail={"plans": len(plans), "closures": len(closures)},
        )
        response = HttpResponse(
            out.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="approvals.xlsx"'
        return response
