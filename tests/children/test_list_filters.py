"""The ledger's filter panel: kept for a minute, but always the user's own and the
filters they chose."""

from django.urls import reverse

from tests import factories


def select(content: str, name: str) -> str:
    return content.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]


def test_the_chosen_filters_are_shown_selected_each_time(client_for, longsheng_supervisor):
    client = client_for(longsheng_supervisor)
    url = reverse("children:list")
    red = client.get(url, {"risk_level": "red"}).content.decode()
    green = client.get(url, {"risk_level": "green"}).content.decode()
    assert 'value="red" selected' in select(red, "risk_level")
    assert 'value="green" selected' in select(green, "risk_level")
    assert 'value="" selected' in select(client.get(url).content.decode(), "risk_level")


def test_the_search_text_does_not_change_the_panel_but_is_echoed(client_for, longsheng_supervisor):
    client = client_for(longsheng_supervisor)
    url = reverse("children:list")
    first = client.get(url, {"q": "zhang", "risk_level": "red"}).content.decode()
    second = client.get(url, {"q": "wei", "risk_level": "red"}).content.decode()
    assert 'value="zhang"' in first and 'value="wei"' in second
    assert 'value="red" selected' in select(second, "risk_level")


def test_each_user_gets_the_villages_of_their_own_area(
    client_for, longsheng_supervisor, pingdeng_supervisor
):
    factories.village("龙胜镇", "山东村")
    factories.village("平等镇", "罗汉村")
    url = reverse("children:list")
    longsheng = select(client_for(longsheng_supervisor).get(url).content.decode(), "village")
    pingdeng = select(client_for(pingdeng_supervisor).get(url).content.decode(), "village")
    assert "山东村" in longsheng and "罗汉村" not in longsheng
    assert "罗汉村" in pingdeng and "山东村" not in pingdeng


def test_a_user_moved_to_another_township_gets_its_villages_at_once(
    client_for, longsheng_supervisor
):
    from accounts.models import Township

    url = reverse("children:list")
    client = client_for(longsheng_supervisor)
    assert "山东村" in select(client.get(url).content.decode(), "village")
    longsheng_supervisor.township = Township.objects.get(name="平等镇")
    longsheng_supervisor.save(update_fields=["township"])
    villages = select(client.get(url).content.decode(), "village")
    assert "罗汉村" in villages and "山东村" not in villages
