"""Who may see what: the one place that decides it (docs/architecture.md "The scoping rule").

County roles see the whole county; a township supervisor sees one township; a village child
director sees one village. A user with no role, no area for their role, or who is inactive
sees nothing. Every selector and every object lookup of a scoped model goes through
``AreaScopedQuerySet.visible_to`` (or ``area_q`` for a related path), so an object outside the
user's area is simply absent: the view answers 404, exactly as for an object that does not exist.
"""

from django.db import models
from django.db.models import Q
from django.http import Http404

from accounts.choices import COUNTY_ROLES, Role
from accounts.models import Township, Village

NOTHING = Q(pk__in=[])


def is_county_wide(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.role in COUNTY_ROLES


def cache_scope(user) -> str:
    """The key part under which a computed, scoped result (dashboard figures, the ledger's
    filter selects) may be reused: the same user with the same role and area. When an admin
    changes someone's role or area, nothing computed for the old scope is served again."""
    return f"{user.pk}.{user.role}.{user.township_id or '-'}.{user.village_id or '-'}"


def area_q(user, *, township: str = "township", village: str | None = "village") -> Q:
    """A filter limiting a queryset to the user's area.

    ``township`` and ``village`` are the lookup paths from the model to its Township and
    Village (for a visit: ``child__township``). A model that has no village (an activity, a
    township report) passes ``village=None``: a village director then sees the records of
    their own township, never another's.
    """
    if not (user.is_authenticated and user.is_active):
        return NOTHING
    if is_county_wide(user):
        return Q()
    if user.role == Role.TOWNSHIP_SUPERVISOR and user.township_id:
        return Q(**{f"{township}_id": user.township_id})
    if user.role == Role.VILLAGE_DIRECTOR and user.village_id:
        if village is None:
            return Q(**{f"{township}_id": user.township_id})
        return Q(**{f"{village}_id": user.village_id})
    return NOTHING


class AreaScopedQuerySet(models.QuerySet):
    """Base queryset of every model that belongs to an area.

    Subclasses set ``township_path`` / ``village_path`` when the area hangs off a relation.
    """

    township_path = "township"
    village_path: str | None = "village"

    def visible_to(self, user):
        return self.filter(area_q(user, township=self.township_path, village=self.village_path))


class TwoAreaScopedQuerySet(models.QuerySet):
    """Base queryset of a record that belongs to two areas at once: a transfer of a child
    (转移) is seen by the sending area and by the receiving one, and by no one else.

    ``area_paths`` lists the (township, village) lookup paths of each area. Only the record
    itself is widened this way: the child it names stays visible to exactly one area (its
    own queryset's ``visible_to``), and a page of the record shows what the receiving side
    needs to decide, read through the record, never through the child's own pages."""

    area_paths: tuple[tuple[str, str | None], ...] = ()

    def visible_to(self, user):
        conditions = [area_q(user, township=t, village=v) for t, v in self.area_paths]
        if any(not condition for condition in conditions):  # Q(): the whole county
            return self.all()
        condition = conditions[0]
        for other in conditions[1:]:
            condition |= other
        return self.filter(condition)

    def on_side(self, user, side: int):
        """The records whose ``side``-th area (0: sending, 1: receiving) is the user's."""
        township, village = self.area_paths[side]
        return self.filter(area_q(user, township=township, village=village))


def visible_townships(user):
    """The townships whose records the user may see (and pick in a form)."""
    if is_county_wide(user):
        return Township.objects.all()
    if user.is_authenticated and user.is_active and user.township_id:
        if user.role in (Role.TOWNSHIP_SUPERVISOR, Role.VILLAGE_DIRECTOR):
            return Township.objects.filter(pk=user.township_id)
    return Township.objects.none()


def visible_villages(user):
    """The villages whose records the user may see (and pick in a form)."""
    if is_county_wide(user):
        return Village.objects.select_related("township")
    if not (user.is_authenticated and user.is_active):
        return Village.objects.none()
    if user.role == Role.TOWNSHIP_SUPERVISOR and user.township_id:
        return Village.objects.filter(township_id=user.township_id).select_related("township")
    if user.role == Role.VILLAGE_DIRECTOR and user.village_id:
        return Village.objects.filter(pk=user.village_id).select_related("township")
    return Village.objects.none()


def can_see_area(user, *, township_id, village_id=None) -> bool:
    """Whether a (township, village) pair lies in the user's area: for checking a target
    area chosen in a form (a transfer, a new registration) before writing."""
    if is_county_wide(user):
        return True
    if user.role == Role.TOWNSHIP_SUPERVISOR:
        return bool(user.township_id) and township_id == user.township_id
    if user.role == Role.VILLAGE_DIRECTOR:
        return bool(user.village_id) and village_id == user.village_id
    return False


def get_visible_or_404(queryset, user, **lookup):
    """Fetch one object of a scoped model, or 404 whether it is absent or outside the area."""
    try:
        return queryset.visible_to(user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def single_area_fields(user) -> set[str]:
    """The area levels ("township", "village") at which the user sees exactly one area: a
    filter or picker offering that level has a single choice and can be left out."""
    if is_county_wide(user) or not (user.is_authenticated and user.is_active):
        return set()
    if user.role == Role.VILLAGE_DIRECTOR and user.village_id:
        return {"township", "village"}
    if user.role == Role.TOWNSHIP_SUPERVISOR and user.township_id:
        return {"township"}
    return set()
