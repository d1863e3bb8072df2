"""Excel import/export URLs, included into children/urls.py (namespace "children")."""

from django.urls import path

from children import views_io

urlpatterns = [
    path("import/", views_io.LedgerImportView.as_view(), name="import"),
    path(
        "import/template.xlsx",
        views_io.LedgerImportTemplateView.as_view(),
        name="import_template",
    ),
    path("export.xlsx", views_io.LedgerExportView.as_view(), name="export"),
]
