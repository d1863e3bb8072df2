"""Consent records and closure requests of a child (included by children/urls.py)."""

from django.urls import path

from children import views_casework

urlpatterns = [
    path(
        "<int:pk>/consents/new/",
        views_casework.ConsentCreateView.as_view(),
        name="consent_create",
    ),
    path(
        "consents/<int:pk>/edit/",
        views_casework.ConsentEditView.as_view(),
        name="consent_edit",
    ),
    path(
        "consents/<int:pk>/withdraw/",
        views_casework.ConsentWithdrawView.as_view(),
        name="consent_withdraw",
    ),
    path("consents/<int:pk>/scan/", views_casework.ConsentScanView.as_view(), name="consent_scan"),
    path("closures/<int:pk>/", views_casework.ClosureDetailView.as_view(), name="closure_detail"),
]
