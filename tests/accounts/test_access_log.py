"""The county admin's access-log page (访问日志)."""

import datetime as dt

import time_machine
from django.utils import timezone

from accounts.audit import log_access
from accounts.models import AccessAction
from core.navigation import items_for

URL = "/accounts/access-log/"


def entries(user, n, action=AccessAction.VIEW_CHILD, label="张小花"):
    for i in range(n):
        log_access(action=action, user=user, target_type="child", target_id=str(100 + i),
                   target_label=f"{label}{i}")  # fmt: skip


def test_county_admin_browses_the_log(client_for, county_admin, shandong_director):
    entries(shandong_director, 2)
    response = client_for(county_admin).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "访问日志" in body
    assert "张小花0" in body and "张小花1" in body
    assert shandong_director.username in body


def test_other_roles_are_refused(client_for, county_staff, longsheng_supervisor, shandong_director):
    for user in (county_staff, longsheng_supervisor, shandong_director):
        assert client_for(user).get(URL).status_code == 403


def test_only_the_county_admin_sees_the_menu_item(county_admin, county_staff, shandong_director):
    assert any(item["url"] == URL for item in items_for(county_admin))
    assert not any(item["url"] == URL for item in items_for(county_staff))
    assert not any(item["url"] == URL for item in items_for(shandong_director))


def test_filters(client_for, county_admin, shandong_director, nanmen_director):
    now = timezone.now()
    with time_machine.travel(now - dt.timedelta(days=10), tick=False):
        entries(shandong_director, 1, label="旧记录")
    entries(shandong_director, 1, action=AccessAction.EXPORT, label="导出台账")
    entries(nanmen_director, 1, label="南门儿童")
    log_access(action=AccessAction.LOGIN_FAILED, username="ghost-user")
    client = client_for(county_admin)

    def labels(**params):
        table = client.get(URL, params).context["table"]
        return {row.record.target_label or row.record.username for row in table.page.object_list}

    assert labels(action="export") == {"导出台账0"}
    assert labels(user=nanmen_director.pk) == {"南门儿童0"}
    assert labels(username="ghost") == {"ghost-user"}
    today = timezone.localdate()
    assert "旧记录0" not in labels(date_from=today.isoformat())
    assert labels(date_to=(today - dt.timedelta(days=5)).isoformat()) == {"旧记录0"}
    assert labels(target="南门") == {"南门儿童0"}
    assert labels(target="100") >= {"导出台账0", "南门儿童0"}


def test_query_count_does_not_grow_with_entries(
    client_for, county_admin, shandong_director, django_assert_max_num_queries
):
    client = client_for(county_admin)
    entries(shandong_director, 3)
    client.get(URL)  # warm caches (content types, permissions)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    entries(shandong_director, 9)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL)
    assert len(response.context["table"].page.object_list) == 12
