"""The abstract record every editable model builds on (no table of its own)."""

from django.conf import settings
from django.db import models


class VersionedModel(models.Model):
    """A record people edit through forms: its ``version`` for optimistic locking (every
    save through a service claims the next one, core/versioning.py; a stale form is refused),
    who created it and when, and when it last changed.

    A model whose columns were first created with other options (a required author, a label
    shown in the admin) declares that field again with its own definition: changing it here
    would be a migration of every table for nothing."""

    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
