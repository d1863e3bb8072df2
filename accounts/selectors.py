from accounts.models import AccessLog, User


def user_list():
    """Users for the county admin's user page (only that role reaches it)."""
    return User.objects.select_related("township", "village").order_by("township__code", "username")


def access_log():
    """The access log for its page (county-wide; only holders of view_access_log reach it)."""
    return AccessLog.objects.select_related("user").order_by("-at", "-pk")
