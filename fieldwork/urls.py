from django.urls import path

from fieldwork import views

app_name = "fieldwork"

urlpatterns = [
    # From the site root: a service worker serves the pages under the folder it comes from.
    path("sw.js", views.ServiceWorkerView.as_view(), name="service_worker"),
    path("manifest.webmanifest", views.ManifestView.as_view(), name="manifest"),
    path("fieldwork/", views.AppView.as_view(), name="app"),
    path("fieldwork/caseload/", views.CaseloadView.as_view(), name="caseload"),
    path("fieldwork/sync/", views.SyncView.as_view(), name="sync"),
]
