import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Township, Village
from accounts.scoping import AreaScopedQuerySet
from children import choices
from children.pinyin import pinyin_keys
from core.fields import BlindIndexField, EncryptedTextField, with_blind_indexes
from core.models import VersionedModel
from core.validators import (
    ADULT_AGE,
    check_birth_date,
    check_id_state,
    check_record_date,
    mask_id_number,
    mask_phone,
    normalize_document_number,
    normalize_phone,
    validate_person_name,
    validate_phone,
    years_between,
)

PHONE_FIELDS = ("father_phone", "mother_phone", "guardian_phone")


class ChildQuerySet(AreaScopedQuerySet):
    def active(self):
        return self.filter(status=choices.CaseStatus.ACTIVE)


class Child(VersionedModel):
    """困境儿童 (one row of the 台账, 一人一表). Never deleted: closed with a reason (结案)."""

    # Identity
    name = models.CharField(_("姓名"), max_length=50, validators=[validate_person_name])
    sex = models.CharField(_("性别"), max_length=1, choices=choices.Sex.choices)
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True)
    birth_date = models.DateField(_("出生日期"))
    # Encrypted at rest (core/fields.py); looked up and kept unique through its keyed
    # hash, id_number_hash. NULL for 未登记户口 and the other states (NULLs never collide).
    id_number = EncryptedTextField(
        _("公民身份号码"), max_length=18, null=True, blank=True, blind_index="id_number_hash"
    )
    id_number_hash = BlindIndexField(source="id_number", unique=True)
    # The last 4 characters, keyed: the ledger search by the tail of an ID number.
    id_number_tail_hash = BlindIndexField(source="id_number", suffix=4, db_index=True)
    no_hukou = models.BooleanField(_("未登记户口"), default=False)
    # A child with a number not yet collected (身份证号待补录) has a date by which the
    # director must enter it; the director's list shows it.
    id_pending = models.BooleanField(_("身份证号待补录"), default=False)
    id_due_on = models.DateField(_("补录期限"), null=True, blank=True)
    document_type = models.CharField(
        _("其他证件类型"), max_length=30, choices=choices.IdDocumentType.choices, blank=True
    )
    document_number = EncryptedTextField(
        _("证件号码"), max_length=30, blank=True, blind_index="document_number_hash"
    )
    document_number_hash = BlindIndexField(source="document_number", db_index=True)
    is_synthetic = models.BooleanField(_("合成演示数据"), default=False, editable=False)
    # Search keys for 张小花 → zhangxiaohua / zxh, kept in step with the name on save.
    # Indexed by the prefix indexes and child_status_names in Meta (a plain index of each
    # would only duplicate them, and cost every insert and rename four more index writes).
    name_pinyin = models.CharField(max_length=200, blank=True, editable=False)
    name_initials = models.CharField(max_length=50, blank=True, editable=False)

    # Address
    household_registration = models.CharField(_("户籍地"), max_length=200, blank=True)
    township = models.ForeignKey(
        Township,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("乡镇"),
        db_index=False,  # child_township_ledger below leads with it
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("村/社区"),
        db_index=False,  # child_village_names leads with it
    )
    group = models.CharField(_("组"), max_length=50, blank=True)
    address = models.CharField(_("现住址"), max_length=200, blank=True)

    # Health
    health = models.CharField(
        _("健康状况"),
        max_length=20,
        choices=choices.HealthStatus.choices,
        default=choices.HealthStatus.HEALTHY,
    )
    disability_type = models.CharField(
        _("残疾类别"), max_length=20, choices=choices.DisabilityType.choices, blank=True
    )
    disability_grade = models.CharField(
        _("残疾等级"), max_length=2, choices=choices.DisabilityGrade.choices, blank=True
    )
    illness = models.CharField(_("所患疾病"), max_length=200, blank=True)

    # School
    school_stage = models.CharField(
        _("就学情况"), max_length=30, choices=choices.SchoolStage.choices, blank=True
    )
    school = models.CharField(_("学校"), max_length=100, blank=True)
    grade = models.CharField(_("年级"), max_length=20, blank=True)
    boarding = models.BooleanField(_("寄宿"), default=False)

    # Parents
    father_name = models.CharField(
        _("父亲姓名"), max_length=50, blank=True, validators=[validate_person_name]
    )
    father_phone = EncryptedTextField(
        _("父亲电话"), max_length=20, blank=True, validators=[validate_phone]
    )
    father_status = models.CharField(
        _("父亲状况"), max_length=30, choices=choices.ParentStatus.choices, blank=True
    )
    father_work_place = models.CharField(_("父亲务工地"), max_length=100, blank=True)
    mother_name = models.CharField(
        _("母亲姓名"), max_length=50, blank=True, validators=[validate_person_name]
    )
    mother_phone = EncryptedTextField(
        _("母亲电话"), max_length=20, blank=True, validators=[validate_phone]
    )
    mother_status = models.CharField(
        _("母亲状况"), max_length=30, choices=choices.ParentStatus.choices, blank=True
    )
    mother_work_place = models.CharField(_("母亲务工地"), max_length=100, blank=True)

    # Actual guardian
    guardian_name = models.CharField(
        _("实际监护人"), max_length=50, blank=True, validators=[validate_person_name]
    )
    guardian_relation = models.CharField(
        _("与儿童关系"), max_length=30, choices=choices.GuardianRelation.choices, blank=True
    )
    guardian_phone = EncryptedTextField(
        _("监护人电话"), max_length=20, blank=True, validators=[validate_phone]
    )
    # 家庭户: siblings sharing a home and a guardian (set only by services_households).
    household = models.ForeignKey(
        "children.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("家庭户"),
        editable=False,
    )
    guardianship_assessment = models.CharField(
        _("监护情况评估"),
        max_length=10,
        choices=choices.GuardianshipAssessment.choices,
        blank=True,
    )

    # Service
    benefit_category = models.CharField(
        _("保障类别"),
        max_length=30,
        choices=choices.BenefitCategory.choices,
        default=choices.BenefitCategory.NONE,
    )
    risk_level = models.CharField(
        _("风险等级"),
        max_length=10,
        choices=choices.RiskLevel.choices,
        default=choices.RiskLevel.YELLOW,
        db_index=True,
    )
    responsible_director = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responsible_for",
        verbose_name=_("责任儿童主任"),
    )
    # An Excel cell holds at most 32,767 characters and the ledger goes to Excel and back:
    # a longer text could not be exported whole.
    support_measures = models.TextField(_("帮扶措施"), blank=True, max_length=32767)

    # Status
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=choices.CaseStatus.choices,
        default=choices.CaseStatus.ACTIVE,
        db_index=True,
    )
    registered_on = models.DateField(_("登记日期"), default=timezone.localdate)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    close_reason = models.CharField(
        _("结案原因"), max_length=20, choices=choices.CloseReason.choices, blank=True
    )
    close_note = models.CharField(_("结案说明"), max_length=200, blank=True)

    # Record keeping (填表人/复核人/填报日期)
    filled_by = models.CharField(_("填表人"), max_length=50, blank=True)
    reviewed_by = models.CharField(_("复核人"), max_length=50, blank=True)
    filled_on = models.DateField(_("填报日期"), null=True, blank=True)

    # Not editable in forms: as the table was created (VersionedModel has the rest).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        editable=False,
    )

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("困境儿童")
        verbose_name_plural = _("困境儿童")
        ordering = ["township__code", "village__code", "name_pinyin", "pk"]
        permissions = [
            ("reveal_id", _("查看完整身份证号与电话")),
            ("export_ledger", _("导出台账")),
            ("import_ledger", _("导入台账")),
            ("transfer_child", _("转移儿童至其他乡镇/村")),
            ("close_child", _("结案与恢复")),
            ("view_access_log", _("查看访问日志")),
        ]
        indexes = [
            # A township's report and dashboards count its children a dozen ways (ledger,
            # circumstances, screenings, visits…): with every column those counts read in the
            # key, PostgreSQL answers them from the index alone instead of visiting a heap
            # page per child (the township summary at 100,000 children: 320 → 180 ms,
            # bench/RESULTS.md). Its leading (township, status) serves the lists as before.
            models.Index(
                fields=[
                    "township",
                    "status",
                    "registered_on",
                    "closed_on",
                    "risk_level",
                    "benefit_category",
                    "created_at",
                    "id",
                ],
                name="child_township_ledger",
            ),
            # A village's children by name initials (prefix ranges: the pattern operator
            # class, as below), then the status: the lists of village staff, and a search's
            # page walked village by village in the ledger's order, each village's matches
            # read from a range of this index (a township supervisor's one-letter search at
            # 100,000 children: 7 ms → 0.7 ms, psql).
            models.Index(
                fields=["village", "name_initials", "status"],
                name="child_village_names",
                opclasses=["int8_ops", "varchar_pattern_ops", "text_ops"],
            ),
            models.Index(fields=["name", "birth_date"], name="child_name_birth"),
            # Prefix search (张小花 by "zxh") on PostgreSQL under a non-C collation needs the
            # pattern operator class; other databases ignore opclasses.
            models.Index(
                fields=["name_pinyin"],
                name="child_pinyin_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["name_initials"],
                name="child_initials_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
            # The ledger list counts the matches of a search up to COUNT_BOUND (children/
            # pagination.py): "zh" matches a quarter of a county, and that count read a heap
            # row per child (10,001 at 100,000 children, 29 ms of the page). With the status,
            # both search keys and the township in one key, PostgreSQL counts from the index
            # alone, the county's and a township's alike (9 and 4 ms). The search keys in
            # the pattern operator class: a search's first letter (children.selectors.
            # search_q) is then a range of the index rather than a filter over every active
            # child (the count for "l" at 100,000: 3.5 → 2.0 ms, psql).
            models.Index(
                fields=["status", "name_initials", "name_pinyin", "township"],
                name="child_status_names",
                opclasses=["text_ops", "varchar_pattern_ops", "varchar_pattern_ops", "int8_ops"],
            ),
            # The same for a township supervisor, whose list is scoped to the township and its
            # villages: township first, and the village for the scope's join. Without it the
            # count of the largest township's active children (17,000 at 100,000 children)
            # read the table: 31 ms without a search, 24 ms with one; 3 ms from this index.
            # The search keys before the status: a supervisor searches every status, and the
            # first letter is then a range of the index (the count for "w" in the largest
            # township at 100,000: 2.0 ms filtering 15,000 entries, 0.7 ms reading a range of
            # 1,500).
            models.Index(
                fields=["township", "name_initials", "name_pinyin", "status", "village"],
                name="child_township_names",
                opclasses=[
                    "int8_ops",
                    "varchar_pattern_ops",
                    "varchar_pattern_ops",
                    "text_ops",
                    "int8_ops",
                ],
            ),
        ]
        constraints = [
            # Exactly one identity: an ID number, 未登记户口, 身份证号待补录 (with its due
            # date) or another document. Child.clean() words each violation at its field.
            models.CheckConstraint(
                condition=(
                    Q(id_number__isnull=False, no_hukou=False, id_pending=False, document_type="")
                    | Q(id_number__isnull=True, no_hukou=True, id_pending=False, document_type="")
                    | Q(
                        id_number__isnull=True,
                        no_hukou=False,
                        id_pending=True,
                        id_due_on__isnull=False,
                        document_type="",
                    )
                    | (
                        Q(id_number__isnull=True, no_hukou=False, id_pending=False)
                        & ~Q(document_type="")
                        & ~Q(document_number="")
                    )
                ),
                name="child_id_or_no_hukou",
                violation_error_message=_("请填写公民身份号码，或选择一种无身份证号的情形。"),
            ),
            models.CheckConstraint(
                condition=Q(status="active", closed_on__isnull=True)
                | Q(status="closed", closed_on__isnull=False),
                name="child_closed_has_date",
                violation_error_message=_("结案须填写结案日期；在册儿童不能有结案日期。"),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_pinyin, self.name_initials = pinyin_keys(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            if "name" in update_fields:
                update_fields = {*update_fields, "name_pinyin", "name_initials"}
            kwargs["update_fields"] = with_blind_indexes(Child, update_fields)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("children:detail", args=[self.pk])

    def clean(self):
        """The rules behind the constraints and the identity fields, each worded at the field
        to correct, so that no database message ever reaches a page. Dates are checked
        against birth and today here; "under 18 at registration" needs the registration
        date, which a new child gets from its form or service."""
        super().clean()
        for name in PHONE_FIELDS:
            setattr(self, name, normalize_phone(getattr(self, name)))
        self.document_number = normalize_document_number(self.document_number)
        errors: dict[str, list] = {}

        def collect(check, *args, **kwargs):
            try:
                check(*args, **kwargs)
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    errors.setdefault(field, []).extend(messages)

        collect(
            check_id_state,
            id_number=self.id_number,
            no_hukou=self.no_hukou,
            id_pending=self.id_pending,
            id_due_on=self.id_due_on,
            document_type=self.document_type,
            document_number=self.document_number,
        )
        if self.birth_date:
            # An existing child's age is checked on the day it was registered: a child
            # who has since turned 18 stays on the ledger until closed (年满18周岁).
            collect(check_birth_date, self.birth_date, registered_on=self.registered_on)
        for name in ("registered_on", "filled_on"):
            collect(
                check_record_date,
                getattr(self, name),
                field=name,
                label=str(self._meta.get_field(name).verbose_name),
                birth_date=self.birth_date,
            )
        if self.status == choices.CaseStatus.CLOSED and not self.closed_on:
            errors.setdefault("closed_on", []).append(_("结案时请填写结案日期。"))
        if self.status == choices.CaseStatus.ACTIVE and self.closed_on:
            self.closed_on = None
        if self.closed_on:
            collect(
                check_record_date,
                self.closed_on,
                field="closed_on",
                label=str(_("结案日期")),
                birth_date=self.birth_date,
            )
        if errors:
            raise ValidationError(errors)

    @property
    def is_active(self) -> bool:
        return self.status == choices.CaseStatus.ACTIVE

    @property
    def masked_id_number(self) -> str:
        """How pages identify the child: the masked ID number, or which state stands in
        for it."""
        return masked_id_display(
            self.id_number,
            id_pending=self.id_pending,
            id_due_on=self.id_due_on,
            document_type=self.document_type,
            document_number=self.document_number,
        )

    @property
    def is_adult(self) -> bool:
        """Has turned 18: still on the ledger until closed with 年满18周岁."""
        return self.age >= ADULT_AGE

    @property
    def masked_guardian_phone(self) -> str:
        return mask_phone(self.guardian_phone)

    def age_on(self, day) -> int:
        return age_on(self.birth_date, day)

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())


def masked_id_display(
    id_number: str | None,
    *,
    id_pending: bool = False,
    id_due_on: dt.date | None = None,
    document_type: str = "",
    document_number: str = "",
) -> str:
    """What pages show for a child's identity: the masked ID number; 身份证号待补录 with its
    due date; another document's type and masked number; or 未登记户口."""
    if id_number:
        return mask_id_number(id_number)
    if id_pending:
        if id_due_on:
            return _("身份证号待补录（期限 %(date)s）") % {"date": id_due_on.isoformat()}
        return str(_("身份证号待补录"))
    if document_type:
        label = choices.IdDocumentType(document_type).label
        return f"{label} {mask_id_number(document_number)}"
    return str(_("未登记户口"))


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Full years of age on ``day``."""
    return years_between(birth_date, day)


class ChildCircumstance(models.Model):
    """困境情形 of a child: one row per circumstance, so reports can count them in SQL."""

    child = models.ForeignKey(
        Child,
        on_delete=models.CASCADE,
        related_name="circumstances",
        db_index=False,  # child_circumstance_unique leads with it
    )
    code = models.CharField(_("困境情形"), max_length=30, choices=choices.Circumstance.choices)

    class Meta:
        verbose_name = _("困境情形")
        verbose_name_plural = _("困境情形")
        constraints = [
            models.UniqueConstraint(fields=["child", "code"], name="child_circumstance_unique")
        ]
        indexes = [models.Index(fields=["code", "child"], name="circumstance_code_child")]

    def __str__(self):
        return self.get_code_display()


class ChildAssistance(models.Model):
    """救助帮扶 the child's family receives: one row per kind."""

    child = models.ForeignKey(
        Child,
        on_delete=models.CASCADE,
        related_name="assistance",
        db_index=False,  # child_assistance_unique leads with it
    )
    code = models.CharField(_("救助帮扶"), max_length=30, choices=choices.FamilyAssistance.choices)

    class Meta:
        verbose_name = _("救助帮扶")
        verbose_name_plural = _("救助帮扶")
        constraints = [
            models.UniqueConstraint(fields=["child", "code"], name="child_assistance_unique")
        ]

    def __str__(self):
        return self.get_code_display()


class BenefitCategoryPeriod(models.Model):
    """保障类别 history: one row per period; the open row (ended_on NULL) is the current one."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="benefit_periods")
    category = models.CharField(
        _("保障类别"), max_length=30, choices=choices.BenefitCategory.choices
    )
    started_on = models.DateField(_("起始日期"))
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)
    exit_reason = models.CharField(
        _("退出原因"), max_length=30, choices=choices.BenefitExitReason.choices, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("保障类别变更")
        verbose_name_plural = _("保障类别变更")
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=Q(ended_on__isnull=True),
                name="benefit_one_open_period",
            )
        ]

    def __str__(self):
        return f"{self.get_category_display()} {self.started_on}"
