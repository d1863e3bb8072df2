from tests.security.conftest import _empty_database_first, committed_db  # noqa: F401
