from django.urls import path

from visits import views

app_name = "visits"

urlpatterns = [
    path("", views.VisitListView.as_view(), name="list"),
    path("pending/", views.PendingReviewView.as_view(), name="pending"),
    path("overdue/", views.ScheduleListView.as_view(which="overdue"), name="overdue"),
    path("due/", views.ScheduleListView.as_view(which="week"), name="due_week"),
    path("rules/", views.VisitRulesView.as_view(), name="rules"),
    path("new/<int:pk>/", views.VisitCreateView.as_view(), name="create"),
    path(
        "household/<int:pk>/new/",
        views.HouseholdVisitCreateView.as_view(),
        name="household_create",
    ),
    path("<int:pk>/", views.VisitDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.VisitUpdateView.as_view(), name="edit"),
    path("<int:pk>/review/", views.VisitReviewView.as_view(), name="review"),
    path("<int:pk>/attachments/", views.AttachmentAddView.as_view(), name="attachment_add"),
    path("attachments/<int:pk>/", views.AttachmentView.as_view(), name="attachment"),
    path(
        "attachments/<int:pk>/delete/",
        views.AttachmentDeleteView.as_view(),
        name="attachment_delete",
    ),
]
