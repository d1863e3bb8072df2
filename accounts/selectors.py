from django.db.models import Count

from accounts.models import AccessLog, User, Village


def user_list():
    """Users for the county admin's user page (only that role reaches it)."""
    return User.objects.select_related("township", "village").order_by("township__code", "username")


def access_log():
    """The access log for its page (county-wide; only holders of view_access_log reach it)."""
    return AccessLog.objects.select_related("user").order_by("-at", "-pk")


def village_list():
    """Villages with what each holds, for the county admin's village page. Counted through
    the reverse relations (accounts does not import the ledger)."""
    return (
        Village.objects.select_related("township", "merged_into")
        .annotate(
            n_children=Count("children", distinct=True), n_accounts=Count("users", distinct=True)
        )
        .order_by("township__code", "code")
    )
