"""Pages of the notice's records: a scoped list, a create page and an edit page each.
Thin: the list reads through ``visible_to``; the forms call one service; a record outside
the user's area answers 404 as if absent."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_tables2 import SingleTableView

from accounts.scoping import get_visible_or_404
from activities import notice_forms, notice_services
from activities.notice_records import ActivityPlan, NeedFound, RoleModelStory
from activities.views import ListTarget, Perm, RecordFormView, _version
from core.paging import PagedTable


class PlanTable(PagedTable):
    title = tables.Column(linkify=True)

    class Meta:
        model = ActivityPlan
        fields = ("campaign", "township", "title", "reported_to_party_on", "updated_at")
        empty_text = _("暂无记录")


class StoryTable(PagedTable):
    title = tables.Column(linkify=True)

    class Meta:
        model = RoleModelStory
        fields = ("campaign", "township", "title", "role_model", "activity")
        empty_text = _("暂无记录")


class NeedTable(PagedTable):
    kind = tables.Column(linkify=True)
    for_whom = tables.Column(verbose_name=_("对象"), orderable=False, empty_values=())

    class Meta:
        model = NeedFound
        fields = ("campaign", "township", "kind", "for_whom", "found_on", "due_on", "resolved_on")
        empty_text = _("暂无记录")


class NoticeKind:
    """One of the three records: its model, form, service, table and words."""

    def __init__(self, model, form, service, table, fields, *, title, add, name, select):
        self.model, self.form, self.service, self.table = model, form, service, table
        self.fields, self.title, self.add, self.name, self.select = fields, title, add, name, select


KINDS = {
    "plan": NoticeKind(
        ActivityPlan, notice_forms.ActivityPlanForm, notice_services.plan_save, PlanTable,
        notice_services.PLAN_FIELDS, title=_("活动方案"), add=_("登记活动方案"), name="plan",
        select=("campaign", "township"),
    ),
    "story": NoticeKind(
        RoleModelStory, notice_forms.RoleModelStoryForm, notice_services.story_save, StoryTable,
        notice_services.STORY_FIELDS, title=_("励志故事/榜样"), add=_("登记励志故事"),
        name="story", select=("campaign", "township", "activity"),
    ),
    "need": NoticeKind(
        NeedFound, notice_forms.NeedFoundForm, notice_services.need_save, NeedTable,
        notice_services.NEED_FIELDS, title=_("摸清需求（急难愁盼）"), add=_("登记需求"),
        name="need", select=("campaign", "township", "child"),
    ),
}  # fmt: skip


class NoticeListView(Perm, SingleTableView):
    kind = ""
    template_name = "activities/notice_list.html"
    paginate_by = 25

    def get_permission_required(self):
        return [f"activities.view_{KINDS[self.kind].model._meta.model_name}"]

    def get_table_class(self):
        return KINDS[self.kind].table

    def get_queryset(self):
        kind = KINDS[self.kind]
        return kind.model.objects.visible_to(self.request.user).select_related(*kind.select)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kind = KINDS[self.kind]
        context.update(
            kind=kind,
            add_perm=f"activities.add_{kind.model._meta.model_name}",
            create_url=reverse(f"activities:{kind.name}_create"),
        )
        return context


class NoticeFormView(RecordFormView):
    kind = ""
    template_name = "activities/notice_form.html"

    def get_permission_required(self):
        action = "change" if "pk" in self.kwargs else "add"
        return [f"activities.{action}_{KINDS[self.kind].model._meta.model_name}"]

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        model = KINDS[self.kind].model
        return get_visible_or_404(model.objects.all(), self.request.user, pk=self.kwargs["pk"])

    def build_forms(self, data=None, files=None):
        kind = KINDS[self.kind]
        instance = self.object or kind.model()
        return {"form": kind.form(data, instance=instance, user=self.request.user)}

    def save(self, built):
        kind = KINDS[self.kind]
        form = built["form"]
        record_name = kind.model._meta.model_name
        arguments = {"actor": self.request.user, "data": form.data_for_service(kind.fields)}
        if self.object is not None:
            arguments[
                {"activityplan": "plan", "rolemodelstory": "story"}.get(record_name, "need")
            ] = self.object
            arguments["expected_version"] = _version(form)
        kind.service(**arguments)
        return ListTarget(f"activities:{kind.name}_list")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kind = KINDS[self.kind]
        context.update(
            kind=kind,
            heading=_("编辑%(t)s") % {"t": kind.title} if self.object else kind.add,
            list_url=reverse(f"activities:{kind.name}_list"),
        )
        return context
