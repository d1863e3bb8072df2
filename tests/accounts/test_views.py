"""The web foundation: deny by default, navigation per role, Chinese by default."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.demo import DEMO_PASSWORD
from accounts.demo import seed as seed_users
from accounts.models import User


@pytest.fixture
def demo(db):
    seed_users()
    return {u.username: u for u in User.objects.all()}


@pytest.mark.parametrize(
    "url", ["/", "/children/", "/children/new/", "/accounts/users/", "/admin/", "/children/1/"]
)
def test_pages_redirect_anonymous_users_to_login(db, url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/") or "/login/" in response["Location"]


def test_login_page_is_chinese_by_default(db):
    response = Client().get(reverse("accounts:login"))
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="zh-hans">' in content
    assert "登录" in content and "用户名" in content


def test_english_is_available_through_i18n(db):
    client = Client(headers={"accept-language": "en"})
    assert '<html lang="en">' in client.get(reverse("accounts:login")).content.decode()


@pytest.mark.parametrize("username", ["county", "center", "longsheng", "pingdeng", "director"])
def test_each_demo_login_works(demo, username):
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_wrong_password_is_refused_in_chinese(demo):
    response = Client().post(
        reverse("accounts:login"), {"username": "director", "password": "wrong-password"}
    )
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_logout_is_post_only(demo, client_for):
    client = client_for(demo["director"])
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get("/").status_code == 302


def nav_labels(client) -> list[str]:
    content = client.get("/").content.decode()
    nav = content.split('id="portal-nav"', 1)[1].split("</ul>", 1)[0]
    return [part.split("</a>")[0].split(">")[-1] for part in nav.split('class="nav-link"')[1:]]


def test_navigation_shows_each_role_only_what_it_may_use(demo, client_for):
    county = nav_labels(client_for(demo["county"]))
    director = nav_labels(client_for(demo["director"]))
    center = nav_labels(client_for(demo["center"]))
    assert "用户管理" in county
    assert "用户管理" not in director and "用户管理" not in center
    assert "儿童台账" in director and "儿童台账" in center


def test_user_management_is_for_the_county_admin_only(demo, client_for):
    assert client_for(demo["county"]).get(reverse("accounts:user_list")).status_code == 200
    for username in ["center", "longsheng", "director"]:
        response = client_for(demo[username]).get(reverse("accounts:user_list"))
        assert response.status_code == 403
        assert "没有权限" in response.content.decode()


def test_admin_site_is_for_the_county_admin_only(demo, client_for):
    assert client_for(demo["county"]).get("/admin/accounts/user/").status_code == 200
    response = client_for(demo["longsheng"]).get("/admin/accounts/user/")
    assert response.status_code == 302  # to the admin login: not staff


def test_unknown_page_is_a_chinese_404(demo, client_for):
    response = client_for(demo["director"]).get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_home_page_shows_real_counts_of_own_area(demo, client_for):
    from tests import factories

    factories.ChildFactory(village=factories.village("龙胜镇", "山东村"))
    factories.ChildFactory(village=factories.village("龙胜镇", "南门村"))
    factories.ChildFactory(village=factories.village("平等镇", "罗汉村"))
    content = client_for(demo["longsheng"]).get("/").content.decode()
    panel = content.split("在册困境儿童", 1)[1][:300]
    assert ">2<" in panel.replace(" ", "")
