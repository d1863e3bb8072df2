"""The signed-in user is loaded with their area, and a deactivated user is signed out."""

from django.urls import reverse


def test_the_signed_in_user_comes_with_township_and_village(client_for, shandong_director):
    response = client_for(shandong_director).get(reverse("children:list"))
    user = response.wsgi_request.user
    assert user == shandong_director
    # Loaded by the same query as the user: reading them costs nothing more.
    assert {"township", "village"} <= set(user._state.fields_cache)
    assert "龙胜镇 山东村" in response.content.decode()  # the area shown in the navigation


def test_a_deactivated_user_is_signed_out_at_the_next_request(client_for, shandong_director):
    client = client_for(shandong_director)
    shandong_director.is_active = False
    shandong_director.save(update_fields=["is_active"])
    response = client.get(reverse("children:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
