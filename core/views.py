"""The area-scoped object view base every app's record pages build on."""

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404


class ScopedObjectMixin:
    """The record of the URL, from the user's area only: outside it, 404 as if absent
    (docs/architecture.md, "The scoping rule").

    It is looked up in ``dispatch``, before the permission and method checks, so that a
    record of another area answers 404 to every method and every role, never 403 or 405
    (which would confirm that it exists): list this mixin first among the bases. A view gives
    ``scoped_queryset(self)`` (a queryset of a model scoped by accounts/scoping.py, whose
    ``visible_to(user)`` narrows it) or overrides ``scoped_lookup(user, pk)`` (a selector)."""

    pk_url_kwarg = "pk"

    def scoped_queryset(self):
        raise NotImplementedError

    def scoped_lookup(self, user, pk):
        return self.scoped_queryset().visible_to(user).get(pk=pk)

    def get_scoped_object(self):
        if not hasattr(self, "_scoped_object"):
            try:
                self._scoped_object = self.scoped_lookup(
                    self.request.user, self.kwargs[self.pk_url_kwarg]
                )
            except (ObjectDoesNotExist, ValueError, TypeError) as exc:
                raise Http404 from exc
        return self._scoped_object

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.get_scoped_object()
        return super().dispatch(request, *args, **kwargs)
