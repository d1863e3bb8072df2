import pytest
from django.test import Client

from accounts.choices import Role
from tests import factories

LOGIN_URL = "/accounts/login/"


@pytest.fixture
def login_post():
    """``login_post(client, username, password, ip=..., **extra)``: submit the login form."""

    def post(client: Client, username: str, password: str, ip: str = "198.51.100.7", **extra):
        return client.post(
            LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip, **extra
        )

    return post


@pytest.fixture
def superuser(db):
    user = factories.make_user(Role.COUNTY_ADMIN, username="t-root")
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return user
