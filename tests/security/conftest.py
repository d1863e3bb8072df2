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


@pytest.fixture
def _empty_database_first(django_db_setup, django_db_blocker):
    """Empty the test database before a transactional test restores the reference data.

    A transactional test must leave the database empty, but one that fails to (e.g. when its
    flush re-creates the role groups) would make the restore below fail on duplicate rows.
    Starting from empty makes these tests independent of whatever ran before them.
    """
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)


@pytest.fixture
def committed_db(_empty_database_first, django_db_serialized_rollback, transactional_db):
    """A real, committing database (for pg_dump, VACUUM INTO and threads) holding the
    reference areas and role groups; emptied again afterwards (serialized rollback)."""
