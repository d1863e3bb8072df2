"""Themed activities (「六一」 and everyday work), their campaign, partners, purchased services
and trainings (docs/domain.md §1).

Area rule: an activity, a purchased service and a training belong to a township, or to the
county when ``township`` is NULL. They have no village, so ``village_path = None``: a village
director sees the records of their own township; a township supervisor those of their
township; only county roles see county-level records (``area_q`` filters on ``township_id``,
which a NULL never matches).
"""

import datetime as dt
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Township
from accounts.scoping import AreaScopedQuerySet
from activities import choices
from activities.credit_code import validate_credit_code
from core.models import VersionedModel

REPORT_DEADLINE_MONTH_DAY = (6, 4)  # 每年6月4日前报送 (docs/domain.md §1)


def default_report_deadline(year: int) -> dt.date:
    month, day = REPORT_DEADLINE_MONTH_DAY
    return dt.date(year, month, day)


class Campaign(models.Model):
    """年度主题活动 (e.g. 2026年「润心伴成长，同心护未来」): its period and report deadline.

    The report deadline is a date: the township summary is due by the end of that day,
    Asia/Shanghai time (the county's notice says "6月4日前报送").
    """

    year = models.PositiveSmallIntegerField(
        _("年度"), unique=True, validators=[MinValueValidator(2000)]
    )
    theme = models.CharField(_("活动主题"), max_length=100, default=choices.DEFAULT_THEME)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    report_deadline = models.DateField(
        _("报送截止日期"), help_text=_("当日24时（北京时间）前报送；默认为当年6月4日。")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("年度主题活动")
        verbose_name_plural = _("年度主题活动")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="campaign_period_order"
            ),
        ]

    def __str__(self):
        return f"{self.year}年「{self.theme}」"

    def save(self, *args, **kwargs):
        if self.report_deadline is None and self.year:
            self.report_deadline = default_report_deadline(self.year)
        super().save(*args, **kwargs)

    def days_to_deadline(self, today: dt.date) -> int:
        """0 on the deadline day itself; negative once it has passed."""
        return (self.report_deadline - today).days


class PartnerOrganisationQuerySet(AreaScopedQuerySet):
    """Partners are a county-wide directory (everyone may see and pick them); ``visible_to``
    is used for *editing*: a partner belongs to the township that registered it, or to the
    county when ``township`` is NULL."""

    village_path = None


class PartnerOrganisation(VersionedModel):
    """合作组织: social organisations, enterprises, charities, schools, medical institutions
    and volunteer teams that take part in activities or provide purchased services."""

    name = models.CharField(_("组织名称"), max_length=100, unique=True)
    kind = models.CharField(_("组织类型"), max_length=20, choices=choices.PartnerKind.choices)
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
        help_text=_("18位，选填；填写时校验校验位。"),
    )
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    note = models.TextField(_("备注"), blank=True)
    township = models.ForeignKey(
        Township,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner_organisations",
        verbose_name=_("登记乡镇"),
        help_text=_("空表示县级登记。"),
    )

    objects = PartnerOrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("合作组织")
        verbose_name_plural = _("合作组织")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="partner_unique_credit_code",
            ),
        ]

    def __str__(self):
        return self.name


class TownshipScopedQuerySet(AreaScopedQuerySet):
    """Township records without a village; county-level rows (township NULL) are county-only."""

    village_path = None


