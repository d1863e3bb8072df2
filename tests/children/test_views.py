"""Ledger pages: scoping (404), search, masking and reveal, stale edits, query counts."""

import pytest
from django.urls import reverse

from accounts.models import AccessAction, AccessLog
from children.models import ChangeLog, Child
from tests import factories

CHILD_URLS = ["detail", "edit", "close", "reopen", "transfer"]


@pytest.mark.parametrize("name", [*CHILD_URLS, "reveal"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_child_urls_of_another_township_are_404_and_change_nothing(
    client_for, pingdeng_supervisor, shandong_child, name, method
):
    before = (Child.objects.values().get(pk=shandong_child.pk), ChangeLog.objects.count())
    client = client_for(pingdeng_supervisor)
    response = getattr(client, method)(
        reverse(f"children:{name}", args=[shandong_child.pk]),
        {"name": "篡改", "reason": "other", "note": "x", "village": shandong_child.village_id},
    )
    assert response.status_code == 404
    assert "张小花" not in response.content.decode()
    assert (Child.objects.values().get(pk=shandong_child.pk), ChangeLog.objects.count()) == before


@pytest.mark.parametrize("name", CHILD_URLS)
def test_child_urls_of_another_village_are_404_for_a_director(
    client_for, nanmen_director, shandong_child, name
):
    response = client_for(nanmen_director).get(
        reverse(f"children:{name}", args=[shandong_child.pk])
    )
    assert response.status_code == 404


def test_list_and_search_never_show_another_townships_children(
    client_for, pingdeng_supervisor, shandong_child, pingdeng_child
):
    client = client_for(pingdeng_supervisor)
    for query in ["", "张小花", "zxh", "zhangxiaohua", shandong_child.id_number[-4:]]:
        content = client.get(reverse("children:list"), {"q": query}).content.decode()
        results = content.split("<table", 1)[1]  # the search box echoes the query itself
        assert "张小花" not in results
    assert "罗平安" in client.get(reverse("children:list")).content.decode()


@pytest.mark.parametrize("query", ["zhangxiaohua", "zxh", "ZXH", "张小", "小花"])
def test_search_by_name_pinyin_and_initials(client_for, longsheng_supervisor, query):
    factories.ChildFactory(name="张小花")
    factories.ChildFactory(name="李明")
    content = client_for(longsheng_supervisor).get(reverse("children:list"), {"q": query})
    content = content.content.decode()
    assert "张小花" in content and "李明" not in content


def test_search_by_id_tail(client_for, longsheng_supervisor, shandong_child):
    other = factories.ChildFactory(name="李明")
    content = client_for(longsheng_supervisor).get(
        reverse("children:list"), {"q": shandong_child.id_number[-6:]}
    )
    assert "张小花" in content.content.decode() and other.name not in content.content.decode()


def test_filters_by_circumstance_and_risk(client_for, longsheng_supervisor):
    left_behind = factories.ChildFactory(name="留守甲", risk_level="red")
    left_behind.circumstances.create(code="left_behind")
    factories.ChildFactory(name="其他乙", risk_level="red")
    content = client_for(longsheng_supervisor).get(
        reverse("children:list"), {"circumstance": "left_behind", "risk_level": "red"}
    )
    assert "留守甲" in content.content.decode() and "其他乙" not in content.content.decode()


def test_child_page_masks_id_and_logs_the_view(client_for, county_staff, shandong_child):
    response = client_for(county_staff).get(shandong_child.get_absolute_url())
    content = response.content.decode()
    assert shandong_child.id_number not in content
    assert "*" * 14 + shandong_child.id_number[-4:] in content
    assert shandong_child.id_number[:6] + "********" not in content
    assert shandong_child.birth_date.isoformat() not in content
    assert "no-store" in response["Cache-Control"]
    entry = AccessLog.objects.get(action=AccessAction.VIEW_CHILD)
    assert (entry.user, entry.target_id) == (county_staff, str(shandong_child.pk))


def test_reveal_shows_the_full_id_and_is_logged(client_for, longsheng_supervisor, shandong_child):
    response = client_for(longsheng_supervisor).post(
        reverse("children:reveal", args=[shandong_child.pk])
    )
    assert shandong_child.id_number in response.content.decode()
    assert AccessLog.objects.filter(
        action=AccessAction.REVEAL_ID, target_id=str(shandong_child.pk)
    ).exists()


def test_reveal_is_forbidden_without_the_permission(client_for, county_staff, shandong_child):
    response = client_for(county_staff).post(reverse("children:reveal", args=[shandong_child.pk]))
    assert response.status_code == 403
    assert shandong_child.id_number not in response.content.decode()


def test_create_form_shows_chinese_errors_and_writes_nothing(client_for, shandong_director):
    village = factories.village()
    response = client_for(shandong_director).post(
        reverse("children:create"),
        {
            "township": village.township_id,
            "village": village.pk,
            "name": "韦小明",
            "id_number": "450328201206010019",
            "health": "healthy",
            "benefit_category": "none",
            "risk_level": "yellow",
            "registered_on": "2026-05-01",
        },
    )
    assert response.status_code == 200
    assert "校验位错误" in response.content.decode()
    assert not Child.objects.exists()


def test_extra_posted_fields_cannot_set_area_status_or_version(
    client_for, shandong_director, shandong_child
):
    other_village = factories.village("平等镇", "罗汉村")
    response = client_for(shandong_director).post(
        reverse("children:edit", args=[shandong_child.pk]),
        edit_payload(shandong_child)
        | {
            "guardian_name": "新监护人",
            "village": other_village.pk,
            "township": other_village.township_id,
            "status": "closed",
            "is_synthetic": "",
            "created_by": shandong_director.pk,
        },
    )
    assert response.status_code == 302
    shandong_child.refresh_from_db()
    assert shandong_child.guardian_name == "新监护人"
    assert shandong_child.village.name == "山东村"
    assert shandong_child.status == "active"
    assert shandong_child.created_by is None


def edit_payload(child, **overrides):
    data = {
        "name": child.name,
        "id_number": child.id_number,
        "sex": child.sex,
        "birth_date": child.birth_date.isoformat(),
        "health": child.health,
        "benefit_category": child.benefit_category,
        "risk_level": child.risk_level,
        "registered_on": child.registered_on.isoformat(),
        "version": child.version,
    }
    return data | overrides


def test_stale_edit_is_refused_shows_their_change_and_keeps_it(
    client_for, longsheng_supervisor, shandong_director, shandong_child
):
    opened = edit_payload(shandong_child)
    first = client_for(longsheng_supervisor).post(
        reverse("children:edit", args=[shandong_child.pk]), opened | {"guardian_name": "督导员改"}
    )
    assert first.status_code == 302
    second = client_for(shandong_director).post(
        reverse("children:edit", args=[shandong_child.pk]), opened | {"guardian_name": "主任改"}
    )
    content = second.content.decode()
    assert second.status_code == 200
    assert "其他人已修改" in content and "督导员改" in content
    assert 'value="主任改"' in content  # what the director typed is not thrown away
    shandong_child.refresh_from_db()
    assert shandong_child.guardian_name == "督导员改"


def make_children(count, village):
    for index in range(count):
        child = factories.ChildFactory(village=village, name=f"儿童{index}")
        child.circumstances.create(code="left_behind")
        child.circumstances.create(code="living_difficulty")


def test_ledger_list_runs_a_constant_number_of_queries(
    client_for, longsheng_supervisor, django_assert_max_num_queries
):
    client = client_for(longsheng_supervisor)
    village = factories.village()
    make_children(3, village)
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("children:list"))
    make_children(30, village)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("children:list"))
    assert response.content.decode().count("留守") >= 30


