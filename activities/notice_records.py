"""The notice's items that are not activities (notice.txt 三(一), 四(一), 四(三)): the
township's 活动方案 and when it was reported to the 党委政府, the 励志故事/榜样 used in
爱国主义教育, and the needs found (摸清需求、急难愁盼) with whether and when they were solved.

Area rule as for activities: a record belongs to a township, or to the county when
``township`` is NULL (county-only); no village.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Township
from accounts.scoping import AreaScopedQuerySet


class NeedKind(models.TextChoices):
    """急难愁盼 by kind (notice 四(三): 心理咨询、问诊就医、学校融入 and the rest)."""

    COUNSELLING = "counselling", _("心理咨询")
    MEDICAL = "medical", _("问诊就医")
    SCHOOL = "school", _("学校融入")
    LIVING = "living", _("生活困难")
    GUARDIANSHIP = "guardianship", _("监护照料")
    OTHER = "other", _("其他")


class NoticeRecordQuerySet(AreaScopedQuerySet):
    village_path = None


class NoticeRecord(models.Model):
    """What the three records share: the campaign, the area, who wrote it and when."""

    campaign = models.ForeignKey(
        "activities.Campaign",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("年度主题活动"),
    )
    township = models.ForeignKey(
        Township,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("乡镇"),
        help_text=_("空表示县级。"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NoticeRecordQuerySet.as_manager()

    class Meta:
        abstract = True

    url_name = ""

    def get_absolute_url(self):
        return reverse(f"activities:{self.url_name}_edit", args=[self.pk])


class ActivityPlan(NoticeRecord):
    """活动方案: the township's plan for the campaign and the day it was reported to the
    township's Party committee and government (认真制定活动方案…积极向乡镇党委、政府汇报)."""

    title = models.CharField(_("方案名称"), max_length=200)
    content = models.TextField(_("方案内容"), help_text=_("方案正文或要点。"))
    reported_to_party_on = models.DateField(
        _("向党委政府汇报日期"), null=True, blank=True, help_text=_("尚未汇报的留空。")
    )
    issues_raised = models.TextField(
        _("提请研究解决的问题"),
        blank=True,
        help_text=_("人员力量、工作保障、资金支持等方面的问题和困难。"),
    )

    url_name = "plan"

    class Meta:
        verbose_name = _("活动方案")
        verbose_name_plural = _("活动方案")
        ordering = ["-campaign__year", "township__code", "-pk"]

    def __str__(self):
        return self.title


class RoleModelStory(NoticeRecord):
    """励志故事/榜样: a story of growing up well, used in 爱国主义教育 and other activities.
    Names the role model as the township chooses to (a child's story may be anonymised)."""

    title = models.CharField(_("故事标题"), max_length=200)
    role_model = models.CharField(
        _("榜样"), max_length=100, help_text=_("可写化名，如「某村困境儿童小李」。")
    )
    story = models.TextField(_("故事内容"))
    activity = models.ForeignKey(
        "activities.Activity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stories",
        verbose_name=_("用于的活动"),
    )

    url_name = "story"

    class Meta:
        verbose_name = _("励志故事/榜样")
        verbose_name_plural = _("励志故事/榜样")
        ordering = ["-campaign__year", "township__code", "-pk"]

    def __str__(self):
        return self.title


class NeedFound(NoticeRecord):
    """摸清的需求（急难愁盼）: what is needed, for which ledger child or group, by when, and
    whether it was resolved."""

    kind = models.CharField(_("需求类别"), max_length=20, choices=NeedKind.choices)
    description = models.TextField(_("需求内容"))
    child = models.ForeignKey(
        "children.Child",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="needs_found",
        verbose_name=_("台账儿童"),
    )
    group = models.CharField(
        _("群体"),
        max_length=200,
        blank=True,
        help_text=_("不针对单个儿童时填写，如「某村留守儿童」。"),
    )
    found_on = models.DateField(_("发现日期"))
    due_on = models.DateField(_("计划解决日期"), null=True, blank=True)
    resolved_on = models.DateField(_("解决日期"), null=True, blank=True)
    resolution = models.TextField(_("解决情况"), blank=True)

    url_name = "need"

    class Meta:
        verbose_name = _("摸清需求（急难愁盼）")
        verbose_name_plural = _("摸清需求（急难愁盼）")
        ordering = ["-found_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(child__isnull=False) | ~Q(group=""), name="need_for_child_or_group"
            ),
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=models.F("found_on")),
                name="need_resolved_after_found",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.found_on:%Y-%m-%d}"

    @property
    def for_whom(self) -> str:
        return str(self.child) if self.child_id else self.group
