"""Forms of the notice's records. They parse and narrow choices to the user's area; the
services decide what may be written."""

from django import forms
from django.utils.translation import gettext_lazy as _

from activities import selectors
from activities.forms import VersionMixin, _area_township_field
from activities.models import Activity, Campaign
from activities.notice_records import ActivityPlan, NeedFound, RoleModelStory
from activities.notice_services import NEED_FIELDS, PLAN_FIELDS, STORY_FIELDS
from children.models import Child
from core.forms import BootstrapFormMixin, DateInput


class _NoticeForm(BootstrapFormMixin, VersionMixin, forms.ModelForm):
    county_label = _("县级")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _area_township_field(self, user, self.instance.township, county_label=self.county_label)
        self.fields["campaign"].queryset = Campaign.objects.all()
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            campaign = selectors.current_campaign()
            self.initial.setdefault("campaign", campaign.pk if campaign else None)

    def _post_clean(self):
        pass  # the service validates the model with the actor's area

    def data_for_service(self, names) -> dict:
        return {name: self.cleaned_data[name] for name in names if name in self.cleaned_data}


class ActivityPlanForm(_NoticeForm):
    class Meta:
        model = ActivityPlan
        fields = PLAN_FIELDS
        widgets = {
            "reported_to_party_on": DateInput(),
            "content": forms.Textarea(attrs={"rows": 8}),
        }


class RoleModelStoryForm(_NoticeForm):
    class Meta:
        model = RoleModelStory
        fields = STORY_FIELDS
        widgets = {"story": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["activity"].queryset = (
            Activity.objects.visible_to(user).exclude(campaign=None).order_by("-start_date")
        )
        self.fields["activity"].error_messages["invalid_choice"] = _(
            "所选活动不存在或不在您的管辖范围内。"
        )


class NeedFoundForm(_NoticeForm):
    class Meta:
        model = NeedFound
        fields = NEED_FIELDS
        widgets = {
            "found_on": DateInput(),
            "due_on": DateInput(),
            "resolved_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
            "resolution": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["child"].queryset = (
            Child.objects.visible_to(user).active().order_by("name_pinyin", "pk")
        )
        self.fields["child"].error_messages["invalid_choice"] = _(
            "所选儿童不存在或不在您的管辖范围内。"
        )