def test_child_page_runs_a_constant_number_of_queries(
    client_for, longsheng_supervisor, shandong_child, django_assert_max_num_queries
):
    def edit(times: int) -> None:
        for number in range(times):
            factories.rename_guardian(shandong_child, longsheng_supervisor, f"监护人{number}")

    client = client_for(longsheng_supervisor)
    client.get(shandong_child.get_absolute_url())  # warm caches (content types, perms)
    with django_assert_max_num_queries(60) as few:
        client.get(shandong_child.get_absolute_url())
    # A history longer than the page shows costs one query more (how many are older)...
    edit(15)
    with django_assert_max_num_queries(len(few.captured_queries) + 1) as longer:
        client.get(shandong_child.get_absolute_url())
    # ... and no more however long it grows.
    edit(15)
    with django_assert_max_num_queries(len(longer.captured_queries)):
        client.get(shandong_child.get_absolute_url())


def test_list_shows_only_chosen_optional_columns(client_for, longsheng_supervisor, shandong_child):
    client = client_for(longsheng_supervisor)
    assert (
        "监护人"
        not in client.get(reverse("children:list"))
        .content.decode()
        .split("<table")[1]
        .split("</thead>")[0]
    )
    content = client.get(reverse("children:list"), {"cols": ["guardian_name"]}).content.decode()
    assert "监护人" in content.split("<table")[1].split("</thead>")[0]


