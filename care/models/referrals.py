from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.scoping import AreaScopedQuerySet
from care import choices
from care.models.screening import ChildScopedQuerySet
from core.models import VersionedModel


class Institution(models.Model):
    """转介机构: county-wide register of the places children are referred to."""

    name = models.CharField(_("机构名称"), max_length=100, unique=True)
    kind = models.CharField(_("机构类型"), max_length=30, choices=choices.InstitutionType.choices)
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    is_active = models.BooleanField(_("可选用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("转介机构")
        verbose_name_plural = _("转介机构")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name


class ReferralQuerySet(ChildScopedQuerySet):
    pass


class Referral(VersionedModel):
    """转介: a child referred (through the guardian) to an institution, and what came of it."""

    child = models.ForeignKey(
        "children.Child",
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("儿童"),
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("转介机构")
    )
    reason = models.TextField(_("转介原因"))
    referred_on = models.DateField(_("转介日期"))
    guardian_consent = models.BooleanField(_("已征得监护人同意"), default=False)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=choices.ReferralStatus.choices,
        default=choices.ReferralStatus.REFERRED,
        db_index=True,
    )
    status_on = models.DateField(_("状态日期"))
    feedback = models.TextField(_("机构反馈"), blank=True)
    # Required and not editable in forms, labelled: as the tables were created.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("转介")
        verbose_name_plural = _("转介")
        ordering = ["-referred_on", "-pk"]
        indexes = [models.Index(fields=["status", "child"], name="referral_status_child")]

    def __str__(self):
        return _("转介至%(inst)s（%(date)s）") % {
            "inst": self.institution.name,
            "date": f"{self.referred_on:%Y-%m-%d}",
        }

    def get_absolute_url(self):
        return reverse("care:referral_detail", args=[self.pk])

    @property
    def allowed_next(self) -> list[str]:
        order = choices.ReferralStatus.values
        return sorted(choices.REFERRAL_TRANSITIONS[self.status], key=order.index)

    @property
    def is_discharged(self) -> bool:
        return self.status == choices.ReferralStatus.DISCHARGED


class ReferralStatusChangeQuerySet(AreaScopedQuerySet):
    township_path = "referral__child__township"
    village_path = "referral__child__village"


class ReferralStatusChange(models.Model):
    """转介状态变更: every status of a referral, dated, kept for good (the first row is
    the referral itself: from "" to 已转介)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(
        _("原状态"), max_length=20, choices=choices.ReferralStatus.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=20, choices=choices.ReferralStatus.choices)
    changed_on = models.DateField(_("变更日期"))
    reason = models.TextField(_("说明"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = ReferralStatusChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("转介状态变更")
        verbose_name_plural = _("转介状态变更")
        ordering = ["changed_on", "pk"]

    def __str__(self):
        return f"{self.changed_on:%Y-%m-%d} {self.get_to_status_display()}"
