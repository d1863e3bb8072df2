"""家庭走访: one home visit recorded once for the children of a household creates one visit per
chosen child, all or none, and the counting rules (人次, 人数) stay right."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from children import services_households
from children.models import ChangeLog
from tests import factories
from visits import services
from visits.models import Visit

STATES = {f"{p}_state": "good" for p in ("emotion", "study", "life", "safety")}


def visit_data(day=None, **overrides):
    data = {
        "date": day or timezone.localdate() - dt.timedelta(days=1),
        "kind": "home",
        "co_visitors": "",
        "place": "家中",
        "emotion_note": "",
        "study_note": "",
        "life_note": "",
        "safety_note": "",
        "guardian_informed": True,
        "actions_taken": "",
        "follow_up_needed": False,
        "follow_up_note": "",
        **STATES,
    }
    data.update(overrides)
    return data


@pytest.fixture
def household(shandong_director):
    village = factories.village("龙胜镇", "山东村")
    children = [
        factories.ChildFactory(name=name, village=village, guardian_name="王奶奶")
        for name in ("张大妹", "张二妹", "张小弟")
    ]
    return services_households.household_create(
        actor=shandong_director,
        village=village,
        data={"name": "张家", "guardian_name": "王奶奶"},
        members=children,
    )


def test_one_visit_per_chosen_child(household, shandong_director):
    members = list(household.members.order_by("pk"))
    visits = services.visit_record_household(
        actor=shandong_director,
        household=household,
        children=members[:2],
        data=visit_data(),
        problems=["emotional"],
    )
    assert sorted(v.child_id for v in visits) == [members[0].pk, members[1].pk]
    assert Visit.objects.count() == 2  # 2 人次, 2 人; the third child was not seen
    assert not Visit.objects.filter(child=members[2]).exists()
    for visit in visits:
        assert list(visit.problems.values_list("code", flat=True)) == ["emotional"]
        note = ChangeLog.objects.get(record_type="visit", record_id=visit.pk).note
        assert "家庭走访" in note and "张大妹、张二妹" in note


def test_all_or_none(household, shandong_director):
    members = list(household.members.order_by("pk"))
    outsider = factories.ChildFactory(name="李外户", village=members[0].village)
    with pytest.raises(ValidationError):
        services.visit_record_household(
            actor=shandong_director,
            household=household,
            children=[*members, outsider],
            data=visit_data(),
        )
    with pytest.raises(ValidationError):  # a bad date refuses every visit, not the last one
        services.visit_record_household(
            actor=shandong_director,
            household=household,
            children=members,
            data=visit_data(day=timezone.localdate() + dt.timedelta(days=3)),
        )
    assert not Visit.objects.exists()


def test_through_the_page_and_scoped(
    client_for, household, shandong_director, nanmen_director, pingdeng_supervisor
):
    url = reverse("visits:household_create", args=[household.pk])
    for outsider in (nanmen_director, pingdeng_supervisor):
        assert client_for(outsider).get(url).status_code == 404
        assert client_for(outsider).post(url, {}).status_code == 404
    client = client_for(shandong_director)
    page = client.get(url).content.decode()
    assert "张小弟" in page
    data = {k: v for k, v in visit_data().items() if not isinstance(v, bool)}
    data["date"] = data["date"].isoformat()
    data["guardian_informed"] = "on"
    data["visitor"] = shandong_director.pk
    data["members"] = list(household.members.values_list("pk", flat=True))
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Visit.objects.count() == 3
    child = household.members.first()
    assert (
        reverse("visits:household_create", args=[household.pk])
        in client.get(child.get_absolute_url()).content.decode()
    )
