from django.urls import path

from accounts import otp, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.PortalLoginView.as_view(), name="login"),
    path("logout/", views.PortalLogoutView.as_view(), name="logout"),
    path("password/", views.PortalPasswordChangeView.as_view(), name="password_change"),
    path("otp/", otp.OTPVerifyView.as_view(), name="otp_verify"),
    path("otp/setup/", otp.OTPSetupView.as_view(), name="otp_setup"),
    path("access-log/", views.AccessLogView.as_view(), name="access_log"),
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("villages/", views.VillageListView.as_view(), name="village_list"),
    path("villages/load/", views.VillageLoadView.as_view(), name="village_load"),
    path("users/import/", views.DirectorImportView.as_view(), name="director_import"),
    path(
        "users/import/template.xlsx",
        views.DirectorTemplateView.as_view(),
        name="director_import_template",
    ),
]
