from django.urls import path

from children import urls_casework, urls_io, views, views_casework, views_villages

app_name = "children"

urlpatterns = [
    path("", views.ChildListView.as_view(), name="list"),
    path("new/", views.ChildCreateView.as_view(), name="create"),
    path("<int:pk>/", views.ChildDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.ChildUpdateView.as_view(), name="edit"),
    path("<int:pk>/reveal/", views.RevealView.as_view(), name="reveal"),
    path("<int:pk>/close/", views_casework.ClosureRequestView.as_view(), name="close"),
    path("<int:pk>/reopen/", views.ChildReopenView.as_view(), name="reopen"),
    path("<int:pk>/transfer/", views.ChildTransferView.as_view(), name="transfer"),
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
