import pytest
from django.test import Client

from accounts.choices import Role
from tests import factories


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: cached figures (the dashboards) are keyed by
    user id, and ids are reused from one test's rolled-back data to the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def fresh_child_sequence():
    """Each test's default children start the factory's sequence again: their names and birth
    dates (so their ages, which decide which instruments and forms apply) do not depend on
    how many children earlier tests made in the same worker, which pytest-xdist decides
    anew on every run."""
    factories.ChildFactory.reset_sequence()


@pytest.fixture
def county_admin(db):
    return factories.make_user(Role.COUNTY_ADMIN, username="t-county")


@pytest.fixture
def county_staff(db):
    return factories.make_user(Role.COUNTY_STAFF, username="t-center")


@pytest.fixture
def longsheng_supervisor(db):
    return factories.make_user(
        Role.TOWNSHIP_SUPERVISOR, township_name="龙胜镇", username="t-longsheng"
    )


@pytest.fixture
def pingdeng_supervisor(db):
    return factories.make_user(
        Role.TOWNSHIP_SUPERVISOR, township_name="平等镇", username="t-pingdeng"
    )


@pytest.fixture
def shandong_director(db):
    return factories.make_user(
        Role.VILLAGE_DIRECTOR,
        township_name="龙胜镇",
        village_name="山东村",
        username="t-shandong",
    )


@pytest.fixture
def nanmen_director(db):
    return factories.make_user(
        Role.VILLAGE_DIRECTOR, township_name="龙胜镇", village_name="南门村", username="t-nanmen"
    )


@pytest.fixture
def client_for():
    """``client_for(user)``: a test client logged in as that user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def shandong_child(db):
    return factories.ChildFactory(name="张小花", village=factories.village("龙胜镇", "山东村"))


@pytest.fixture
def pingdeng_child(db):
    return factories.ChildFactory(
        name="罗平安", village=factories.village("平等镇", "罗汉村"), sex="M"
    )
