from django.apps import AppConfig


class ScaleConfig(AppConfig):
    """Synthetic data at province scale for the benchmarks (``manage.py seed_scale``, see
    bench/README.md). It stands above every app it fills, beside the wiring, so that no app
    of the portal imports it; it holds no models and no pages."""

    name = "scale"
    verbose_name = "scale"
