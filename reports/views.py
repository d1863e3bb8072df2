"""Report, roll-up, dashboard and download pages. Thin: parse, call one service or selector,
render. The township of the URL is looked up in the user's scope before any permission
check, so another township's report answers 404 to every role and method."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from accounts.scoping import cache_scope
from jobs.services import job_submit
from reports import dashboards, selectors, services
from reports import jobs as report_jobs
from reports.choices import NARRATIVE_FIELDS, ReportStatus
from reports.figures import KEY_FIGURES, county_rollup
from reports.forms import NarrativesForm, ReviewForm
from reports.models import deadline_end
from reports.sections import figure_sections

VIEW = "reports.view_townshipreport"


class HomeView(TemplateView):
    """工作台: each role's home page, with the figures of its own area."""

    template_name = "reports/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["panels"] = selectors.home_panels(self.request.user)
        report_card = selectors.report_home(self.request.user)
        if report_card is not None:
            context["report_card"] = report_card
            context["sections"] = ["reports/_home_report.html"]
        return context


# --- lookups -------------------------------------------------------------------------------


class CampaignMixin:
    """The campaign of the URL's year, or 404."""

    def get_campaign(self):
        if not hasattr(self, "_campaign"):
            self._campaign = selectors.campaign_of_year(self.kwargs["year"])
            if self._campaign is None:
                raise Http404
        return self._campaign


class TownshipReportMixin(CampaignMixin):
    """The township of the URL, from the user's scope (outside it: 404, as if absent), and
    its report for the campaign (None before the first save). List it first among bases."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.get_campaign()
            self.township = selectors.report_township(request.user, kwargs["township_id"])
            if self.township is None:
                raise Http404
            self.report = selectors.report_for(request.user, self._campaign, self.township)
        return super().dispatch(request, *args, **kwargs)


# --- index and roll-up ---------------------------------------------------------------------


class ReportIndexView(PermissionRequiredMixin, View):
    """统计报表: reviewers land on the roll-up, a supervisor on the township's report."""

    permission_required = VIEW
    raise_exception = True

    def get(self, request):
        campaign = selectors.current_campaign()
        if campaign is None:
            return TemplateResponse(request, "reports/no_campaign.html", {})
        user = request.user
        if user.has_perm("reports.review_report"):
            return redirect("reports:rollup", year=campaign.year)
        if user.township_id:
            return redirect("reports:township", year=campaign.year, township_id=user.township_id)
        raise Http404


class RollupView(CampaignMixin, PermissionRequiredMixin, TemplateView):
    """县级汇总: the ten townships' status, submission and key figures, with totals."""

    permission_required = "reports.review_report"
    raise_exception = True
    template_name = "reports/rollup.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = self.get_campaign()
        context.update(
            campaign=campaign,
            rollup=county_rollup(campaign),
            columns=KEY_FIGURES,
            campaigns=selectors.campaign_years(),
        )
        return context


# --- the township report -------------------------------------------------------------------


class TownshipReportView(TownshipReportMixin, PermissionRequiredMixin, TemplateView):
    """乡镇报表: figures, narratives form, submission, versions, review actions."""

    permission_required = VIEW
    raise_exception = True
    template_name = "reports/township_report.html"

    def can_edit(self) -> bool:
        user = self.request.user
        if not (user.has_perm("reports.submit_report") and user.township_id == self.township.pk):
            return False
        return self.report is None or self.report.is_editable

    def get_form(self, content=None):
        if self.request.method == "POST":
            return NarrativesForm(self.request.POST)
        initial = dict(content.draft or content.narratives) if content else {}
        initial["version"] = self.report.version if self.report else None
        return NarrativesForm(initial=initial)

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign, township, report = self._campaign, self.township, self.report
        user = self.request.user
        editable = self.can_edit()
        content = selectors.report_content(campaign, township, report, prefill=editable)
        today = timezone.localdate()
        status = report.status if report else ReportStatus.DRAFT
        review_form = ReviewForm(initial={"version": report.version}) if report else None
        versions = selectors.report_versions(report)
        context.update(
            campaign=campaign,
            township=township,
            report=report,
            status=status,
            status_label=report.get_status_display() if report else ReportStatus.DRAFT.label,
            content=content,
            sections=figure_sections(
                content.figures, campaign=campaign, township_id=township.pk, links=True
            ),
            narrative_fields=[
                (label, content.narratives.get(name, "")) for name, label in NARRATIVE_FIELDS
            ],
            form=(form or self.get_form(content)) if editable else None,
            versions=versions,
            latest_version=versions[0] if versions else None,
            days_left=campaign.days_to_deadline(today),
            deadline_passed=timezone.now() >= deadline_end(campaign.report_deadline),
            can_review=bool(
                report
                and status == ReportStatus.SUBMITTED
                and user.has_perm("reports.review_report")
            ),
            can_reopen=bool(
                report
                and status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
                and user.has_perm("reports.reopen_report")
            ),
            review_form=review_form,
        )
        return context

    def post(self, request, *args, **kwargs):
        user = request.user
        if not (user.has_perm("reports.submit_report") and user.township_id == self.township.pk):
            raise PermissionDenied
        if not self.can_edit():
            messages.error(
                request, _("报表已报送，不能修改。如需修改，请联系县未保中心退回或重新开放。")
            )
            return redirect(self.page_url())
        form = NarrativesForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = {name: form.cleaned_data[name] for name, _label in NARRATIVE_FIELDS}
        expected = form.cleaned_data["version"]
        if expected is None and self.report is not None:
            expected = 0  # the page was opened before the report existed: it is stale
        kwargs = {
            "actor": request.user,
            "campaign": self._campaign,
            "township": self.township,
            "data": data,
            "expected_version": expected,
        }
        try:
            if request.POST.get("action") == "submit":
                kwargs["confirm_numbers"] = form.cleaned_data["confirm_numbers"]
                if self.report is not None and self.report.status == ReportStatus.RETURNED:
                    report = services.report_resubmit(**kwargs)
                else:
                    report = services.report_submit(**kwargs)
                label = _("按时") if report.versions.order_by("-number")[0].on_time else _("逾期")
                messages.success(request, _("报表已报送（%(t)s）。") % {"t": label})
            else:
                services.report_save_draft(**kwargs)
                messages.success(request, _("草稿已保存。"))
        except services.StaleEdit as exc:
            messages.error(request, str(exc))
        except services.ReportLocked as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            return self.render_to_response(self.get_context_data(form=form))
        return redirect(self.page_url())

    def page_url(self) -> str:
        return reverse("reports:township", args=[self._campaign.year, self.township.pk])


