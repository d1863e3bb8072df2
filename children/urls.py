from django.urls import path

from children import (
    households,
    urls_casework,
    urls_io,
    views,
    views_casework,
    views_duplicates,
    views_transfer,
    views_villages,
)

app_name = "children"

urlpatterns = [
    path("", views.ChildListView.as_view(), name="list"),
    path("new/", views.ChildCreateView.as_view(), name="create"),
    path("<int:pk>/", views.ChildDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.ChildUpdateView.as_view(), name="edit"),
    path("<int:pk>/reveal/", views.RevealView.as_view(), name="reveal"),
    path("<int:pk>/close/", views_casework.ClosureRequestView.as_view(), name="close"),
    path("<int:pk>/reopen/", views.ChildReopenView.as_view(), name="reopen"),
    path("<int:pk>/transfer/", views_transfer.TransferRequestView.as_view(), name="transfer"),
    path("transfers/", views_transfer.TransferListView.as_view(), name="transfer_list"),
    path(
        "transfers/export.xlsx",
        views_transfer.TransferExportView.as_view(),
        name="transfer_export",
    ),
    path(
        "transfers/<int:pk>/", views_transfer.TransferDetailView.as_view(), name="transfer_detail"
    ),
    path(
        "transfers/<int:pk>/accept/",
        views_transfer.TransferAcceptView.as_view(),
        name="transfer_accept",
    ),
    path(
        "transfers/<int:pk>/reject/",
        views_transfer.TransferRejectView.as_view(),
        name="transfer_reject",
    ),
    path(
        "transfers/<int:pk>/cancel/",
        views_transfer.TransferCancelView.as_view(),
        name="transfer_cancel",
    ),
    path("handover/", views_transfer.HandoverView.as_view(), name="handover"),
    path("orphans/", views_transfer.OrphanListView.as_view(), name="orphans"),
    path(
        "duplicate-checks/",
        views_duplicates.DuplicateCheckListView.as_view(),
        name="duplicate_checks",
    ),
    # households (家庭户)
    path("households/", households.HouseholdListView.as_view(), name="household_list"),
    path(
        "<int:pk>/household/new/",
        households.ChildHouseholdCreateView.as_view(),
        name="household_create",
    ),
    path("households/<int:pk>/", households.HouseholdDetailView.as_view(), name="household_detail"),
    path(
        "households/<int:pk>/edit/", households.HouseholdEditView.as_view(), name="household_edit"
    ),
    path(
        "households/<int:pk>/guardian/",
        households.HouseholdGuardianView.as_view(),
        name="household_guardian",
    ),
    path(
        "villages/<int:pk>/merge/",
        views_villages.VillageMergeView.as_view(),
        name="village_merge",
    ),
    path(
        "villages/<int:pk>/split/",
        views_villages.VillageSplitView.as_view(),
        name="village_split",
    ),
]

urlpatterns += urls_io.urlpatterns  # Excel import and export
urlpatterns += urls_casework.urlpatterns  # consent, closure requests