def test_admin_changelist_is_scoped_and_read_only(client_for, county_admin, shandong_child):
    client = client_for(county_admin)
    response = client.get("/admin/children/child/")
    content = response.content.decode()
    assert response.status_code == 200 and "张小花" in content
    assert shandong_child.id_number not in content  # masked in admin too
    assert client.get(f"/admin/children/child/{shandong_child.pk}/delete/").status_code == 403


def test_admin_search_finds_a_child_by_name_or_id_number_without_error(
    client_for, county_admin, shandong_child
):
    """The ID number is encrypted: the admin's search goes through the same keyed hashes
    as the ledger list, by the whole number or its last 4 characters."""
    client = client_for(county_admin)
    by_name = client.get("/admin/children/child/", {"q": shandong_child.name})
    by_number = client.get("/admin/children/child/", {"q": shandong_child.id_number})
    by_tail = client.get("/admin/children/child/", {"q": shandong_child.id_number[-4:]})
    other = client.get("/admin/children/child/", {"q": "110101201001019999"})
    for response in (by_name, by_number, by_tail):
        assert response.status_code == 200
        assert shandong_child.name in response.content.decode()
    assert other.status_code == 200 and shandong_child.name not in other.content.decode()


def test_care_filters_find_overdue_alerted_referred_and_paired_children(
    client_for, longsheng_supervisor
):
    import datetime as dt

    from care.models import Institution, Referral, SafetyAlert, Screening

    overdue = factories.ChildFactory(name="逾期甲", registered_on=dt.date(2020, 1, 6))
    fresh = factories.ChildFactory(name="新登乙")  # registered today: first visit not yet due
    screening = Screening.objects.create(
        child=fresh,
        screened_on=dt.date(2026, 5, 10),
        instrument="PHQA",
        respondent="self",
        answers={},
        total=0,
        band="minimal",
        cutoff_version="PHQA-test",
        entered_by=longsheng_supervisor,
    )
    SafetyAlert.objects.create(child=fresh, screening=screening, kind="suicidal_ideation")
    institution = Institution.objects.create(name="县医院心理门诊", kind="medical")
    Referral.objects.create(
        child=overdue,
        institution=institution,
        reason="测试",
        referred_on=dt.date(2026, 5, 1),
        status_on=dt.date(2026, 5, 1),
        created_by=longsheng_supervisor,
    )
    client = client_for(longsheng_supervisor)

    def names(**params):
        content = client.get(reverse("children:list"), params).content.decode()
        return {n for n in ("逾期甲", "新登乙") if n in content.split("<table", 1)[1]}

    assert names(visit_overdue="true") == {"逾期甲"}
    assert names(visit_overdue="false") == {"新登乙"}
    assert names(open_alert="true") == {"新登乙"}
    assert names(referred="true") == {"逾期甲"}
    assert names(screened_from="2026-05-01", screened_to="2026-05-31") == {"新登乙"}
    assert names(screened_from="2026-06-01") == set()
    assert names(paired="true") == set()


def test_open_alert_filter_is_not_offered_to_roles_that_may_not_see_alerts(
    client_for, shandong_director, longsheng_supervisor, shandong_child
):
    director_page = client_for(shandong_director).get(reverse("children:list")).content.decode()
    assert 'name="open_alert"' not in director_page
    supervisor_page = client_for(longsheng_supervisor).get(reverse("children:list"))
    assert 'name="open_alert"' in supervisor_page.content.decode()
