from django.urls import path

from children import households, urls_io, views, views_villages

app_name = "children"

urlpatterns = [
    path("", views.ChildListView.as_view(), name="list"),
    path("new/", views.ChildCreateView.as_view(), name="create"),
    path("<int:pk>/", views.ChildDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.ChildUpdateView.as_view(), name="edit"),
    path("<int:pk>/reveal/", views.RevealView.as_view(), name="reveal"),
    path("<int:pk>/close/", views.ChildCloseView.as_view(), name="close"),
    path("<int:pk>/reopen/", views.ChildReopenView.as_view(), name="reopen"),
    path("<int:pk>/transfer/", views.ChildTransferView.as_view(), name="transfer"),
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
