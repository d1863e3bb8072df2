"""Pages of the activities app: thin views over the selectors (reads) and services (writes).

Every object lookup is scoped: an activity, photo, purchased service or training outside the
user's area answers 404 exactly like one that does not exist.

Why one module of ~550 lines: its pages share one multi-form page base (``RecordFormView``)
and the child picker; the next cut is a package by record, as care/views/ is.
"""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from accounts.scoping import get_visible_or_404
from activities import filters, forms, selectors, services, tables
from activities.models import (
    Activity,
    ActivityPhoto,
    Campaign,
    PartnerOrganisation,
    PurchasedService,
    Training,
)
from core.forms import apply_errors

PHOTO_HEADERS = {"X-Content-Type-Options": "nosniff"}


class Perm(PermissionRequiredMixin):
    raise_exception = True


def _scoped_or_404(selector, user, pk):
    try:
        return selector(user, pk)
    except (Activity.DoesNotExist, PurchasedService.DoesNotExist, Training.DoesNotExist) as exc:
        raise Http404 from exc


# --- a page with several forms saved by one service -----------------------------------------


class RecordFormView(Perm, TemplateView):
    """GET shows the forms; POST validates them all and calls one service. A service
    ValidationError lands on the matching field; a stale edit is refused with a message and
    nothing is written."""

    object = None
    success_message = gettext_lazy("已保存。")

    def get_object(self):
        return None

    def build_forms(self, data=None, files=None) -> dict:
        raise NotImplementedError

    def save(self, built: dict):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data(**self.build_forms()))

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        built = self.build_forms(request.POST, request.FILES)
        if all(item.is_valid() for item in built.values()):
            try:
                saved = self.save(built)
            except ValidationError as exc:
                first, *others = [f for f in built.values() if hasattr(f, "fields")]
                apply_errors(first, exc, also=others)
            except services.StaleEdit as exc:
                next(iter(built.values())).add_error(None, str(exc))
            else:
                if self.success_message:
                    messages.success(request, self.success_message)
                return redirect(saved.get_absolute_url())
        return self.render_to_response(self.get_context_data(**built))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object"] = self.object
        return context


class ListTarget:
    """Where to go after saving a record that has no page of its own."""

    def __init__(self, url_name):
        self.url_name = url_name

    def get_absolute_url(self):
        return reverse(self.url_name)


def _version(form) -> int:
    # A form without its version (crafted) can only lose: version 0 is never current.
    return form.cleaned_data.get("version") or 0


# --- activities -----------------------------------------------------------------------------


