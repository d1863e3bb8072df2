"""Writing the access log. Services and views call ``log_access`` for every sensitive read."""

from accounts.models import AccessAction, AccessLog

__all__ = ["AccessAction", "log_access"]


def client_ip(request) -> str | None:
    # REMOTE_ADDR only: behind nginx it is set from the real peer (see deploy/), and a
    # client-sent X-Forwarded-For must never be trusted for an audit record.
    return request.META.get("REMOTE_ADDR") or None if request is not None else None


def log_access(
    *,
    action: str,
    user=None,
    request=None,
    target=None,
    target_type: str = "",
    target_id: str = "",
    target_label: str = "",
    detail: dict | None = None,
    username: str = "",
) -> AccessLog:
    if request is not None and user is None and request.user.is_authenticated:
        user = request.user
    if target is not None:
        target_type = target_type or target._meta.model_name
        target_id = target_id or str(target.pk)
        target_label = target_label or str(target)
    return AccessLog.objects.create(
        action=action,
        user=user if user is not None and user.is_authenticated else None,
        username=username or (user.username if user is not None else ""),
        target_type=target_type,
        target_id=target_id,
        target_label=target_label[:200],
        path=(request.get_full_path()[:500] if request is not None else ""),
        ip=client_ip(request),
        detail=detail or {},
    )
