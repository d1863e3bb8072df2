from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The four roles of docs/domain.md §3; each maps to a permission group of the same label."""

    COUNTY_ADMIN = "county_admin", _("县未保中心管理员")
    COUNTY_STAFF = "county_staff", _("县未保中心工作人员")
    TOWNSHIP_SUPERVISOR = "township_supervisor", _("乡镇儿童督导员")
    VILLAGE_DIRECTOR = "village_director", _("村/居儿童主任")


COUNTY_ROLES = frozenset({Role.COUNTY_ADMIN, Role.COUNTY_STAFF})


class VillageStatus(models.TextChoices):
    ACTIVE = "active", _("在用")
    MERGED = "merged", _("已撤并")


class VillageChangeKind(models.TextChoices):
    CREATE = "create", _("新增")
    RENAME = "rename", _("更名")
    RECODE = "recode", _("更正代码")
    RETIRE = "retire", _("标记已撤并")
    MERGE = "merge", _("撤并")
    SPLIT = "split", _("拆分")
