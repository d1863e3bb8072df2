from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.InboxView.as_view(), name="inbox"),
    path("<int:pk>/", views.NotificationOpenView.as_view(), name="open"),
    path("read-all/", views.MarkAllReadView.as_view(), name="read_all"),
    path("deliveries/", views.DeliveryListView.as_view(), name="delivery_list"),
]
