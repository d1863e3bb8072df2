from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.ReportIndexView.as_view(), name="index"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("<int:year>/", views.RollupView.as_view(), name="rollup"),
    path("<int:year>/export/", views.CountyWorkbookView.as_view(), name="county_export"),
    path("<int:year>/<int:township_id>/", views.TownshipReportView.as_view(), name="township"),
    path(
        "<int:year>/<int:township_id>/export/",
        views.TownshipWorkbookView.as_view(),
        name="township_export",
    ),
    path(
        "<int:year>/<int:township_id>/versions/<int:number>/",
        views.VersionView.as_view(),
        name="version",
    ),
    path(
        "<int:year>/<int:township_id>/return/",
        views.ReviewActionView.as_view(action="return"),
        name="return",
    ),
    path(
        "<int:year>/<int:township_id>/accept/",
        views.ReviewActionView.as_view(action="accept"),
        name="accept",
    ),
    path(
        "<int:year>/<int:township_id>/reopen/",
        views.ReviewActionView.as_view(action="reopen"),
        name="reopen",
    ),
]
