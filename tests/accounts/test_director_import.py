import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from accounts.choices import Role
from accounts.models import User

HEADER = ["用户名", "姓名", "联系电话", "乡镇", "村（社区）"]


def workbook_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, rows):
    data = workbook_bytes(rows)
    return client.post(
        reverse("accounts:director_import"),
        {"file": SimpleUploadedFile("directors.xlsx", data)},
    )


@pytest.fixture
def admin_client(county_admin, client_for):
    return client_for(county_admin)


def test_good_list_creates_directors_with_role_area_and_group(admin_client):
    response = upload(
        admin_client,
        [
            ["lijiang1", "李江主任", "13912345678", "江底乡", "李江村"],
            ["diling2", "地灵主任", "", "乐江镇", "地灵村"],
        ],
    )
    assert response.status_code == 200
    user = User.objects.get(username="diling2")
    assert user.role == Role.VILLAGE_DIRECTOR
    assert (user.township.name, user.village.name) == ("乐江镇", "地灵村")
    assert user.has_perm("children.view_child")
    assert "lijiang1" in response.content.decode()  # the temporary password is shown once


def test_one_bad_row_writes_nothing_and_names_the_row(admin_client):
    before = User.objects.count()
    response = upload(
        admin_client,
        [
            ["ok1", "好", "13912345678", "江底乡", "李江村"],
            ["bad2", "坏", "12345", "江底乡", "不存在村"],
        ],
    )
    content = response.content.decode()
    assert User.objects.count() == before
    assert "第 3 行" in content and "不存在村" in content and "联系电话" in content


def test_existing_username_is_refused(admin_client, county_admin):
    response = upload(admin_client, [[county_admin.username, "某", "", "江底乡", "李江村"]])
    assert "用户名已存在" in response.content.decode()


def test_only_the_county_admin_may_import(client_for, longsheng_supervisor):
    response = upload(client_for(longsheng_supervisor), [["x1", "某", "", "龙胜镇", "山东村"]])
    assert response.status_code == 403
    assert not User.objects.filter(username="x1").exists()
