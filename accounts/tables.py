import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from accounts.models import AccessLog, User, Village
from core.paging import PagedTable
from core.tables import Card


class UserTable(PagedTable):
    card = Card(
        title="name", fields=("username", "role", "township", "last_login"), badge="is_active",
        action="edit",
    )  # fmt: skip
    username = tables.Column(verbose_name=_("用户名"))
    name = tables.Column(verbose_name=_("姓名"))
    role = tables.Column(verbose_name=_("角色"))
    township = tables.Column(verbose_name=_("乡镇"), accessor="township__name")
    village = tables.Column(verbose_name=_("村/社区"), accessor="village__name")
    is_active = tables.BooleanColumn(verbose_name=_("启用"))
    last_login = tables.DateTimeColumn(verbose_name=_("最近登录"), format="Y-m-d H:i")
    edit = tables.TemplateColumn(
        '<a href="{% url "admin:accounts_user_change" record.pk %}">编辑</a>',
        verbose_name="",
        orderable=False,
    )

    class Meta:
        model = User
        fields = ("username", "name", "role", "township", "village", "is_active", "last_login")
        order_by = ("township", "username")


class AccessLogTable(PagedTable):
    card = Card(title="username", fields=("at", "action", "target_label"))
    at = tables.DateTimeColumn(verbose_name=_("时间"), format="Y-m-d H:i:s")
    username = tables.Column(verbose_name=_("用户名"))
    user_name = tables.Column(verbose_name=_("姓名"), accessor="user__name", default="")
    action = tables.Column(verbose_name=_("操作"))
    target_label = tables.Column(verbose_name=_("对象"))
    target_type = tables.Column(verbose_name=_("对象类型"))
    target_id = tables.Column(verbose_name=_("对象编号"))
    ip = tables.Column(verbose_name=_("IP 地址"))
    path = tables.Column(verbose_name=_("地址"), attrs={"td": {"class": "text-break"}})

    class Meta:
        model = AccessLog
        fields = (
            "at",
            "username",
            "user_name",
            "action",
            "target_label",
            "target_type",
            "target_id",
            "ip",
            "path",
        )
        order_by = ("-at",)
        empty_text = _("没有符合条件的记录。")


class VillageTable(PagedTable):
    code = tables.Column(verbose_name=_("统计用区划代码"))
    township = tables.Column(verbose_name=_("乡镇"), accessor="township__name")
    name = tables.Column(verbose_name=_("村/社区名称"))
    status = tables.Column(verbose_name=_("状态"))
    merged_into = tables.Column(verbose_name=_("并入"), accessor="merged_into__name", default="")
    n_children = tables.Column(verbose_name=_("儿童数"))
    n_accounts = tables.Column(verbose_name=_("账号数"))
    merge = tables.TemplateColumn(
        "{% load i18n %}{% if record.is_active and perms.accounts.merge_village %}"
        '<a href="{% url "children:village_merge" record.pk %}">{% translate "撤并" %}</a>'
        "{% endif %}",
        verbose_name="",
        orderable=False,
    )

    class Meta:
        model = Village
        fields = ("code", "township", "name", "status", "merged_into", "n_children", "n_accounts")
        order_by = ("code",)
