"""The one rule of who may see what, for every demo role."""

import pytest
from django.db.models import Q

from accounts.choices import Role
from accounts.demo import seed as seed_users
from accounts.models import Township, User, Village
from accounts.scoping import area_q, can_see_area, visible_townships, visible_villages
from children.models import Child
from tests import factories


@pytest.fixture
def demo_users(db):
    seed_users()
    return {u.username: u for u in User.objects.all()}


@pytest.mark.parametrize("username", ["county", "center"])
def test_county_roles_see_every_township_and_village(demo_users, username):
    user = demo_users[username]
    assert set(visible_townships(user)) == set(Township.objects.all())
    assert visible_villages(user).count() == Village.objects.count()


def test_township_supervisor_sees_exactly_own_township(demo_users):
    user = demo_users["longsheng"]
    assert [t.name for t in visible_townships(user)] == ["龙胜镇"]
    assert set(visible_villages(user)) == set(Village.objects.filter(township__name="龙胜镇"))
    assert {"山东村", "南门村"} <= {v.name for v in visible_villages(user)}


def test_pingdeng_supervisor_sees_exactly_pingdeng(demo_users):
    user = demo_users["pingdeng"]
    assert [t.name for t in visible_townships(user)] == ["平等镇"]
    assert {v.township.name for v in visible_villages(user)} == {"平等镇"}


def test_village_director_sees_exactly_own_village(demo_users):
    user = demo_users["director"]
    assert [str(v) for v in visible_villages(user)] == ["龙胜镇 山东村"]


def test_children_queryset_follows_the_rule(demo_users):
    shandong = factories.ChildFactory(village=factories.village("龙胜镇", "山东村"))
    nanmen = factories.ChildFactory(village=factories.village("龙胜镇", "南门村"))
    luohan = factories.ChildFactory(village=factories.village("平等镇", "罗汉村"))
    seen = {name: set(Child.objects.visible_to(u)) for name, u in demo_users.items()}
    assert seen["county"] == seen["center"] == {shandong, nanmen, luohan}
    assert seen["longsheng"] == {shandong, nanmen}
    assert seen["pingdeng"] == {luohan}
    assert seen["director"] == {shandong}


def test_user_without_area_or_inactive_sees_nothing(db, shandong_child):
    no_area = User.objects.create(username="nobody", role=Role.TOWNSHIP_SUPERVISOR)
    assert not Child.objects.visible_to(no_area).exists()
    assert not visible_townships(no_area).exists()
    inactive = factories.make_user(Role.COUNTY_ADMIN)
    inactive.is_active = False
    assert not Child.objects.visible_to(inactive).exists()


def test_village_director_sees_own_township_for_models_without_village(demo_users):
    director = demo_users["director"]
    assert area_q(director, village=None) == Q(township_id=director.township_id)
    longsheng = Township.objects.get(name="龙胜镇")
    assert can_see_area(director, township_id=longsheng.pk, village_id=director.village_id)
    other = Village.objects.get(township=longsheng, name="南门村")
    assert not can_see_area(director, township_id=longsheng.pk, village_id=other.pk)


def test_role_groups_do_not_depend_on_the_admins_language(db):
    from django.utils import translation

    from accounts.roles import group_name

    with translation.override("en"):
        user = factories.make_user(Role.TOWNSHIP_SUPERVISOR, township_name="龙胜镇")
    assert [g.name for g in user.groups.all()] == ["乡镇儿童督导员"]
    assert user.has_perm("children.view_child")
    with translation.override("en"):
        assert group_name(Role.COUNTY_ADMIN) == "县未保中心管理员"
