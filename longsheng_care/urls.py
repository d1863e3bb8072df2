from django.contrib import admin
from django.urls import include, path

from reports.views import HomeView

admin.site.site_header = "龙胜困境儿童心理关爱服务平台 · 管理"
admin.site.site_title = "龙胜困境儿童关爱平台"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("accounts/", include("accounts.urls")),
    path("children/", include("children.urls")),
    path("visits/", include("visits.urls")),
    path("care/", include("care.urls")),
    path("activities/", include("activities.urls")),
    path("notifications/", include("notifications.urls")),
    path("reports/", include("reports.urls")),
    path("jobs/", include("jobs.urls")),
    # The offline app: /fieldwork/ and, from the site root, /sw.js and its manifest.
    path("", include("fieldwork.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
