from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.scoping import AreaScopedQuerySet
from care import choices
from care.models.screening import ChildScopedQuerySet
from core.models import VersionedModel
from core.validators import mask_phone


class Mentor(models.Model):
    """结对帮扶人: a teacher, child director, social worker or volunteer (usually not a user).

    County-wide reference data; a mentor may be paired with several children."""

    name = models.CharField(_("姓名"), max_length=50)
    kind = models.CharField(_("类型"), max_length=20, choices=choices.MentorType.choices)
    organisation = models.CharField(_("工作单位"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    is_active = models.BooleanField(_("可选用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("结对帮扶人")
        verbose_name_plural = _("结对帮扶人")
        ordering = ["name", "pk"]

    def __str__(self):
        if self.organisation:
            return f"{self.name}（{self.organisation}）"
        return self.name

    def get_absolute_url(self):
        return reverse("care:mentor_detail", args=[self.pk])

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class PairingQuerySet(ChildScopedQuerySet):
    def active(self):
        return self.filter(status=choices.PairingStatus.ACTIVE)


class Pairing(VersionedModel):
    """结对帮扶: a mentor paired with a child, followed up every ``interval_days``."""

    child = models.ForeignKey(
        "children.Child",
        on_delete=models.PROTECT,
        related_name="pairings",
        verbose_name=_("儿童"),
    )
    mentor = models.ForeignKey(
        Mentor, on_delete=models.PROTECT, related_name="pairings", verbose_name=_("结对帮扶人")
    )
    # The referral whose discharge (已出院) led to this pairing, when there was one.
    referral = models.ForeignKey(
        "care.Referral",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pairings",
        verbose_name=_("来源转介"),
    )
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    interval_days = models.PositiveSmallIntegerField(
        _("随访间隔（天）"),
        default=choices.DEFAULT_FOLLOW_UP_INTERVAL_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=choices.PairingStatus.choices,
        default=choices.PairingStatus.ACTIVE,
        db_index=True,
    )
    # Kept by the services (last follow-up, or the start, plus the interval; NULL once the
    # pairing has ended) so due and overdue lists are plain indexed SQL filters.
    next_follow_up_on = models.DateField(_("下次随访日期"), null=True, blank=True, db_index=True)
    note = models.TextField(_("帮扶内容"), blank=True)
    # Required and not editable in forms, labelled: as the tables were created.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = PairingQuerySet.as_manager()

    class Meta:
        verbose_name = _("结对帮扶")
        verbose_name_plural = _("结对帮扶")
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="pairing_ended_has_date",
                condition=Q(status="active") | Q(status="ended", ended_on__isnull=False),
                violation_error_message=_("结束结对须填写结束日期。"),
            ),
            models.CheckConstraint(
                name="pairing_end_after_start",
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
        ]

    def __str__(self):
        return _("%(mentor)s 结对 %(child)s") % {"mentor": self.mentor.name, "child": self.child}

    def get_absolute_url(self):
        return reverse("care:pairing_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status == choices.PairingStatus.ACTIVE


class FollowUpQuerySet(AreaScopedQuerySet):
    township_path = "pairing__child__township"
    village_path = "pairing__child__village"


class FollowUp(models.Model):
    """定期随访: one follow-up of a paired child."""

    pairing = models.ForeignKey(
        Pairing,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        verbose_name=_("结对帮扶"),
        db_index=False,  # followup_pairing_date leads with it
    )
    followed_on = models.DateField(_("随访日期"))
    by_name = models.CharField(_("随访人"), max_length=50)
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("随访人账号"),
    )
    condition = models.TextField(_("儿童近况"))
    next_step = models.TextField(_("下一步安排"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("定期随访")
        verbose_name_plural = _("定期随访")
        ordering = ["-followed_on", "-pk"]
        indexes = [models.Index(fields=["pairing", "-followed_on"], name="followup_pairing_date")]

    def __str__(self):
        return _("随访 %(date)s") % {"date": f"{self.followed_on:%Y-%m-%d}"}
