"""Authentication backend: Django's ModelBackend, with two savings on every request.

* The signed-in user is loaded with their area: every page shows it in the navigation bar
  (``User.area_label``) and most pages scope by it.
* The permissions the navigation and the views check are read in one query (the user's own
  and their groups') instead of two; the rules are ModelBackend's.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission


class AreaModelBackend(ModelBackend):
    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("township", "village__township").get(
                pk=user_id
            )
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            fields = ("content_type__app_label", "codename")
            if user_obj.is_superuser:
                rows = Permission.objects.values_list(*fields).order_by()
            else:
                own = Permission.objects.filter(user=user_obj).values_list(*fields).order_by()
                via_groups = (
                    Permission.objects.filter(group__user=user_obj).values_list(*fields).order_by()
                )
                rows = own.union(via_groups)
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache
