from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.choices import COUNTY_ROLES, Role, VillageChangeKind, VillageStatus
from accounts.village_names import ledger_name
from core.validators import normalize_phone, validate_phone


class Township(models.Model):
    """乡镇: one of the county's ten townships, keyed by its NBS code."""

    code = models.CharField(_("统计用区划代码"), max_length=12, unique=True)
    name = models.CharField(_("乡镇名称"), max_length=50, unique=True)
    former_name = models.CharField(_("曾用名"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("乡镇")
        verbose_name_plural = _("乡镇")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Village(models.Model):
    """村/社区: village names repeat across townships, so a village is keyed by its official
    code (国家统计局 统计用区划代码). A village is never deleted: one that was merged into
    another (撤并) or left out of a newer official list is marked 已撤并 and kept, because
    its history and the records that once pointed at it stay."""

    township = models.ForeignKey(
        Township,
        on_delete=models.PROTECT,
        related_name="villages",
        verbose_name=_("乡镇"),
        db_index=False,  # village_unique_name leads with it
    )
    code = models.CharField(_("统计用区划代码"), max_length=15, unique=True)
    # The ledger's short name (山东村, 城南社区); the official list's 山东村委会 and
    # 城南社区居委会 are the same place (accounts.village_names.ledger_name).
    name = models.CharField(_("村/社区名称"), max_length=50)
    status = models.CharField(
        _("状态"), max_length=10, choices=VillageStatus.choices, default=VillageStatus.ACTIVE
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        verbose_name=_("并入"),
    )
    retired_on = models.DateField(_("撤并日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("村/社区")
        verbose_name_plural = _("村/社区")
        ordering = ["township__code", "code"]
        permissions = [("merge_village", _("村/社区撤并与拆分"))]
        constraints = [
            models.UniqueConstraint(fields=["township", "name"], name="village_unique_name"),
        ]

    def __str__(self):
        return f"{self.township.name} {self.name}"

    def clean(self):
        """The admin's checks, worded at their fields: the ledger's form of the name, once
        per township; a 12-digit code within the township's."""
        super().clean()
        errors = {}
        self.name = ledger_name(self.name)
        if self.township_id and self.name:
            same = (
                Village.objects.filter(township_id=self.township_id)
                .exclude(pk=self.pk)
                .only("name")
            )
            twin = next((v for v in same if ledger_name(v.name) == self.name), None)
            if twin is not None:
                errors["name"] = _(
                    "本乡镇已有「%(name)s」，与此名称是同一个村/社区（“村委会”等后缀不计），"
                    "请勿重复添加。"
                ) % {"name": twin.name}
        if self.code and self.township_id:
            if not (self.code.isdigit() and len(self.code) in (12, 15)):
                errors["code"] = _("村代码应为12位数字")
            elif not self.code.startswith(self.township.code):
                errors["code"] = _("村代码与乡镇代码不符")
        if errors:
            raise ValidationError(errors)

    @property
    def is_active(self) -> bool:
        return self.status == VillageStatus.ACTIVE


class VillageChange(models.Model):
    """区划变更记录: one row per change to the list of villages — a load of the official list,
    a merge (撤并) or split — with who did it and what moved, so the county can always answer
    "where did this village's children go, and who decided"."""

    kind = models.CharField(_("变更类型"), max_length=10, choices=VillageChangeKind.choices)
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="changes", verbose_name=_("村/社区")
    )
    target = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("并入/拆入"),
    )
    actor = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    # {"field": [before, after]} for a load; {"children": n, "visits": n, "accounts": n} for
    # a merge or split.
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("区划变更记录")
        verbose_name_plural = _("区划变更记录")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.village}"


class User(AbstractUser):
    """平台用户: a member of staff with one role and the area that role works in."""

    name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices, blank=True)
    township = models.ForeignKey(
        Township,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("所属乡镇"),
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("所属村/社区"),
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        permissions = [("manage_users", _("管理用户与角色"))]

    def __str__(self):
        return self.name or self.username

    def clean(self):
        super().clean()
        # One phone rule everywhere (the ledger's, core.validators).
        if self.phone:
            try:
                validate_phone(self.phone)
            except ValidationError as exc:
                raise ValidationError({"phone": exc.messages}) from exc
            self.phone = normalize_phone(self.phone)
        # The area must fit the role, otherwise the scoping rule has nothing sound to go on.
        if self.role in COUNTY_ROLES and (self.township_id or self.village_id):
            raise ValidationError(_("县级角色不应指定乡镇或村/社区。"))
        if self.role == Role.TOWNSHIP_SUPERVISOR and not self.township_id:
            raise ValidationError({"township": _("乡镇儿童督导员必须指定所属乡镇。")})
        if self.role == Role.TOWNSHIP_SUPERVISOR and self.village_id:
            raise ValidationError({"village": _("乡镇儿童督导员不应指定村/社区。")})
        if self.role == Role.VILLAGE_DIRECTOR:
            if not self.village_id:
                raise ValidationError({"village": _("村/居儿童主任必须指定所属村/社区。")})
            if self.township_id and self.village.township_id != self.township_id:
                raise ValidationError({"village": _("所选村/社区不属于所选乡镇。")})

    def save(self, *args, **kwargs):
        # A village director's township always follows the village.
        if self.role == Role.VILLAGE_DIRECTOR and self.village_id:
            self.township_id = self.village.township_id
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.name or self.username

    @property
    def area_label(self) -> str:
        if self.role in COUNTY_ROLES:
            return str(_("龙胜各族自治县"))
        if self.village_id:
            return str(self.village)
        if self.township_id:
            return self.township.name
        return str(_("未指定"))


class AccessAction(models.TextChoices):
    VIEW_CHILD = "view_child", _("查看儿童档案")
    REVEAL_ID = "reveal_id", _("查看完整身份证号/电话")
    VIEW_SCREENING = "view_screening", _("查看测评详情")
    VIEW_INCIDENT = "view_incident", _("查看强制报告")
    EXPORT = "export", _("导出")
    DOWNLOAD = "download", _("下载导出文件")
    IMPORT = "import", _("导入")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKED_OUT = "locked_out", _("账号锁定")
    DENIED = "denied", _("拒绝访问")


class AccessLogQuerySet(models.QuerySet):
    def delete(self):
        raise PermissionError("access log entries cannot be deleted")

    def update(self, **kwargs):
        raise PermissionError("access log entries cannot be changed")


class AccessLog(models.Model):
    """访问日志: every sensitive read (child page, full ID, screening details, export) and
    every failed login or denied access. Append-only: the application never edits or
    deletes an entry; ``prune_access_log`` removes entries past the retention period."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_log",
        verbose_name=_("用户"),
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=20, choices=AccessAction.choices)
    target_type = models.CharField(_("对象类型"), max_length=50, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=50, blank=True)
    target_label = models.CharField(_("对象"), max_length=200, blank=True)
    path = models.CharField(_("地址"), max_length=500, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("访问日志")
        verbose_name_plural = _("访问日志")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="accesslog_target")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("access log entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("access log entries cannot be deleted")


class SecurityPolicy(models.Model):
    """安全策略: county-wide security switches the county admin sets in the admin. One row."""

    require_otp_for_county_roles = models.BooleanField(
        _("县级角色必须使用两步验证"),
        default=False,
        help_text=_(
            "开启后，县未保中心管理员和工作人员登录时须输入动态验证码（首次登录时绑定验证器）。"
            "对已登录的用户，下次登录时生效。"
        ),
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("安全策略")
        verbose_name_plural = _("安全策略")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="securitypolicy_singleton")
        ]

    def __str__(self):
        return str(_("安全策略"))

    def save(self, *args, **kwargs):
        self.pk = 1  # one policy for the county
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("the security policy cannot be deleted")

    @classmethod
    def current(cls) -> "SecurityPolicy":
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy
