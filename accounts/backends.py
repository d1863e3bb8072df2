"""Authentication backend: Django's ModelBackend, loading the signed-in user with their area.

Every page shows the user's area in the navigation bar (``User.area_label``) and most pages
scope by it: loading the township and village with the user saves a query per request.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


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