class ReviewActionView(TownshipReportMixin, PermissionRequiredMixin, View):
    """退回 / 采纳 / 重新开放 a submitted report (POST only)."""

    raise_exception = True
    action = ""  # return | accept | reopen
    PERMS = {
        "return": "reports.review_report",
        "accept": "reports.review_report",
        "reopen": "reports.reopen_report",
    }
    DONE = {
        "return": gettext_lazy("报表已退回。"),
        "accept": gettext_lazy("报表已采纳。"),
        "reopen": gettext_lazy("报表已重新开放，乡镇可修改后重新报送。"),
    }

    def get_permission_required(self):
        return [self.PERMS[self.action]]

    def post(self, request, *args, **kwargs):
        url = reverse("reports:township", args=[self._campaign.year, self.township.pk])
        if self.report is None:
            raise Http404
        form = ReviewForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请求无效，请刷新页面后重试。"))
            return redirect(url)
        service = {
            "return": services.report_return,
            "accept": services.report_accept,
            "reopen": services.report_reopen,
        }[self.action]
        try:
            service(
                actor=request.user,
                report=self.report,
                comment=form.cleaned_data["comment"],
                expected_version=form.cleaned_data["version"],
            )
        except (services.StaleEdit, services.ReportLocked) as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, self.DONE[self.action])
        return redirect(url)


class VersionView(TownshipReportMixin, PermissionRequiredMixin, TemplateView):
    """One submitted version, exactly as it was sent."""

    permission_required = VIEW
    raise_exception = True
    template_name = "reports/version.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version = selectors.version_of(
            self.request.user, self._campaign, self.township, kwargs["number"]
        )
        if version is None:
            raise Http404
        context.update(
            campaign=self._campaign,
            township=self.township,
            report=self.report,
            version=version,
            sections=figure_sections(
                version.figures, campaign=self._campaign, township_id=self.township.pk
            ),
            narrative_fields=[
                (label, version.narratives.get(name, "")) for name, label in NARRATIVE_FIELDS
            ],
        )
        return context


# --- downloads -----------------------------------------------------------------------------


class TownshipWorkbookView(TownshipReportMixin, PermissionRequiredMixin, View):
    """The township's report workbook (counts and narratives only), written by a background
    job (reports/jobs.py); its page shows the progress, then the download."""

    permission_required = VIEW
    raise_exception = True

    def get(self, request, *args, **kwargs):
        campaign, township = self._campaign, self.township
        job = job_submit(
            actor=request.user,
            kind=report_jobs.TOWNSHIP_WORKBOOK,
            title=_("导出%(year)s年%(township)s报表")
            % {"year": campaign.year, "township": township.name},
            params={"year": campaign.year, "township": township.pk},
        )
        return redirect(job.get_absolute_url())


class CountyWorkbookView(CampaignMixin, PermissionRequiredMixin, View):
    """The county workbook (summary, one sheet per township, narratives), written by a
    background job like the township's."""

    permission_required = "reports.review_report"
    raise_exception = True

    def get(self, request, *args, **kwargs):
        campaign = self.get_campaign()
        job = job_submit(
            actor=request.user,
            kind=report_jobs.COUNTY_WORKBOOK,
            title=_("导出%(year)s年全县汇总") % {"year": campaign.year},
            params={"year": campaign.year},
        )
        return redirect(job.get_absolute_url())


# --- dashboards ----------------------------------------------------------------------------


class DashboardView(PermissionRequiredMixin, TemplateView):
    """数据看板: the county by township, or a township by village."""

    permission_required = "reports.view_dashboard"
    raise_exception = True
    template_name = "reports/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.request.GET.get("campaign", "")
        campaign = (
            selectors.campaign_of_year(int(year)) if year.isdigit() else None
        ) or selectors.current_campaign()
        dashboard = dashboards.for_user(self.request.user, campaign)
        context.update(
            dashboard=dashboard,
            cache_scope=cache_scope(self.request.user),
            charts_data=dashboard.charts_json(),
            campaign=campaign,
            campaigns=selectors.campaign_years(),
        )
        return context
