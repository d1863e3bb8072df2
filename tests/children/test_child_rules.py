"""A child must be a child, and every rule speaks Chinese at its field: through the
registration page, the edit page, the close page and the services."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from children import services
from children.models import Child
from core.validators import make_synthetic_id_number
from tests import factories

TODAY = dt.date(2026, 6, 10)
CHILD_ID = "450328201206010018"  # born 2012-06-01, male
ELDER_ID = "11010519491231002X"  # born 1949-12-31 (docs/domain.md §8 test vector)

# Texts that must never reach a page: the database's or Django's own wording.
RAW = ["约束", "constraint", "IntegrityError", "已存在", "具有", "violates", "CHECK"]


@pytest.fixture(autouse=True)
def fixed_today():
    with time_machine.travel(dt.datetime(2026, 6, 10, 9, 0), tick=False):
        yield


def create_form(**overrides):
    village = factories.village("龙胜镇", "山东村")
    data = {
        "township": village.township_id,
        "village": village.pk,
        "name": "韦小明",
        "id_number": "",
        "sex": "",
        "birth_date": "",
        "health": "healthy",
        "benefit_category": "none",
        "risk_level": "yellow",
        "registered_on": TODAY.isoformat(),
    }
    return data | overrides


def post_create(client, **overrides):
    response = client.post(reverse("children:create"), create_form(**overrides))
    assert response.status_code == 200, "refused forms render again, never a 500 or redirect"
    return response


def field_errors(response, field):
    return response.context["form"].errors.get(field, [])


def assert_no_raw_text(response):
    text = response.content.decode()
    for raw in RAW:
        assert raw not in text, raw


@pytest.fixture
def client(client_for, longsheng_supervisor):
    return client_for(longsheng_supervisor)


# --- the examples ----------------------------------------------------------------------


def test_only_a_name_asks_for_an_id_at_its_field_not_a_constraint(client):
    response = post_create(client)
    assert "请填写公民身份号码" in " ".join(field_errors(response, "id_number"))
    assert_no_raw_text(response)
    assert not Child.objects.exists()


def test_a_birth_date_in_the_future_is_refused(client):
    response = post_create(client, no_hukou="on", sex="M", birth_date="2030-01-01")
    assert "晚于今天" in " ".join(field_errors(response, "birth_date"))
    assert not Child.objects.exists()


def test_an_id_of_someone_born_in_1949_registers_no_child(client):
    response = post_create(client, id_number=ELDER_ID)
    assert "已满18周岁" in " ".join(field_errors(response, "id_number"))
    assert not Child.objects.exists()


def test_a_typed_birth_date_of_an_adult_is_refused(client):
    response = post_create(client, no_hukou="on", sex="F", birth_date="2008-06-09")
    assert "已满18周岁" in " ".join(field_errors(response, "birth_date"))
    one_day_younger = create_form(no_hukou="on", sex="F", birth_date="2008-06-11")
    assert client.post(reverse("children:create"), one_day_younger).status_code == 302


def test_guardian_phone_12345_is_refused_as_the_import_refuses_it(client):
    response = post_create(client, id_number=CHILD_ID, guardian_phone="12345")
    assert "联系电话格式不正确" in " ".join(field_errors(response, "guardian_phone"))


@pytest.mark.parametrize(
    "phone", ["13812345678", "138 1234 5678", "0773-7512345", "０７７３－7512345"]
)
def test_mobile_and_landline_numbers_are_accepted_and_stored_normalised(client, phone):
    client.post(reverse("children:create"), create_form(id_number=CHILD_ID, guardian_phone=phone))
    child = Child.objects.get()
    assert child.guardian_phone in ("13812345678", "0773-7512345")


def test_the_duplicate_id_message_is_plain_and_says_what_to_do(client):
    factories.ChildFactory(name="韦小明", id_number=CHILD_ID, birth_date=dt.date(2012, 6, 1))
    response = post_create(client, id_number=CHILD_ID)
    message = " ".join(field_errors(response, "id_number"))
    assert "已登记" in message and "请打开该儿童的档案核对" in message
    assert_no_raw_text(response)


def test_a_duplicate_id_in_another_area_does_not_say_where(client):
    factories.ChildFactory(
        name="罗平安",
        village=factories.village("平等镇", "罗汉村"),
        id_number=CHILD_ID,
        birth_date=dt.date(2012, 6, 1),
    )
    response = post_create(client, id_number=CHILD_ID)
    message = " ".join(field_errors(response, "id_number"))
    # Not even that it is registered somewhere else: only that the county center checks it.
    assert "无法在本辖区登记" in message and "县未保中心核实" in message
    assert "其他辖区" not in message and "已登记" not in message
    text = response.content.decode()
    assert "罗平安" not in text and "罗汉村" not in text and "平等镇" not in text


# --- children without an ID number ----------------------------------------------------------


def test_a_pending_id_needs_a_due_date_shown_on_the_list(client, client_for, shandong_director):
    response = post_create(client, id_pending="on", sex="F", birth_date="2015-03-01")
    assert "补录期限" in " ".join(field_errors(response, "id_due_on"))
    client.post(
        reverse("children:create"),
        create_form(id_pending="on", id_due_on="2026-07-01", sex="F", birth_date="2015-03-01"),
    )
    child = Child.objects.get()
    assert child.id_pending and child.id_number is None
    listing = client_for(shandong_director).get(reverse("children:list")).content.decode()
    assert "身份证号待补录 2026-07-01" in listing


def test_an_id_and_a_no_id_state_together_are_refused_at_the_second(client):
    response = post_create(client, id_number=CHILD_ID, no_hukou="on")
    assert "只能选一种" in " ".join(field_errors(response, "no_hukou"))


def test_another_document_needs_its_number_and_is_unique(client):
    response = post_create(
        client, document_type="birth_certificate", sex="M", birth_date="2020-02-02"
    )
    assert "请填写证件号码" in " ".join(field_errors(response, "document_number"))
    data = {"document_type": "birth_certificate", "document_number": "p450012345"}
    client.post(reverse("children:create"), create_form(sex="M", birth_date="2020-02-02", **data))
    child = Child.objects.get()
    assert child.document_number == "P450012345"
    assert child.masked_id_number.startswith("出生医学证明编号")
    again = post_create(client, name="韦小亮", sex="M", birth_date="2020-02-03", **data)
    assert "已登记" in " ".join(field_errors(again, "document_number"))


def test_without_a_number_the_same_name_birth_and_guardian_elsewhere_goes_to_the_county(
    longsheng_supervisor,
):
    """Asking "is this the child registered elsewhere?" would tell that one is: the child is
    registered, and the county center gets both records to check (issue 22)."""
    from children.models import DuplicateCheck

    factories.ChildFactory(
        name="蒙小雨",
        birth_date=dt.date(2016, 4, 4),
        id_number=None,
        no_hukou=True,
        guardian_name="蒙奶奶",
        village=factories.village("平等镇", "罗汉村"),
    )
    village = factories.village("龙胜镇", "山东村")
    data = {
        "name": "蒙小雨",
        "birth_date": dt.date(2016, 4, 4),
        "sex": "F",
        "id_pending": True,
        "id_due_on": dt.date(2026, 8, 1),
        "guardian_name": "蒙奶奶",
    }
    child = services.child_register(
        actor=longsheng_supervisor, township=village.township, village=village, data=data
    )
    assert child.pk
    check = DuplicateCheck.objects.get()
    assert (check.kind, check.edited, check.existing.village.name) == ("person", child, "罗汉村")


# --- every date on the child's forms ------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("registered_on", "2026-06-11", "晚于今天"),
        ("registered_on", "2012-05-01", "早于儿童的出生日期"),
        ("filled_on", "2027-01-01", "晚于今天"),
        ("filled_on", "2011-01-01", "早于儿童的出生日期"),
    ],
)
def test_record_dates_are_checked_against_birth_and_today(client, field, value, expected):
    response = post_create(client, id_number=CHILD_ID, **{field: value})
    assert expected in " ".join(field_errors(response, field))


def test_closing_date_is_checked_against_birth_and_today(client_for, county_admin):
    child = factories.ChildFactory(birth_date=dt.date(2012, 6, 1))
    client = client_for(county_admin)
    url = reverse("children:close", args=[child.pk])
    for value, expected in [("2026-06-11", "晚于今天"), ("2010-01-01", "出生日期")]:
        response = client.post(url, {"reason": "other", "closed_on": value})
        assert expected in " ".join(response.context["form"].errors.get("closed_on", []))


def test_benefit_change_date_before_birth_is_refused(longsheng_supervisor):
    child = factories.ChildFactory(birth_date=dt.date(2012, 6, 1), benefit_category="none")
    with pytest.raises(ValidationError) as caught:
        services.child_update(
            actor=longsheng_supervisor,
            child=child,
            expected_version=child.version,
            data={"benefit_category": "other_difficulty"},
            benefit_changed_on=dt.date(2011, 1, 1),
        )
    assert "benefit_changed_on" in caught.value.message_dict


# --- turning 18 -----------------------------------------------------------------------------


def test_a_child_who_turned_18_is_flagged_and_offered_closure(client_for, county_admin):
    birth = dt.date(2008, 6, 1)
    child = factories.ChildFactory(
        name="覃成年",
        birth_date=birth,
        registered_on=dt.date(2024, 1, 1),
        id_number=make_synthetic_id_number("450328", birth, 902, "F"),
    )
    client = client_for(county_admin)
    listing = client.get(reverse("children:list")).content.decode()
    assert "已满18周岁" in listing
    page = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    close_url = reverse("children:close", args=[child.pk]) + "?reason=aged_out"
    assert close_url in page
    form = client.get(close_url).context["form"]
    assert form.initial["reason"] == "aged_out"
    # Editing the record of a child registered before 18 stays possible.
    services.child_update(
        actor=county_admin,
        child=child,
        expected_version=child.version,
        data={"guardian_name": "覃奶奶"},
    )


def test_the_export_names_the_state_and_the_import_refuses_to_guess_it(
    county_admin, longsheng_supervisor
):
    from children.io.ledger_import import preview_ledger
    from tests.children.conftest import build_ledger, child_row

    village = factories.village("龙胜镇", "山东村")
    child = services.child_register(
        actor=longsheng_supervisor,
        township=village.township,
        village=village,
        data={
            "name": "潘待补",
            "sex": "F",
            "birth_date": dt.date(2015, 3, 1),
            "id_pending": True,
            "id_due_on": dt.date(2026, 7, 1),
        },
    )
    from children.io.ledger_export import ledger_rows, row_builder

    row = next(ledger_rows(Child.objects.filter(pk=child.pk)))
    assert row_builder(reveal=False)(row, 1)["公民身份号码"] == "身份证号待补录（期限 2026-07-01）"
    preview = preview_ledger(
        actor=longsheng_supervisor,
        township=village.township,
        data=build_ledger([child_row(**{"姓名": child.name, "公民身份号码": "身份证号待补录"})]),
    )
    assert any("请在网页上登记和修改" in e.message for e in preview.errors)
