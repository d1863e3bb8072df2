import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Village, VillageChange
from children.models import Child
from tests import factories


def csv_upload(rows, name="villages.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["村代码", "乡镇代码", "名称"])
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), content_type="text/csv")


def test_village_list_shows_codes_and_what_each_village_holds(client_for, county_admin):
    factories.ChildFactory(village=factories.village("龙胜镇", "山东村"))
    page = client_for(county_admin).get(reverse("accounts:village_list"))
    text = page.content.decode()
    assert page.status_code == 200 and "450328100212" in text and "山东村" in text


def test_the_whole_countys_villages_fit_on_one_page(client_for, county_admin):
    page = client_for(county_admin).get(reverse("accounts:village_list"))
    table = page.context["table"]
    assert Village.objects.count() > 100  # the official list: more than a default page
    assert table.paginator.num_pages == 1
    assert len(table.page.object_list) == Village.objects.count()


def test_load_page_previews_every_change_then_writes_on_confirmation(client_for, county_admin):
    shandong = factories.village("龙胜镇", "山东村")
    factories.ChildFactory(village=shandong)
    Village.objects.filter(pk=shandong.pk).update(code="450328100999")
    client = client_for(county_admin)
    url = reverse("accounts:village_load")
    preview = client.post(
        url,
        {
            "file": csv_upload(
                [["450328100212", "450328100", "山东村委会"], ["450328201209", "450328201", "新村"]]
            )
        },
    )
    text = preview.content.decode()
    assert "更正代码" in text and "450328100999" in text and "新增" in text
    assert Village.objects.get(pk=shandong.pk).code == "450328100999"  # nothing written yet
    token = preview.context["token"]
    client.post(url, {"confirm": "1", "token": token})
    assert Village.objects.get(pk=shandong.pk).code == "450328100212"
    assert Village.objects.filter(code="450328201209", name="新村").exists()
    assert VillageChange.objects.filter(village=shandong, actor=county_admin).exists()
    assert Child.objects.filter(village=shandong).count() == 1
    # The same confirmation twice writes nothing more.
    again = client.post(url, {"confirm": "1", "token": token}, follow=True)
    assert "预览已过期" in again.content.decode()


def test_load_page_refuses_a_code_held_by_another_village_with_its_row(client_for, county_admin):
    response = client_for(county_admin).post(
        reverse("accounts:village_load"),
        {"file": csv_upload([["450328100212", "450328100", "城南社区居委会"]])},
    )
    text = response.content.decode()
    assert "第 2 行" in text and "龙胜镇 山东村" in text and 'name="confirm"' not in text
    assert Village.objects.get(code="450328100212").name == "山东村"


def test_village_pages_are_the_county_admins(client_for, longsheng_supervisor):
    client = client_for(longsheng_supervisor)
    assert client.get(reverse("accounts:village_list")).status_code == 403
    assert client.get(reverse("accounts:village_load")).status_code == 403