class Activity(VersionedModel):
    """主题活动: one activity of a township (or of the county), with who took part and how."""

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("年度主题活动"),
        help_text=_("不属于年度主题活动的日常活动可留空。"),
        db_index=False,  # activity_campaign_township leads with it
    )
    township = models.ForeignKey(
        Township,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("乡镇"),
        help_text=_("空表示县级活动。"),
        db_index=False,  # activity_township_date leads with it
    )
    title = models.CharField(_("活动名称"), max_length=200)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    place = models.CharField(_("活动地点"), max_length=200, blank=True)
    organiser = models.CharField(_("组织单位"), max_length=200, blank=True)
    brand = models.CharField(_("活动品牌"), max_length=100, blank=True)
    featured_practice = models.TextField(_("特色做法"), blank=True)
    innovative_practice = models.TextField(_("创新做法"), blank=True)
    effect = models.TextField(_("活动成效"), blank=True)
    partners = models.ManyToManyField(
        PartnerOrganisation,
        blank=True,
        related_name="activities",
        verbose_name=_("合作组织"),
    )
    # Beneficiaries who are not in the ledger are counted, not named.
    guardians_count = models.PositiveIntegerField(_("监护人/家长人数"), default=0)
    other_children_count = models.PositiveIntegerField(_("其他儿童人数"), default=0)
    teachers_count = models.PositiveIntegerField(_("教师人数"), default=0)
    public_count = models.PositiveIntegerField(_("群众人数"), default=0)
    volunteers_count = models.PositiveIntegerField(_("志愿者人数"), default=0)

    objects = TownshipScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("主题活动")
        verbose_name_plural = _("主题活动")
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="activity_period_order"
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "township"], name="activity_campaign_township"),
            models.Index(fields=["township", "-start_date"], name="activity_township_date"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("activities:detail", args=[self.pk])

    @property
    def other_beneficiaries(self) -> int:
        return (
            self.guardians_count
            + self.other_children_count
            + self.teachers_count
            + self.public_count
        )


class ActivityFormat(models.Model):
    """活动形式 of an activity: one row per form, so reports count activities by form in SQL."""

    activity = models.ForeignKey(
        Activity,
        on_delete=models.CASCADE,
        related_name="formats",
        db_index=False,  # activity_format_unique leads with it
    )
    code = models.CharField(_("活动形式"), max_length=30, choices=choices.ActivityForm.choices)

    class Meta:
        verbose_name = _("活动形式")
        verbose_name_plural = _("活动形式")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "code"], name="activity_format_unique")
        ]
        indexes = [models.Index(fields=["code", "activity"], name="activity_format_code")]

    def __str__(self):
        return self.get_code_display()


