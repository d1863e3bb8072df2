import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class UserTable(tables.Table):
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
