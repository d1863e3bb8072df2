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


def test_permissions_come_from_the_role_group_and_the_users_own(db, shandong_director):
    from django.contrib.auth.models import Permission

    from accounts.backends import AreaModelBackend
    from accounts.models import User

    def fresh():
        return User.objects.get(pk=shandong_director.pk)

    backend = AreaModelBackend()
    role_perms = fresh().get_group_permissions()
    assert "visits.add_visit" in role_perms and "children.reveal_id" not in role_perms
    assert backend.get_all_permissions(fresh()) == role_perms

    shandong_director.user_permissions.add(Permission.objects.get(codename="reveal_id"))
    assert backend.get_all_permissions(fresh()) == role_perms | {"children.reveal_id"}
    shandong_director.groups.clear()
    assert backend.get_all_permissions(fresh()) == {"children.reveal_id"}
    shandong_director.is_active = False
    assert backend.get_all_permissions(shandong_director) == set()


def test_a_superuser_has_every_permission(db):
    from django.contrib.auth.models import Permission

    from accounts.backends import AreaModelBackend
    from accounts.models import User

    root = User.objects.create_superuser("t-root", password="x-long-password-1")
    assert len(AreaModelBackend().get_all_permissions(root)) == Permission.objects.count()


def test_every_role_gets_the_same_permissions_as_djangos_model_backend(
    db, county_admin, county_staff, longsheng_supervisor, shandong_director, nanmen_director
):
    """The one-statement permission query answers as ModelBackend does, for each role and
    for a user holding a permission of their own; no user gets another's."""
    from django.contrib.auth.backends import ModelBackend
    from django.contrib.auth.models import Permission

    from accounts.backends import AreaModelBackend
    from accounts.models import User

    nanmen_director.user_permissions.add(Permission.objects.get(codename="reveal_id"))
    users = [county_admin, county_staff, longsheng_supervisor, shandong_director, nanmen_director]
    answers = {}
    for user in users:
        ours = AreaModelBackend().get_all_permissions(User.objects.get(pk=user.pk))
        djangos = ModelBackend().get_all_permissions(User.objects.get(pk=user.pk))
        assert ours == djangos, user.username
        answers[user.username] = ours
    assert "children.reveal_id" in answers[nanmen_director.username]
    assert "children.reveal_id" not in answers[shandong_director.username]
    # The roles differ: a mix-up of users or groups would show here.
    assert len({frozenset(perms) for perms in answers.values()}) >= 4
