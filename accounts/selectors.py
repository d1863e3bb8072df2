from accounts.models import User


def user_list():
    """Users for the county admin's user page (only that role reaches it)."""
    return User.objects.select_related("township", "village").order_by("township__code", "username")
