"""Role groups and their permissions.

Each role is a Django group named after the role's label. The permissions of a role are
declared by the apps themselves (``role_permissions`` on their AppConfig), so an app that
adds a permission also says which roles hold it; ``sync_role_groups`` runs after every
migrate and makes the groups match the declarations exactly.
"""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.utils import translation

from accounts.choices import Role


def group_name(role: str) -> str:
    # Always the Chinese label: a name in the active language would make an English-speaking
    # admin's save create a second, empty group and strip the user's permissions.
    with translation.override("zh-hans"):
        return str(Role(role).label)


def declared_permissions() -> dict[str, set[str]]:
    declared: dict[str, set[str]] = {role: set() for role in Role.values}
    for config in apps.get_app_configs():
        for role, perms in getattr(config, "role_permissions", {}).items():
            declared[role].update(perms)
    return declared


def sync_role_groups(**_kwargs) -> None:
    for role, perms in declared_permissions().items():
        group, _created = Group.objects.get_or_create(name=group_name(role))
        wanted = []
        for dotted in sorted(perms):
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:  # absent until that app's migrations have run
                wanted.append(perm)
        group.permissions.set(wanted)


def role_group(role: str) -> Group:
    group, _created = Group.objects.get_or_create(name=group_name(role))
    return group
