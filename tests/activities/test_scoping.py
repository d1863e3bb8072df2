"""Every URL of the app that takes an id, as a user of another area: 404, database unchanged;
and the action rights (403)."""

import pytest
from django.urls import reverse

from activities import services
from activities.models import (
    Activity,
    ActivityPhoto,
    Participation,
    PartnerOrganisation,
    PurchasedService,
    Training,
)
from tests.activities.conftest import image_bytes, make_activity, make_service, make_training

pytestmark = pytest.mark.django_db

HOSTILE_POST = {
    "title": "篡改",
    "topic": "篡改",
    "content": "篡改",
    "name": "篡改",
    "kind": "school",
    "version": "1",
    "formats": ["theme_day"],
    "start_date": "2026-05-30",
    "end_date": "2026-05-30",
    "date": "2026-05-30",
    "trainer": "x",
    "hours": "1",
    "amount": "1",
    "children": [],
}


@pytest.fixture
def longsheng_records(longsheng_supervisor, shandong_child, partner):
    activity = make_activity(longsheng_supervisor, children=[shandong_child], title="龙胜六一")
    [photo] = services.activity_photos_add(
        actor=longsheng_supervisor, activity=activity, files=[("a.png", image_bytes())]
    )
    own_partner = services.partner_create(
        actor=longsheng_supervisor, data={"name": "龙胜红枫志愿服务队", "kind": "volunteer_team"}
    )
    return {
        "activity": activity,
        "photo": photo,
        "service": make_service(longsheng_supervisor, partner, children=[shandong_child]),
        "training": make_training(longsheng_supervisor, attendees=[longsheng_supervisor]),
        "partner": own_partner,
    }


URLS = [
    ("activities:detail", "activity"),
    ("activities:edit", "activity"),
    ("activities:photo_upload", "activity"),
    ("activities:photo", "photo"),
    ("activities:photo_thumb", "photo"),
    ("activities:service_detail", "service"),
    ("activities:service_edit", "service"),
    ("activities:training_detail", "training"),
    ("activities:training_edit", "training"),
    ("activities:partner_edit", "partner"),
]
READ_ONLY = {
    "activities:detail",
    "activities:photo",
    "activities:photo_thumb",
    "activities:service_detail",
    "activities:training_detail",
}


def snapshot():
    return (
        list(Activity.objects.values().order_by("pk")),
        list(Participation.objects.values().order_by("pk")),
        list(ActivityPhoto.objects.values().order_by("pk")),
        list(PurchasedService.objects.values().order_by("pk")),
        list(Training.objects.values().order_by("pk")),
        list(PartnerOrganisation.objects.values().order_by("pk")),
    )


@pytest.mark.parametrize(("url_name", "record"), URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_townships_records_are_404_and_unchanged(
    client_for, pingdeng_supervisor, longsheng_records, url_name, record, method
):
    before = snapshot()
    url = reverse(url_name, args=[longsheng_records[record].pk])
    response = getattr(client_for(pingdeng_supervisor), method)(url, HOSTILE_POST)
    if method == "post" and url_name in READ_ONLY:
        assert response.status_code == 405  # pages that only show refuse any POST
    else:
        assert response.status_code == 404
    content = response.content.decode() if not response.streaming else ""
    assert "龙胜六一" not in content and "张小花" not in content
    assert snapshot() == before


@pytest.mark.parametrize(
    ("url_name", "record"),
    [u for u in URLS if u[0] != "activities:partner_edit"],
)
def test_a_director_of_another_township_gets_404(
    client_for, longsheng_records, url_name, record, db
):
    from accounts.choices import Role
    from tests import factories

    director = factories.make_user(
        Role.VILLAGE_DIRECTOR, township_name="平等镇", village_name="罗汉村"
    )
    response = client_for(director).get(reverse(url_name, args=[longsheng_records[record].pk]))
    assert response.status_code in (403, 404)
    if url_name.endswith(("detail", "photo", "photo_thumb")):
        assert response.status_code == 404


def test_a_director_sees_the_activities_of_their_own_township(
    client_for, nanmen_director, longsheng_records
):
    """Activities have no village: a director of another village of the same township sees
    them (and cannot edit them)."""
    client = client_for(nanmen_director)
    activity = longsheng_records["activity"]
    assert client.get(reverse("activities:detail", args=[activity.pk])).status_code == 200
    assert client.get(reverse("activities:edit", args=[activity.pk])).status_code == 403


def test_a_county_level_activity_is_visible_to_county_roles_only(
    client_for, county_admin, county_staff, longsheng_supervisor, shandong_director
):
    activity = make_activity(county_admin, township=None, title="县级六一")
    url = reverse("activities:detail", args=[activity.pk])
    assert client_for(county_staff).get(url).status_code == 200
    assert client_for(longsheng_supervisor).get(url).status_code == 404
    assert client_for(shandong_director).get(url).status_code == 404
    listing = client_for(longsheng_supervisor).get(reverse("activities:list")).content.decode()
    assert "县级六一" not in listing


def test_lists_show_only_the_users_township(
    client_for, pingdeng_supervisor, longsheng_records, pingdeng_child
):
    client = client_for(pingdeng_supervisor)
    make_activity(pingdeng_supervisor, children=[pingdeng_child], title="平等六一")
    content = client.get(reverse("activities:list")).content.decode()
    assert "平等六一" in content and "龙胜六一" not in content
    services_page = client.get(reverse("activities:service_list")).content.decode()
    assert "个案心理辅导" not in services_page and "48000" not in services_page
    trainings = client.get(reverse("activities:training_list")).content.decode()
    assert "儿童心理危机识别" not in trainings


@pytest.mark.parametrize(
    "url_name",
    [
        "activities:create",
        "activities:service_create",
        "activities:training_create",
        "activities:partner_create",
        "activities:campaign_create",
    ],
)
def test_directors_and_county_staff_cannot_record(
    client_for, shandong_director, county_staff, url_name
):
    for user in (shandong_director, county_staff):
        client = client_for(user)
        assert client.get(reverse(url_name)).status_code == 403
        assert client.post(reverse(url_name), HOSTILE_POST).status_code == 403
    assert not Activity.objects.exists() and not PartnerOrganisation.objects.exists()


def test_a_director_cannot_edit_or_upload(client_for, shandong_director, longsheng_records):
    client = client_for(shandong_director)
    before = snapshot()
    for name, record in [
        ("activities:edit", "activity"),
        ("activities:photo_upload", "activity"),
        ("activities:service_edit", "service"),
        ("activities:training_edit", "training"),
    ]:
        url = reverse(name, args=[longsheng_records[record].pk])
        assert client.post(url, HOSTILE_POST).status_code == 403
    assert snapshot() == before


def test_anonymous_users_are_sent_to_login(client, longsheng_records):
    for name, record in URLS:
        response = client.get(reverse(name, args=[longsheng_records[record].pk]))
        assert response.status_code == 302
        assert reverse("accounts:login") in response.url
