"""Two people at once: no duplicate child, no lost edit. Real threads on PostgreSQL.

SQLite serialises all writers behind one database lock, so it cannot show the races that
row locks and the unique index must handle; these tests need PostgreSQL.
"""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from children import services
from children.choices import ChangeAction
from children.models import ChangeLog, Child
from core import versioning
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("committed_db")]

TIMEOUT = 60  # seconds a thread may wait at the barrier before the test fails


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: SQLite serialises writers, so concurrent races cannot happen"
        )


def run_together(*jobs):
    """Run each job in its own thread (own database connection); return result or exception."""
    results: list = [None] * len(jobs)

    def runner(index, job):
        try:
            results[index] = job()
        except Exception as exc:  # collected and asserted by the test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
        assert not thread.is_alive(), "a thread hung"
    return results


def test_same_id_registered_twice_at_once_gives_one_child(monkeypatch, longsheng_supervisor):
    village = factories.village("龙胜镇", "山东村")
    id_number = factories.synthetic_id(dt.date(2014, 5, 6), "F")
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    original_save = services._save_checked

    def save_after_both_checked(child, **kwargs):
        # Both registrations have passed the early duplicate check; now both insert.
        barrier.wait()
        return original_save(child, **kwargs)

    monkeypatch.setattr(services, "_save_checked", save_after_both_checked)

    def register(name):
        return lambda: services.child_register(
            actor=longsheng_supervisor,
            township=village.township,
            village=village,
            data={
                "name": name,
                "sex": "F",
                "birth_date": dt.date(2014, 5, 6),
                "id_number": id_number,
                "registered_on": dt.date(2026, 1, 5),
            },
            confirm_duplicate=True,
        )

    results = run_together(register("王小梅"), register("王晓梅"))

    children = [r for r in results if isinstance(r, Child)]
    errors = [r for r in results if isinstance(r, ValidationError)]
    assert len(children) == 1, results
    assert len(errors) == 1, results
    assert "id_number" in errors[0].message_dict
    assert Child.objects.filter(id_number=id_number).count() == 1
    assert ChangeLog.objects.filter(child__id_number=id_number).count() == 1


def test_two_saves_of_the_same_form_keep_the_first_and_refuse_the_second(
    monkeypatch, longsheng_supervisor, county_admin
):
    child = factories.ChildFactory(address="旧地址")
    expected = child.version
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    original_claim = versioning.claim_version
    claims = []

    def update(actor, address):
        def job():
            barrier.wait()
            return services.child_update(
                actor=actor,
                child=Child.objects.get(pk=child.pk),
                expected_version=expected,
                data={"address": address},
            )

        return job

    def claim_and_note(child, expected_version, **kwargs):
        claims.append(expected_version)  # list.append is atomic under the GIL
        return original_claim(child, expected_version, **kwargs)

    monkeypatch.setattr(versioning, "claim_version", claim_and_note)

    results = run_together(
        update(longsheng_supervisor, "甲的新地址"), update(county_admin, "乙的新地址")
    )

    winners = [r for r in results if isinstance(r, Child)]
    stale = [r for r in results if isinstance(r, services.StaleEdit)]
    assert len(winners) == 1, results
    assert len(stale) == 1, results
    child.refresh_from_db()
    # The winner's edit is kept, nothing of the loser's is written, and the loser is told.
    assert child.address == winners[0].address
    assert child.version == expected + 1
    assert stale[0].current.address == child.address
    updates = ChangeLog.objects.filter(child=child, action=ChangeAction.UPDATE)
    assert updates.count() == 1
    # Both saves got as far as claiming the version: the loser was refused by the version
    # check itself, with the same expected version as the winner.
    assert claims == [expected, expected]
