"""Services delivered (服务记录) and incidents (强制报告) pages."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from accounts.audit import AccessAction, log_access
from care import filters, forms, selectors, services, tables
from care.models import CarePlan, Incident, ServiceSession
from care.views.common import (
    CareListView,
    ChildRecordEditView,
    ChildRecordFormView,
    ScopedObjectMixin,
)
from core.forms import apply_errors
from core.table_export import table_workbook, wants_export, xlsx_response


class ExportableListView(CareListView):
    """A care list whose filtered rows (all pages) download as .xlsx with ``?export=xlsx``:
    the same selector and filter as the page, so the file never holds more than the list;
    each download is in the access log."""

    template_name = "care/exportable_list.html"
    export_permission = ""
    export_name = ""

    def can_export(self) -> bool:
        return self.request.user.has_perm(self.export_permission)

    def get(self, request, *args, **kwargs):
        if not wants_export(request):
            return super().get(request, *args, **kwargs)
        if not self.can_export():
            raise PermissionDenied
        filterset = self.get_filterset(self.get_filterset_class())
        rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        table = self.get_table_class()(rows)
        log_access(
            action=AccessAction.EXPORT,
            request=request,
            target_type=rows.model._meta.model_name,
            target_label=str(self.export_name),
            detail={"rows": rows.count(), "filters": request.GET.urlencode()[:300]},
        )
        return xlsx_response(
            table_workbook(table, title=str(self.export_name)), f"{self.export_name}.xlsx"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.can_export():
            query = self.request.GET.copy()
            query.pop("page", None)
            query["export"] = "xlsx"
            context["export_url"] = "?" + query.urlencode()
        return context


# --- services delivered --------------------------------------------------------------------


class ServiceSessionListView(ExportableListView):
    permission_required = "care.view_servicesession"
    table_class = tables.ServiceSessionTable
    filterset_class = filters.ServiceSessionFilter
    title = gettext_lazy("服务记录")
    export_permission = "care.view_servicesession"
    export_name = gettext_lazy("服务记录")

    def get_queryset(self):
        return selectors.session_list(self.request.user)


class ServiceSessionCreateView(ScopedObjectMixin, FormView):
    scoped_model = CarePlan
    permission_required = "care.add_servicesession"
    template_name = "care/form.html"
    form_class = forms.ServiceSessionForm

    def get_scoped_queryset(self):
        return CarePlan.objects.select_related("child", "child__township", "child__village")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "child": self.object.child}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("录入服务记录")
        context["intro"] = _("关爱方案：%(plan)s，%(services)s") % {
            "plan": self.object,
            "services": self.object.services_display(),
        }
        context["child"] = self.object.child
        context["child_url"] = selectors.child_url(self.object.child)
        return context

    def form_valid(self, form):
        try:
            services.session_record(
                actor=self.request.user, plan=self.object, data=form.session_data()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("服务记录已保存。"))
        return redirect(self.object.get_absolute_url())


class ServiceSessionEditView(ChildRecordEditView):
    scoped_model = ServiceSession
    permission_required = "care.change_servicesession"
    form_class = forms.ServiceSessionForm
    title = gettext_lazy("修改服务记录")

    def get_scoped_queryset(self):
        return ServiceSession.objects.select_related("plan", "child")

    def form_valid(self, form):
        try:
            session = services.session_update(
                actor=self.request.user,
                session=self.object,
                expected_version=form.cleaned_data.get("version") or 0,
                data=form.session_data(),
            )
        except services.StaleEdit as exc:
            return self.stale(form, exc)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("服务记录已更新。"))
        return redirect(session.plan.get_absolute_url())


# --- incidents -----------------------------------------------------------------------------


class IncidentListView(ExportableListView):
    """The incidents the user may read. Every view of the list is in the access log with
    the records it showed: each is a read of an incident."""

    permission_required = "care.view_incident"
    table_class = tables.IncidentTable
    filterset_class = filters.IncidentFilter
    title = gettext_lazy("强制报告")
    export_permission = "care.export_incident"
    export_name = gettext_lazy("强制报告")

    def get_queryset(self):
        return selectors.incident_list(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = getattr(context["table"], "page", None)
        shown = [row.record.pk for row in page.object_list] if page is not None else []
        log_access(
            action=AccessAction.VIEW_INCIDENT,
            request=self.request,
            target_type="incident",
            target_label=str(_("强制报告列表")),
            detail={"incidents": shown},
        )
        return context


class IncidentCreateView(ChildRecordFormView):
    permission_required = "care.add_incident"
    form_class = forms.IncidentForm
    title = gettext_lazy("记录强制报告")
    intro = gettext_lazy(
        "发现儿童遭受或疑似遭受侵害的，请先立即报告公安机关（110）或民政部门，再在此登记。"
        "登记内容仅乡镇儿童督导员、县未保中心和登记人本人可查看。"
    )

    def form_valid(self, form):
        try:
            incident = services.incident_record(
                actor=self.request.user, child=self.child, data=form.incident_data()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("强制报告已登记。"))
        return redirect(incident.get_absolute_url())


class IncidentMixin(ScopedObjectMixin):
    """An incident of the URL, from those the user may read (IncidentQuerySet.readable_by):
    outside the area, or inside it without the right, it answers 404 like an absent one, so
    that no answer confirms that a child has an incident."""

    scoped_model = Incident

    def scoped_lookup(self, user, pk):
        return selectors.incident_detail(user, pk)


class IncidentDetailView(IncidentMixin, TemplateView):
    template_name = "care/incident_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        incident = self.object
        log_access(
            action=AccessAction.VIEW_INCIDENT,
            request=self.request,
            target=incident,
            detail={"child": incident.child_id},
        )
        context.update(
            incident=incident,
            child=incident.child,
            child_url=selectors.child_url(incident.child),
            can_edit=self.request.user.has_perm("care.change_incident"),
        )
        return context


class IncidentEditView(IncidentMixin, ChildRecordEditView):
    permission_required = "care.change_incident"
    form_class = forms.IncidentForm
    title = gettext_lazy("跟进/修改强制报告")

    def get_context_data(self, **kwargs):
        # The form shows the incident's details: a read like the detail page.
        if self.request.method == "GET":
            log_access(
                action=AccessAction.VIEW_INCIDENT,
                request=self.request,
                target=self.object,
                detail={"child": self.object.child_id, "form": True},
            )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            incident = services.incident_update(
                actor=self.request.user,
                incident=self.object,
                expected_version=form.cleaned_data.get("version") or 0,
                data=form.incident_data(),
            )
        except services.StaleEdit as exc:
            return self.stale(form, exc)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("强制报告已更新。"))
        return redirect(incident.get_absolute_url())
