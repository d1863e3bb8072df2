"""Partner organisations (credit code checked with a Chinese message) and campaigns (only the
county admin creates them; the report deadline defaults to June 4)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from activities import selectors, services
from activities.models import Campaign, PartnerOrganisation

pytestmark = pytest.mark.django_db


def partner_post(**overrides) -> dict:
    data = {"name": "龙胜红枫志愿服务队", "kind": "volunteer_team", "credit_code": ""}
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91350100M000100Y44", "统一社会信用代码校验位错误，请核对"),
        ("91350100M000100Y4", "统一社会信用代码应为18位，当前为17位"),
        ("91350100I000100Y43", "统一社会信用代码含有无效字符“I”"),
    ],
)
def test_partner_form_refuses_a_bad_credit_code_in_chinese(
    client_for, longsheng_supervisor, code, message
):
    response = client_for(longsheng_supervisor).post(
        reverse("activities:partner_create"), partner_post(credit_code=code)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PartnerOrganisation.objects.exists()


def test_partner_credit_code_is_normalised_and_stored(client_for, longsheng_supervisor):
    response = client_for(longsheng_supervisor).post(
        reverse("activities:partner_create"),
        partner_post(credit_code=" ９１３５０１００ｍ０００１００ｙ４３ "),
    )
    assert response.status_code == 302
    partner = PartnerOrganisation.objects.get()
    assert partner.credit_code == "91350100M000100Y43"
    assert partner.township == longsheng_supervisor.township  # registered by the township


def test_partner_without_a_credit_code_is_accepted(client_for, longsheng_supervisor):
    client_for(longsheng_supervisor).post(reverse("activities:partner_create"), partner_post())
    assert PartnerOrganisation.objects.get().credit_code == ""


def test_a_credit_code_can_be_registered_only_once(client_for, longsheng_supervisor, partner):
    response = client_for(longsheng_supervisor).post(
        reverse("activities:partner_create"),
        partner_post(name="另一个组织", credit_code=partner.credit_code.lower()),
    )
    assert "该统一社会信用代码已登记" in response.content.decode()
    assert PartnerOrganisation.objects.count() == 1


def test_the_service_validates_the_credit_code_too(longsheng_supervisor):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.partner_create(
            actor=longsheng_supervisor,
            data={"name": "x", "kind": "school", "credit_code": "91350100M000100Y44"},
        )
    assert exc.value.message_dict["credit_code"] == ["统一社会信用代码校验位错误，请核对"]


def test_partners_are_a_county_wide_directory_but_edited_by_their_township(
    client_for, longsheng_supervisor, pingdeng_supervisor
):
    services.partner_create(
        actor=longsheng_supervisor, data={"name": "龙胜红枫志愿服务队", "kind": "volunteer_team"}
    )
    partner = PartnerOrganisation.objects.get()
    pingdeng = client_for(pingdeng_supervisor)
    listing = pingdeng.get(reverse("activities:partner_list")).content.decode()
    assert "龙胜红枫志愿服务队" in listing
    assert reverse("activities:partner_edit", args=[partner.pk]) not in listing
    edit = reverse("activities:partner_edit", args=[partner.pk])
    assert pingdeng.get(edit).status_code == 404
    own = client_for(longsheng_supervisor)
    assert own.get(edit).status_code == 200
    response = own.post(edit, partner_post(name="龙胜红枫志愿者协会", version="1"))
    assert response.status_code == 302
    partner.refresh_from_db()
    assert (partner.name, partner.version) == ("龙胜红枫志愿者协会", 2)


def test_a_stale_partner_edit_keeps_the_first_one(client_for, longsheng_supervisor):
    partner = services.partner_create(
        actor=longsheng_supervisor, data={"name": "红枫", "kind": "volunteer_team"}
    )
    client = client_for(longsheng_supervisor)
    edit = reverse("activities:partner_edit", args=[partner.pk])
    client.post(edit, partner_post(name="第一次", version="1"))
    response = client.post(edit, partner_post(name="第二次", version="1"))
    assert "该记录已被他人修改" in response.content.decode()
    partner.refresh_from_db()
    assert partner.name == "第一次"


# --- campaigns ------------------------------------------------------------------------------


def campaign_post(**overrides) -> dict:
    data = {
        "year": "2026",
        "theme": "润心伴成长，同心护未来",
        "start_date": "2026-05-15",
        "end_date": "2026-06-10",
        "report_deadline": "",
    }
    data.update(overrides)
    return data


def test_only_the_county_admin_creates_campaigns(
    client_for, county_admin, county_staff, longsheng_supervisor, shandong_director
):
    for user in (county_staff, longsheng_supervisor, shandong_director):
        response = client_for(user).post(reverse("activities:campaign_create"), campaign_post())
        assert response.status_code == 403
    assert not Campaign.objects.exists()
    response = client_for(county_admin).post(reverse("activities:campaign_create"), campaign_post())
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.report_deadline == dt.date(2026, 6, 4)  # default: June 4 of the year
    assert campaign.theme == "润心伴成长，同心护未来"
    assert campaign.created_by == county_admin


def test_the_service_refuses_a_campaign_from_a_supervisor(longsheng_supervisor):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.campaign_create(
            actor=longsheng_supervisor,
            data={"year": 2026, "start_date": dt.date(2026, 5, 1), "end_date": dt.date(2026, 6, 1)},
        )


def test_a_campaign_year_is_unique_and_its_period_ordered(client_for, county_admin, campaign):
    client = client_for(county_admin)
    response = client.post(reverse("activities:campaign_create"), campaign_post())
    assert "年度" in response.content.decode() and "已存在" in response.content.decode()
    response = client.post(
        reverse("activities:campaign_create"),
        campaign_post(year="2027", start_date="2027-06-10", end_date="2027-05-15"),
    )
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert Campaign.objects.count() == 1


def test_everyone_may_see_the_campaigns(client_for, shandong_director, campaign):
    response = client_for(shandong_director).get(reverse("activities:campaign_list"))
    assert response.status_code == 200
    assert "2026-06-04" in response.content.decode()


def test_current_campaign_is_the_one_of_the_year(campaign):
    assert selectors.current_campaign(dt.date(2026, 1, 2)) == campaign
    assert selectors.current_campaign(dt.date(2026, 12, 31)) == campaign
    assert selectors.current_campaign(dt.date(2027, 5, 1)) is None
    with time_machine.travel(dt.datetime(2026, 5, 20, 10, 0, tzinfo=dt.UTC)):
        assert selectors.current_campaign() == campaign


def test_days_to_deadline(campaign):
    assert campaign.days_to_deadline(dt.date(2026, 6, 1)) == 3
    assert campaign.days_to_deadline(dt.date(2026, 6, 4)) == 0
    assert campaign.days_to_deadline(dt.date(2026, 6, 5)) == -1
