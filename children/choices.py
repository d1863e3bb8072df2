"""Coded values of the ledger (docs/domain.md §4–§5). Stored codes are English; labels Chinese."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class IdDocumentType(models.TextChoices):
    """Documents a child may hold instead of a resident ID number (docs/domain.md §8)."""

    HK_MO_TW_RESIDENCE = "hk_mo_tw_residence", _("港澳台居民居住证")
    FOREIGN_PERMANENT = "foreign_permanent", _("外国人永久居留身份证")
    BIRTH_CERTIFICATE = "birth_certificate", _("出生医学证明编号")


class RiskLevel(models.TextChoices):
    """风险等级 by colour; ``RISK_ORDER`` ranks them so a risk is only ever raised on purpose."""

    RED = "red", _("红（高风险）")
    ORANGE = "orange", _("橙（较高风险）")
    YELLOW = "yellow", _("黄（一般风险）")
    GREEN = "green", _("绿（低风险）")


RISK_ORDER = {RiskLevel.GREEN: 0, RiskLevel.YELLOW: 1, RiskLevel.ORANGE: 2, RiskLevel.RED: 3}


class CaseStatus(models.TextChoices):
    ACTIVE = "active", _("在册")
    CLOSED = "closed", _("已结案")


class CloseReason(models.TextChoices):
    AGED_OUT = "aged_out", _("年满18周岁")
    MOVED_OUT = "moved_out", _("迁出本县")
    IMPROVED = "improved", _("情况改善")
    DECEASED = "deceased", _("死亡")
    OTHER = "other", _("其他")


class BenefitCategory(models.TextChoices):
    """保障类别: one at a time, every change dated in BenefitCategoryPeriod."""

    INSTITUTIONAL_ORPHAN = "institutional_orphan", _("集中养育孤儿")
    SCATTERED_ORPHAN = "scattered_orphan", _("社会散居孤儿")
    DE_FACTO_UNSUPPORTED = "de_facto_unsupported", _("事实无人抚养儿童")
    OTHER_DIFFICULTY = "other_difficulty", _("其他困境儿童")
    NONE = "none", _("无")


class BenefitExitReason(models.TextChoices):
    AGED_OUT = "aged_out", _("年满18周岁")
    PARENT_RELEASED = "parent_released", _("父母刑满释放")
    PARENT_REHABILITATED = "parent_rehabilitated", _("戒毒成功")
    PARENT_FOUND = "parent_found", _("找回父母")
    DECEASED = "deceased", _("死亡")
    CATEGORY_CHANGED = "category_changed", _("变更保障类别")
    OTHER = "other", _("其他")


class HealthStatus(models.TextChoices):
    HEALTHY = "healthy", _("健康")
    DISABLED = "disabled", _("残疾")
    ILL = "ill", _("患病")
    DISABLED_AND_ILL = "disabled_ill", _("残疾且患病")


class DisabilityType(models.TextChoices):
    VISION = "vision", _("视力")
    HEARING = "hearing", _("听力")
    SPEECH = "speech", _("言语")
    PHYSICAL = "physical", _("肢体")
    INTELLECTUAL = "intellectual", _("智力")
    MENTAL = "mental", _("精神")
    MULTIPLE = "multiple", _("多重")


class DisabilityGrade(models.TextChoices):
    GRADE_1 = "1", _("一级")
    GRADE_2 = "2", _("二级")
    GRADE_3 = "3", _("三级")
    GRADE_4 = "4", _("四级")


class SchoolStage(models.TextChoices):
    NOT_IN_KINDERGARTEN = "not_in_kindergarten", _("未入园")
    KINDERGARTEN = "kindergarten", _("幼儿园")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")
    VOCATIONAL = "vocational", _("中职")
    DROPPED_OUT = "dropped_out", _("辍学")
    NOT_IN_SCHOOL = "not_in_school", _("不在学")


class ParentStatus(models.TextChoices):
    NORMAL = "normal", _("正常")
    MIGRANT_WORKER = "migrant_worker", _("外出务工")
    DECEASED = "deceased", _("死亡")
    DECLARED_MISSING = "declared_missing", _("宣告失踪")
    OUT_OF_CONTACT = "out_of_contact", _("失联")
    IMPRISONED = "imprisoned", _("服刑在押")
    COMPULSORY_REHAB = "compulsory_rehab", _("强制隔离戒毒")
    SEVERELY_DISABLED = "severely_disabled", _("重残")
    SEVERELY_ILL = "severely_ill", _("重病")
    GUARDIANSHIP_REVOKED = "guardianship_revoked", _("被撤销监护资格")
    OTHER = "other", _("其他")


class GuardianRelation(models.TextChoices):
    GRANDPARENT = "grandparent", _("祖父母")
    MATERNAL_GRANDPARENT = "maternal_grandparent", _("外祖父母")
    OTHER_RELATIVE = "other_relative", _("其他亲属")
    FATHER = "father", _("父")
    MOTHER = "mother", _("母")
    FRIEND = "friend", _("朋友")
    INSTITUTION = "institution", _("机构")


class GuardianshipAssessment(models.TextChoices):
    GOOD = "good", _("较好")
    FAIR = "fair", _("一般")
    POOR = "poor", _("差")


class Circumstance(models.TextChoices):
    """困境情形 (many at once): the notice's list plus the ledger's own."""

    LIVING_DIFFICULTY = "living_difficulty", _("生活困难")
    FAMILY_CRISIS = "family_crisis", _("家庭变故")
    GUARDIANSHIP_ABSENT = "guardianship_absent", _("监护缺失")
    LEFT_BEHIND = "left_behind", _("留守")
    MIGRANT = "migrant", _("流动")
    PSYCHOLOGICAL = "psychological", _("心理和行为异常")
    ASKED_FOR_HELP = "asked_for_help", _("主动求助")
    DISABILITY = "disability", _("残疾")
    SERIOUS_ILLNESS = "serious_illness", _("重病")
    PARENT_DETAINED = "parent_detained", _("父母服刑/戒毒")


class FamilyAssistance(models.TextChoices):
    """救助帮扶 the family receives (many)."""

    DIBAO = "dibao", _("低保")
    TEKUN = "tekun", _("特困供养")
    DIBAO_MARGINAL = "dibao_marginal", _("低保边缘")
    POVERTY_MONITORING = "poverty_monitoring", _("防返贫监测对象")
    TEMPORARY_RELIEF = "temporary_relief", _("临时救助")
    MEDICAL_RELIEF = "medical_relief", _("医疗救助")


class ChangeAction(models.TextChoices):
    CREATE = "create", _("登记")
    UPDATE = "update", _("修改")
    IMPORT = "import", _("导入")
    TRANSFER = "transfer", _("转移")
    TRANSFER_REQUEST = "transfer_request", _("申请转移")
    TRANSFER_REJECT = "transfer_reject", _("转移被退回")
    TRANSFER_CANCEL = "transfer_cancel", _("撤回转移申请")
    HANDOVER = "handover", _("工作移交")
    CLOSE = "close", _("结案")
    REOPEN = "reopen", _("恢复在册")
    RECORD = "record", _("关爱记录")


class TransferState(models.TextChoices):
    """转移申请的状态: a request waits for the receiving area, which accepts or rejects it;
    the sending side may withdraw it while it waits."""

    REQUESTED = "requested", _("待接收")
    ACCEPTED = "accepted", _("已接收")
    REJECTED = "rejected", _("已退回")
    CANCELLED = "cancelled", _("已撤回")


class ClosureRequestStatus(models.TextChoices):
    """结案申请: a case closes only when the township supervisor approves the request."""

    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    RETURNED = "returned", _("已退回")


class ConsentKind(models.TextChoices):
    """What the guardian agrees to (个人信息保护法 art. 31: a child under 14's data needs
    the guardian's consent)."""

    SCREENING = "screening", _("心理健康测评")
    SHARING = "sharing", _("向学校/机构提供信息")


class ConsentStatus(models.TextChoices):
    GIVEN = "given", _("同意")
    REFUSED = "refused", _("拒绝")
    WITHDRAWN = "withdrawn", _("已撤回")


class ChildAssent(models.TextChoices):
    """The child's own view, asked from the age of 8 (see children/models/consent.py)."""

    GIVEN = "given", _("本人同意")
    REFUSED = "refused", _("本人不同意")


class ConsentSigner(models.TextChoices):
    """Who signed: a guardian, or (from 14, 个人信息保护法 art. 31) the child."""

    FATHER = "father", _("父")
    MOTHER = "mother", _("母")
    GRANDPARENT = "grandparent", _("祖父母")
    MATERNAL_GRANDPARENT = "maternal_grandparent", _("外祖父母")
    OTHER_RELATIVE = "other_relative", _("其他亲属")
    INSTITUTION = "institution", _("监护机构")
    SELF = "self", _("儿童本人（年满14周岁）")
