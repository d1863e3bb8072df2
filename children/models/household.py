from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Township, Village
from accounts.scoping import AreaScopedQuerySet
from children import choices
from core.models import VersionedModel
from core.validators import mask_phone, validate_person_name, validate_phone


class HouseholdQuerySet(AreaScopedQuerySet):
    pass


class Household(VersionedModel):
    """家庭户: the children of one home (siblings) and the actual guardian they share.

    The guardian is kept here and copied onto each member child (the ledger's 实际监护人
    fields stay the child's own, as the 一人一表 requires): a change of guardian here is
    written to every member, each with its own history entry (services_households)."""

    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="households", verbose_name=_("乡镇")
    )
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="households", verbose_name=_("村/社区")
    )
    name = models.CharField(
        _("户名"), max_length=50, help_text=_("如：张家（祖母王某某户）"), db_index=True
    )
    address = models.CharField(_("现住址"), max_length=200, blank=True)
    guardian_name = models.CharField(
        _("实际监护人"), max_length=50, validators=[validate_person_name]
    )
    guardian_relation = models.CharField(
        _("与儿童关系"), max_length=30, choices=choices.GuardianRelation.choices, blank=True
    )
    guardian_phone = models.CharField(
        _("监护人电话"), max_length=20, blank=True, validators=[validate_phone]
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("家庭户")
        verbose_name_plural = _("家庭户")
        ordering = ["township__code", "village__code", "name", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("children:household_detail", args=[self.pk])

    @property
    def masked_guardian_phone(self) -> str:
        return mask_phone(self.guardian_phone)
