"""Recording, correcting and reviewing visits through the services."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from children import services as child_services
from children.models import ChangeLog
from core.versioning import StaleEdit
from tests.visits.conftest import record, visit_data
from visits import services
from visits.models import Visit, VisitProblem

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 6, 3, 10, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(TODAY, tick=False):
        yield


def test_a_directors_visit_waits_for_review(shandong_director, shandong_child):
    visit = record(shandong_director, shandong_child, dt.date(2026, 6, 1))
    assert visit.review_status == "pending"
    assert visit.reviewer is None
    assert visit.visitor == shandong_director
    assert visit.created_by == shandong_director


def test_a_supervisors_visit_is_approved_on_save(longsheng_supervisor, shandong_child):
    visit = record(longsheng_supervisor, shandong_child, dt.date(2026, 6, 1))
    assert visit.review_status == "approved"
    assert visit.reviewer == longsheng_supervisor
    assert visit.reviewed_at is not None


def test_problems_are_stored_one_row_each(shandong_director, shandong_child):
    visit = services.visit_record(
        actor=shandong_director,
        child=shandong_child,
        data=visit_data(),
        problems=["emotional", "study_pressure"],
    )
    assert set(VisitProblem.objects.filter(visit=visit).values_list("code", flat=True)) == {
        "emotional",
        "study_pressure",
    }


def test_recording_writes_the_childs_history(shandong_director, shandong_child):
    visit = record(shandong_director, shandong_child, dt.date(2026, 6, 1))
    entry = ChangeLog.objects.get(child=shandong_child, record_type="visit")
    assert entry.record_id == visit.pk
    assert entry.action == "record"
    assert entry.actor == shandong_director
    assert "待审核" in entry.note


def test_supervisor_approves(shandong_director, longsheng_supervisor, shandong_child):
    visit = record(shandong_director, shandong_child, dt.date(2026, 6, 1))
    services.visit_approve(actor=longsheng_supervisor, visit=visit, expected_version=1)
    visit.refresh_from_db()
    assert visit.review_status == "approved"
    assert visit.reviewer == longsheng_supervisor
    assert ChangeLog.objects.filter(record_id=visit.pk, record_type="visit").count() == 2


def test_returning_needs_a_comment(shandong_director, longsheng_supervisor, shandong_child):
    visit = record(shandong_director, shandong_child, dt.date(2026, 6, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.visit_return(actor=longsheng_supervisor, visit=visit, comment="  ")
    assert "退回时必须填写退回意见" in str(excinfo.value)
    visit.refresh_from_db()
    assert visit.review_status == "pending"


def test_returned_visit_corrected_by_its_author_goes_back_to_pending(
    shandong_director, longsheng_supervisor, shandong_child
):
    visit = record(shandong_director, shandong_child, dt.date(2026, 6, 1))
    visit = services.visit_return(
        actor=longsheng_supervisor, visit=visit, comment="请写明与监护人沟通的内容"
    )
    assert visit.review_status == "returned"
    assert visit.review_comment == "请写明与监护人沟通的内容"
    assert services.can_edit(shandong_director, visit)
    services.visit_update(
        actor=shandong_director,
        visit=visit,
        expected_version=visit.version,
        data=visit_data(actions_taken="与奶奶沟通了作息安排和作业辅导"),
    )
    visit.refresh_from_db()
    assert visit.review_status == "pending"
    assert visit.actions_taken == "与奶奶沟通了作息安排和作业辅导"
    entry = ChangeLog.objects.filter(record_id=visit.pk, record_type="visit").first()
    assert entry.changes["审核状态"] == ["已退回", "待审核"]
    assert entry.changes["采取的措施"][1] == "与奶奶沟通了作息安排和作业辅导"


def test_a_director_cannot_change_an_approved_visit(
    shandong_director, longsheng_supervisor, shandong_child
):
    visit = record(shandong_director, shandong_child, dt.date(2026, 6, 1))
    visit = services.visit_approve(actor=longsheng_supervisor, visit=visit)
    assert not services.can_edit(shandong_director, visit)
    with pytest.raises(PermissionDenied):
        services.visit_update(
            actor=shandong_director,
            visit=visit,
            expected_version=visit.version,
            data=visit_data(actions_taken="改动"),
        )
    visit.refresh_from_db()
    assert visit.actions_taken == "与祖母沟通学习安排"


def test_a_supervisor_of_another_township_cannot_review(
    shandong_director, pingdeng_supervisor, shandong_child
):
    visit = record(shandong_director, shandong_child, dt.date(2026, 6, 1))
    with pytest.raises(PermissionDenied):
        services.visit_approve(actor=pingdeng_supervisor, visit=visit)
    with pytest.raises(PermissionDenied):
        services.visit_return(actor=pingdeng_supervisor, visit=visit, comment="不行")
    visit.refresh_from_db()
    assert visit.review_status == "pending"


def test_a_director_cannot_review(shandong_director, nanmen_director, shandong_child):
    visit = record(shandong_director, shandong_child, dt.date(2026, 6, 1))
    with pytest.raises(PermissionDenied):
        services.visit_approve(actor=shandong_director, visit=visit)


def test_nobody_reviews_a_visit_twice(shandong_director, longsheng_supervisor, shandong_child):
    visit = record(shandong_director, shandong_child, dt.date(2026, 6, 1))
    services.visit_approve(actor=longsheng_supervisor, visit=visit)
    with pytest.raises(PermissionDenied):
        services.visit_return(actor=longsheng_supervisor, visit=visit, comment="再看看")


def test_a_director_cannot_record_for_another_village(nanmen_director, shandong_child):
    with pytest.raises(PermissionDenied):
        record(nanmen_director, shandong_child, dt.date(2026, 6, 1))
    assert not Visit.objects.exists()


def test_county_staff_cannot_record(county_staff, shandong_child):
    with pytest.raises(PermissionDenied):
        record(county_staff, shandong_child, dt.date(2026, 6, 1))


def test_a_closed_case_takes_no_new_visit(longsheng_supervisor, shandong_child):
    child_services.child_close(actor=longsheng_supervisor, child=shandong_child, reason="moved_out")
    with pytest.raises(ValidationError) as excinfo:
        record(longsheng_supervisor, shandong_child, dt.date(2026, 6, 1))
    assert "已结案" in str(excinfo.value)


def test_a_visit_in_the_future_is_refused_in_chinese(shandong_director, shandong_child):
    with pytest.raises(ValidationError) as excinfo:
        record(shandong_director, shandong_child, dt.date(2026, 6, 4))
    assert excinfo.value.message_dict["date"] == ["走访日期不能晚于今天。"]


def test_follow_up_needs_a_note(shandong_director, shandong_child):
    with pytest.raises(ValidationError) as excinfo:
        record(shandong_director, shandong_child, dt.date(2026, 6, 1), follow_up_needed=True)
    assert "请填写跟进事项" in excinfo.value.message_dict["follow_up_note"][0]


def test_the_visitor_must_work_in_the_childs_area(
    shandong_director, pingdeng_supervisor, shandong_child
):
    with pytest.raises(ValidationError) as excinfo:
        record(shandong_director, shandong_child, dt.date(2026, 6, 1), visitor=pingdeng_supervisor)
    assert "visitor" in excinfo.value.message_dict


def test_optimistic_lock_keeps_the_first_edit(shandong_director, shandong_child):
    visit = record(shandong_director, shandong_child, dt.date(2026, 6, 1))
    opened_version = visit.version
    services.visit_update(
        actor=shandong_director,
        visit=visit,
        expected_version=opened_version,
        data=visit_data(place="村委会"),
    )
    with pytest.raises(StaleEdit):
        services.visit_update(
            actor=shandong_director,
            visit=visit,
            expected_version=opened_version,
            data=visit_data(place="学校"),
        )
    visit.refresh_from_db()
    assert visit.place == "村委会"
    assert visit.version == opened_version + 1


def test_review_of_a_changed_record_is_refused(
    shandong_director, longsheng_supervisor, shandong_child
):
    visit = record(shandong_director, shandong_child, dt.date(2026, 6, 1))
    shown = visit.version
    services.visit_update(
        actor=shandong_director, visit=visit, expected_version=shown, data=visit_data(place="学校")
    )
    with pytest.raises(StaleEdit):
        services.visit_approve(actor=longsheng_supervisor, visit=visit, expected_version=shown)
    visit.refresh_from_db()
    assert visit.review_status == "pending"


def test_an_unchanged_save_writes_nothing(longsheng_supervisor, shandong_child):
    visit = record(longsheng_supervisor, shandong_child, dt.date(2026, 6, 1))
    services.visit_update(
        actor=longsheng_supervisor,
        visit=visit,
        expected_version=visit.version,
        data=visit_data(),
        problems=[],
    )
    visit.refresh_from_db()
    assert visit.version == 1
    assert ChangeLog.objects.filter(record_type="visit").count() == 1


def test_visits_follow_a_transferred_child_and_stay_editable(
    shandong_director, longsheng_supervisor, pingdeng_supervisor, shandong_child
):
    from children import services_transfer
    from tests import factories

    visit = record(shandong_director, shandong_child, dt.date(2026, 6, 1))
    transfer = services_transfer.transfer_request(
        actor=longsheng_supervisor,
        child=shandong_child,
        to_village=factories.village("平等镇", "罗汉村"),
        reason="随母迁居",
    )
    services_transfer.transfer_accept(actor=pingdeng_supervisor, transfer=transfer)
    assert not Visit.objects.visible_to(longsheng_supervisor).filter(pk=visit.pk).exists()
    assert not Visit.objects.visible_to(shandong_director).filter(pk=visit.pk).exists()
    assert Visit.objects.visible_to(pingdeng_supervisor).filter(pk=visit.pk).exists()
    # The original visitor no longer covers the child; correcting the record still works.
    services.visit_update(
        actor=pingdeng_supervisor,
        visit=visit,
        expected_version=visit.version,
        data=visit_data(place="原村委会"),
    )
    visit.refresh_from_db()
    assert visit.place == "原村委会"
    assert visit.visitor == shandong_director
