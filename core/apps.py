from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app shares, below them all (docs/architecture.md): extension-point types,
    form plumbing, choice helpers, optimistic locking, spreadsheet safety, shared validators.
    It knows no other app of the project; it has no models."""

    name = "core"
    verbose_name = "core"