class ActivityLeader(models.Model):
    """出席领导: a leader who took part in an activity (领导参与)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="leaders")
    name = models.CharField(_("姓名"), max_length=50)
    post = models.CharField(_("职务"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=choices.LeaderLevel.choices)

    class Meta:
        verbose_name = _("出席领导")
        verbose_name_plural = _("出席领导")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.post} {self.name}"


class ActivityChannel(models.Model):
    """宣传渠道 of an activity, with the link to the item when there is one."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="channels")
    channel = models.CharField(_("宣传渠道"), max_length=20, choices=choices.Channel.choices)
    link = models.URLField(_("链接"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("宣传渠道")
        verbose_name_plural = _("宣传渠道")
        ordering = ["pk"]

    def __str__(self):
        return self.get_channel_display()


class ParticipationQuerySet(AreaScopedQuerySet):
    township_path = "activity__township"
    village_path = None


class Participation(models.Model):
    """参与儿童: a ledger child who took part in an activity (one attendance, 一人次)."""

    # participation_unique (activity, child) and participation_child (child, activity) serve
    # every lookup by either: indexes on each alone would only make adding people dearer.
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="participants", db_index=False
    )
    child = models.ForeignKey(
        "children.Child",
        on_delete=models.PROTECT,
        related_name="activity_participations",
        db_index=False,
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        verbose_name = _("参与儿童")
        verbose_name_plural = _("参与儿童")
        constraints = [
            models.UniqueConstraint(fields=["activity", "child"], name="participation_unique")
        ]
        indexes = [models.Index(fields=["child", "activity"], name="participation_child")]

    def __str__(self):
        return f"{self.child} @ {self.activity}"


def _random_photo_name(instance, filename: str) -> str:
    # The stored name says nothing about the child or the place; the extension follows the
    # re-encoded format, never the uploaded name.
    suffix = PurePosixPath(filename).suffix.lower()
    return f"activities/{uuid.uuid4().hex}{suffix}"


def _random_thumb_name(instance, filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()
    return f"activities/thumbs/{uuid.uuid4().hex}{suffix}"


class ActivityPhotoQuerySet(AreaScopedQuerySet):
    township_path = "activity__township"
    village_path = None


class ActivityPhoto(models.Model):
    """活动照片: re-encoded without metadata, with a thumbnail; served only by a scoped view."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("照片"), upload_to=_random_photo_name, max_length=200)
    thumbnail = models.FileField(upload_to=_random_thumb_name, max_length=200)
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    size_bytes = models.PositiveIntegerField(default=0)
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ActivityPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")
        ordering = ["pk"]

    def __str__(self):
        return self.caption or f"{self.activity} #{self.pk}"


class PurchasedService(VersionedModel):
    """购买服务: a service bought from a partner organisation for the children of an area."""

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="purchased_services",
        verbose_name=_("年度主题活动"),
    )
    township = models.ForeignKey(
        Township,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="purchased_services",
        verbose_name=_("乡镇"),
        help_text=_("空表示县级购买。"),
    )
    organisation = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.PROTECT,
        related_name="purchased_services",
        verbose_name=_("服务机构"),
    )
    content = models.TextField(_("服务内容"))
    start_date = models.DateField(_("服务开始日期"))
    end_date = models.DateField(_("服务结束日期"))
    amount = models.DecimalField(
        _("金额（元）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    children = models.ManyToManyField(
        "children.Child",
        blank=True,
        related_name="purchased_services",
        verbose_name=_("服务台账儿童"),
    )
    # Children served who are not in the ledger are counted, not named; the total served is
    # computed (ledger children + this count), never typed.
    other_children_count = models.PositiveIntegerField(_("台账外服务儿童人数"), default=0)

    objects = TownshipScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("购买服务")
        verbose_name_plural = _("购买服务")
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="service_period_order"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="service_amount_positive"),
        ]

    def __str__(self):
        return f"{self.organisation} {self.start_date:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("activities:service_detail", args=[self.pk])


class Training(VersionedModel):
    """培训/专题讲座 for child supervisors and child directors (系统培训、专题讲座)."""

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trainings",
        verbose_name=_("年度主题活动"),
    )
    township = models.ForeignKey(
        Township,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trainings",
        verbose_name=_("乡镇"),
        help_text=_("空表示县级培训。"),
    )
    kind = models.CharField(
        _("类型"),
        max_length=10,
        choices=choices.TrainingKind.choices,
        default=choices.TrainingKind.TRAINING,
    )
    date = models.DateField(_("日期"))
    topic = models.CharField(_("主题"), max_length=200)
    trainer = models.CharField(_("授课人"), max_length=100)
    hours = models.DecimalField(
        _("学时"), max_digits=4, decimal_places=1, validators=[MinValueValidator(0)]
    )
    place = models.CharField(_("地点"), max_length=200, blank=True)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="trainings_attended",
        verbose_name=_("参训人员（平台用户）"),
    )
    # Counts by role include attendees without an account; each is at least the number of
    # picked accounts of that role (checked by the service).
    supervisors_count = models.PositiveIntegerField(_("儿童督导员人数"), default=0)
    directors_count = models.PositiveIntegerField(_("儿童主任人数"), default=0)
    others_count = models.PositiveIntegerField(_("其他人员人数"), default=0)

    objects = TownshipScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("培训/专题讲座")
        verbose_name_plural = _("培训/专题讲座")
        ordering = ["-date", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(hours__gte=0), name="training_hours")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.topic}"

    def get_absolute_url(self):
        return reverse("activities:training_detail", args=[self.pk])

    @property
    def attendee_total(self) -> int:
        return self.supervisors_count + self.directors_count + self.others_count


# The notice's records that are not activities live in their own module; imported here so
# that Django registers them with the app.
from activities.notice_records import ActivityPlan, NeedFound, RoleModelStory  # noqa: E402, F401
