"""The same entry sent twice at the same moment (two tabs, a retry racing the first answer):
one record. Real threads on PostgreSQL; SQLite serialises writers, so there is no race."""

import threading
import uuid

import pytest
from django.db import connection, connections

from fieldwork import services
from fieldwork.models import SyncReceipt
from tests import factories
from tests.fieldwork.conftest import visit_data
from visits.models import Visit

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("committed_db")]
TIMEOUT = 60


@pytest.fixture
def committed_db(
    django_db_setup, django_db_blocker, django_db_serialized_rollback, transactional_db
):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: SQLite serialises writers, so concurrent races cannot happen"
        )


def test_one_record_for_one_key_sent_twice_at_once(monkeypatch):
    director = factories.make_user(
        "village_director", township_name="龙胜镇", village_name="山东村", username="c-director"
    )
    child = factories.ChildFactory(village=factories.village("龙胜镇", "山东村"))
    barrier = threading.Barrier(2, timeout=TIMEOUT)

    def both_find_nothing(key):
        # Both requests passed the early look-up; now both try to insert the receipt.
        barrier.wait()
        return None

    monkeypatch.setattr(services, "_receipt", both_find_nothing)
    entry = {"key": str(uuid.uuid4()), "kind": "visit", "child": child.pk, "data": visit_data()}
    results = [None, None]

    def run(index):
        try:
            results[index] = services.sync_entry(actor=director, entry=entry, target=child)
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
        assert not thread.is_alive()
    assert sorted(r.status for r in results) == ["created", "duplicate"], results
    assert Visit.objects.filter(child=child).count() == 1
    assert SyncReceipt.objects.count() == 1