class ActivityListView(Perm, SingleTableMixin, FilterView):
    permission_required = "activities.view_activity"
    table_class = tables.ActivityTable
    filterset_class = filters.ActivityFilter
    template_name = "activities/activity_list.html"
    paginate_by = 25

    def get_queryset(self):
        return selectors.activity_list(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["figures"] = selectors.beneficiaries(self.object_list)
        return context


class ActivityDetailView(Perm, TemplateView):
    permission_required = "activities.view_activity"
    template_name = "activities/activity_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        activity = _scoped_or_404(selectors.activity_detail, user, kwargs["pk"])
        participants, hidden = selectors.activity_participants(activity, user)
        context.update(
            activity=activity,
            participants=participants,
            hidden_participants=hidden,
            figures=selectors.beneficiaries(Activity.objects.filter(pk=activity.pk)),
            can_edit=user.has_perm("activities.change_activity"),
            can_upload=user.has_perm("activities.add_activityphoto"),
        )
        return context


class ActivityFormMixin:
    template_name = "activities/activity_form.html"

    def build_forms(self, data=None, files=None):
        user, activity = self.request.user, self.object
        instance = activity or Activity()
        picker_initial, leaders, channels = {}, [], []
        if activity is not None:
            picker_initial = {
                "children": list(
                    activity.participants.values_list("child_id", flat=True).order_by("pk")
                )
            }
            leaders, channels = forms.leader_initial(activity), forms.channel_initial(activity)
        return {
            "form": forms.ActivityEditForm(data, instance=instance, user=user),
            "counts": forms.BeneficiaryCountsForm(
                data, initial=forms.counts_initial(activity) if activity else None
            ),
            "picker": forms.ChildPickForm(data, user=user, initial=picker_initial),
            "leaders": forms.LeaderFormSet(data, prefix="leaders", initial=leaders or None),
            "channels": forms.ChannelFormSet(data, prefix="channels", initial=channels or None),
        }

    def service_arguments(self, built):
        form = built["form"]
        data = {
            name: form.cleaned_data[name]
            for name in services.ACTIVITY_FIELDS
            if name in form.cleaned_data
        }
        data.update(built["counts"].cleaned_data)
        return {
            "actor": self.request.user,
            "data": data,
            "formats": form.cleaned_data["formats"],
            "partners": form.cleaned_data["partners"],
            "leaders": forms.formset_rows(built["leaders"], services.LeaderData),
            "channels": forms.formset_rows(built["channels"], services.ChannelData),
            "children": built["picker"].cleaned_data["children"],
        }


class ActivityCreateView(ActivityFormMixin, RecordFormView):
    permission_required = "activities.add_activity"

    def save(self, built):
        return services.activity_create(**self.service_arguments(built))


class ActivityEditView(ActivityFormMixin, RecordFormView):
    permission_required = "activities.change_activity"

    def get_object(self):
        return get_visible_or_404(Activity.objects.all(), self.request.user, pk=self.kwargs["pk"])

    def save(self, built):
        return services.activity_update(
            activity=self.object,
            expected_version=_version(built["form"]),
            **self.service_arguments(built),
        )


class PhotoUploadView(RecordFormView):
    permission_required = "activities.add_activityphoto"
    template_name = "activities/photo_upload.html"
    success_message = None

    def get_object(self):
        return get_visible_or_404(Activity.objects.all(), self.request.user, pk=self.kwargs["pk"])

    def build_forms(self, data=None, files=None):
        return {"form": forms.PhotoUploadForm(data, files)}

    def save(self, built):
        form = built["form"]
        photos = services.activity_photos_add(
            actor=self.request.user,
            activity=self.object,
            files=[(upload.name, upload.read()) for upload in form.cleaned_data["photos"]],
            caption=form.cleaned_data["caption"],
        )
        messages.success(self.request, _("已上传 %(n)d 张照片。") % {"n": len(photos)})
        return self.object


class PhotoView(Perm, View):
    """A photo or its thumbnail, only through the scoped lookup, never cached."""

    permission_required = "activities.view_activity"
    thumbnail = False

    def get(self, request, pk):
        photo = get_visible_or_404(ActivityPhoto.objects.all(), request.user, pk=pk)
        stored = photo.thumbnail if self.thumbnail else photo.image
        try:
            handle = stored.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        response = FileResponse(handle, content_type=photo.content_type)
        suffix = stored.name.rsplit(".", 1)[-1]
        response["Content-Disposition"] = f'inline; filename="photo-{photo.pk}.{suffix}"'
        for header, value in PHOTO_HEADERS.items():
            response[header] = value
        return response


# --- the child picker (htmx) ----------------------------------------------------------------


class PickerPermission(Perm):
    """Only those who record participants or children served may search the ledger here."""

    permission_required = (
        "activities.add_activity",
        "activities.change_activity",
        "activities.add_purchasedservice",
        "activities.change_purchasedservice",
    )

    def has_permission(self):
        user = self.request.user
        return user.has_perm("children.view_child") and any(
            user.has_perm(perm) for perm in self.permission_required
        )


class ChildSearchView(PickerPermission, TemplateView):
    template_name = "activities/_picker_results.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "")[:50]
        context.update(children=selectors.picker_search(self.request.user, query), query=query)
        return context


class VillageChildrenView(PickerPermission, TemplateView):
    template_name = "activities/_picker_results.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        village_id = self.request.GET.get("village", "")
        if not village_id:
            context.update(children=[], query="")
            return context
        village, children = selectors.picker_village(self.request.user, village_id)
        if village is None:
            raise Http404
        context.update(children=children, village=village, add_all=True)
        return context


# --- campaigns ------------------------------------------------------------------------------


class CampaignListView(Perm, ListView):
    permission_required = "activities.view_campaign"
    template_name = "activities/campaign_list.html"
    context_object_name = "campaigns"

    def get_queryset(self):
        return selectors.campaign_list()


class CampaignFormView(RecordFormView):
    template_name = "activities/campaign_form.html"

    def build_forms(self, data=None, files=None):
        return {"form": forms.CampaignForm(data, instance=self.object or Campaign())}

    def save(self, built):
        form = built["form"]
        data = {name: form.cleaned_data.get(name) for name in services.CAMPAIGN_FIELDS}
        if self.object is None:
            services.campaign_create(actor=self.request.user, data=data)
        else:
            services.campaign_update(actor=self.request.user, campaign=self.object, data=data)
        return ListTarget("activities:campaign_list")


class CampaignCreateView(CampaignFormView):
    permission_required = "activities.add_campaign"


class CampaignEditView(CampaignFormView):
    permission_required = "activities.change_campaign"

    def get_object(self):
        try:
            return Campaign.objects.get(pk=self.kwargs["pk"])
        except Campaign.DoesNotExist as exc:
            raise Http404 from exc


# --- partner organisations ------------------------------------------------------------------


class PartnerListView(Perm, SingleTableMixin, FilterView):
    permission_required = "activities.view_partnerorganisation"
    table_class = tables.PartnerTable
    filterset_class = filters.PartnerFilter
    template_name = "activities/partner_list.html"
    paginate_by = 50

    def get_queryset(self):
        return selectors.partner_list()

    def get_table_kwargs(self):
        user = self.request.user
        editable = frozenset()
        if user.has_perm("activities.change_partnerorganisation"):
            editable = frozenset(
                PartnerOrganisation.objects.visible_to(user).values_list("pk", flat=True)
            )
        return {"editable_ids": editable}


class PartnerFormView(RecordFormView):
    template_name = "activities/partner_form.html"

    def build_forms(self, data=None, files=None):
        instance = self.object or PartnerOrganisation()
        return {"form": forms.PartnerForm(data, instance=instance)}

    def save(self, built):
        form = built["form"]
        data = {name: form.cleaned_data.get(name, "") for name in services.PARTNER_FIELDS}
        if self.object is None:
            services.partner_create(actor=self.request.user, data=data)
        else:
            services.partner_update(
                actor=self.request.user,
                partner=self.object,
                expected_version=_version(form),
                data=data,
            )
        return ListTarget("activities:partner_list")


class PartnerCreateView(PartnerFormView):
    permission_required = "activities.add_partnerorganisation"


class PartnerEditView(PartnerFormView):
    permission_required = "activities.change_partnerorganisation"

    def get_object(self):
        return get_visible_or_404(
            PartnerOrganisation.objects.all(), self.request.user, pk=self.kwargs["pk"]
        )


# --- purchased services ---------------------------------------------------------------------


class ServiceListView(Perm, SingleTableMixin, FilterView):
    permission_required = "activities.view_purchasedservice"
    table_class = tables.PurchasedServiceTable
    filterset_class = filters.PurchasedServiceFilter
    template_name = "activities/service_list.html"
    paginate_by = 25

    def get_queryset(self):
        return selectors.service_list(self.request.user)


class ServiceDetailView(Perm, TemplateView):
    permission_required = "activities.view_purchasedservice"
    template_name = "activities/service_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        service = _scoped_or_404(selectors.service_detail, user, kwargs["pk"])
        children, hidden = selectors.service_children(service, user)
        context.update(
            service=service,
            children=children,
            hidden_children=hidden,
            ledger_total=len(children) + hidden,
            served_total=len(children) + hidden + service.other_children_count,
            can_edit=user.has_perm("activities.change_purchasedservice"),
        )
        return context


class ServiceFormMixin:
    template_name = "activities/service_form.html"

    def build_forms(self, data=None, files=None):
        user, service = self.request.user, self.object
        initial = {}
        if service is not None:
            initial = {"children": list(service.children.values_list("pk", flat=True))}
        return {
            "form": forms.PurchasedServiceForm(
                data, instance=service or PurchasedService(), user=user
            ),
            "picker": forms.ChildPickForm(
                data, user=user, initial=initial, label=_("服务的台账儿童")
            ),
        }

    def service_arguments(self, built):
        form = built["form"]
        return {
            "actor": self.request.user,
            "data": {
                n: form.cleaned_data[n] for n in services.SERVICE_FIELDS if n in form.cleaned_data
            },
            "children": built["picker"].cleaned_data["children"],
        }


class ServiceCreateView(ServiceFormMixin, RecordFormView):
    permission_required = "activities.add_purchasedservice"

    def save(self, built):
        return services.purchased_service_create(**self.service_arguments(built))


class ServiceEditView(ServiceFormMixin, RecordFormView):
    permission_required = "activities.change_purchasedservice"

    def get_object(self):
        return get_visible_or_404(
            PurchasedService.objects.all(), self.request.user, pk=self.kwargs["pk"]
        )

    def save(self, built):
        return services.purchased_service_update(
            service=self.object,
            expected_version=_version(built["form"]),
            **self.service_arguments(built),
        )


# --- trainings ------------------------------------------------------------------------------


class TrainingListView(Perm, SingleTableMixin, FilterView):
    permission_required = "activities.view_training"
    table_class = tables.TrainingTable
    filterset_class = filters.TrainingFilter
    template_name = "activities/training_list.html"
    paginate_by = 25

    def get_queryset(self):
        return selectors.training_list(self.request.user)


class TrainingDetailView(Perm, TemplateView):
    permission_required = "activities.view_training"
    template_name = "activities/training_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        training = _scoped_or_404(selectors.training_detail, user, kwargs["pk"])
        context.update(training=training, can_edit=user.has_perm("activities.change_training"))
        return context


class TrainingFormMixin:
    template_name = "activities/training_form.html"

    def build_forms(self, data=None, files=None):
        instance = self.object or Training()
        return {"form": forms.TrainingForm(data, instance=instance, user=self.request.user)}

    def service_arguments(self, built):
        form = built["form"]
        return {
            "actor": self.request.user,
            "data": {
                n: form.cleaned_data[n] for n in services.TRAINING_FIELDS if n in form.cleaned_data
            },
            "attendees": form.cleaned_data["attendees"],
            "counts": form.counts(),
        }


class TrainingCreateView(TrainingFormMixin, RecordFormView):
    permission_required = "activities.add_training"

    def save(self, built):
        return services.training_create(**self.service_arguments(built))


class TrainingEditView(TrainingFormMixin, RecordFormView):
    permission_required = "activities.change_training"

    def get_object(self):
        return get_visible_or_404(Training.objects.all(), self.request.user, pk=self.kwargs["pk"])

    def save(self, built):
        return services.training_update(
            training=self.object,
            expected_version=_version(built["form"]),
            **self.service_arguments(built),
        )
