from django.urls import path

from care import views

app_name = "care"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("due/", views.DueListView.as_view(), name="due_list"),
    # screenings and safety alerts
    path("screenings/", views.ScreeningListView.as_view(), name="screening_list"),
    path("screenings/<int:pk>/", views.ScreeningDetailView.as_view(), name="screening_detail"),
    path(
        "children/<int:child_pk>/screenings/new/",
        views.ScreeningCreateView.as_view(),
        name="screening_create",
    ),
    path("alerts/", views.AlertListView.as_view(), name="alert_list"),
    path("alerts/<int:pk>/", views.AlertDetailView.as_view(), name="alert_detail"),
    path("settings/", views.CareSettingsView.as_view(), name="settings"),
    path("cutoff-review/", views.CutoffReviewView.as_view(), name="cutoff_review"),
    # care plans
    path("plans/", views.CarePlanListView.as_view(), name="plan_list"),
    path("plans/<int:pk>/", views.CarePlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/edit/", views.CarePlanEditView.as_view(), name="plan_edit"),
    path("plans/<int:pk>/submit/", views.CarePlanSubmitView.as_view(), name="plan_submit"),
    path("plans/<int:pk>/decide/", views.CarePlanDecideView.as_view(), name="plan_decide"),
    # the supervisor's to-do list (plans and closure requests awaiting approval)
    path("approvals/", views.ApprovalListView.as_view(), name="approvals"),
    path("approvals/export/", views.ApprovalExportView.as_view(), name="approvals_export"),
    path(
        "children/<int:child_pk>/plans/new/", views.CarePlanCreateView.as_view(), name="plan_create"
    ),
    # services delivered (服务记录) under a plan
    path("sessions/", views.ServiceSessionListView.as_view(), name="session_list"),
    path(
        "plans/<int:pk>/sessions/new/",
        views.ServiceSessionCreateView.as_view(),
        name="session_create",
    ),
    path("sessions/<int:pk>/edit/", views.ServiceSessionEditView.as_view(), name="session_edit"),
    # incidents and mandatory reporting (强制报告)
    path("incidents/", views.IncidentListView.as_view(), name="incident_list"),
    path("incidents/<int:pk>/", views.IncidentDetailView.as_view(), name="incident_detail"),
    path("incidents/<int:pk>/edit/", views.IncidentEditView.as_view(), name="incident_edit"),
    path(
        "children/<int:child_pk>/incidents/new/",
        views.IncidentCreateView.as_view(),
        name="incident_create",
    ),
    # referrals and the institution register
    path("referrals/", views.ReferralListView.as_view(), name="referral_list"),
    path("referrals/<int:pk>/", views.ReferralDetailView.as_view(), name="referral_detail"),
    path("referrals/<int:pk>/edit/", views.ReferralEditView.as_view(), name="referral_edit"),
    path("referrals/<int:pk>/status/", views.ReferralStatusView.as_view(), name="referral_status"),
    path(
        "children/<int:child_pk>/referrals/new/",
        views.ReferralCreateView.as_view(),
        name="referral_create",
    ),
    path("institutions/", views.InstitutionListView.as_view(), name="institution_list"),
    path("institutions/new/", views.InstitutionCreateView.as_view(), name="institution_create"),
    path(
        "institutions/<int:pk>/edit/",
        views.InstitutionEditView.as_view(),
        name="institution_edit",
    ),
    # mentors, pairings and follow-ups
    path("mentors/", views.MentorListView.as_view(), name="mentor_list"),
    path("mentors/new/", views.MentorCreateView.as_view(), name="mentor_create"),
    path("mentors/<int:pk>/", views.MentorDetailView.as_view(), name="mentor_detail"),
    path("mentors/<int:pk>/edit/", views.MentorEditView.as_view(), name="mentor_edit"),
    path("pairings/", views.PairingListView.as_view(), name="pairing_list"),
    path("pairings/<int:pk>/", views.PairingDetailView.as_view(), name="pairing_detail"),
    path("pairings/<int:pk>/edit/", views.PairingEditView.as_view(), name="pairing_edit"),
    path(
        "pairings/<int:pk>/follow-ups/new/",
        views.FollowUpCreateView.as_view(),
        name="followup_create",
    ),
    path(
        "children/<int:child_pk>/pairings/new/",
        views.PairingCreateView.as_view(),
        name="pairing_create",
    ),
]
