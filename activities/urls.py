from django.urls import path

from activities import notice_views, views

app_name = "activities"

urlpatterns = [
    path("", views.ActivityListView.as_view(), name="list"),
    path("new/", views.ActivityCreateView.as_view(), name="create"),
    path("<int:pk>/", views.ActivityDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.ActivityEditView.as_view(), name="edit"),
    path("<int:pk>/photos/", views.PhotoUploadView.as_view(), name="photo_upload"),
    path("photos/<int:pk>/", views.PhotoView.as_view(), name="photo"),
    path("photos/<int:pk>/thumb/", views.PhotoView.as_view(thumbnail=True), name="photo_thumb"),
    path("picker/search/", views.ChildSearchView.as_view(), name="child_search"),
    path("picker/village/", views.VillageChildrenView.as_view(), name="village_children"),
    path("campaigns/", views.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/new/", views.CampaignCreateView.as_view(), name="campaign_create"),
    path("campaigns/<int:pk>/edit/", views.CampaignEditView.as_view(), name="campaign_edit"),
    path("partners/", views.PartnerListView.as_view(), name="partner_list"),
    path("partners/new/", views.PartnerCreateView.as_view(), name="partner_create"),
    path("partners/<int:pk>/edit/", views.PartnerEditView.as_view(), name="partner_edit"),
    path("services/", views.ServiceListView.as_view(), name="service_list"),
    path("services/new/", views.ServiceCreateView.as_view(), name="service_create"),
    path("services/<int:pk>/", views.ServiceDetailView.as_view(), name="service_detail"),
    path("services/<int:pk>/edit/", views.ServiceEditView.as_view(), name="service_edit"),
    path("trainings/", views.TrainingListView.as_view(), name="training_list"),
    path("trainings/new/", views.TrainingCreateView.as_view(), name="training_create"),
    path("trainings/<int:pk>/", views.TrainingDetailView.as_view(), name="training_detail"),
    path("trainings/<int:pk>/edit/", views.TrainingEditView.as_view(), name="training_edit"),
    # The notice's records that are not activities: 活动方案, 励志故事/榜样, 摸清需求.
    *[
        pattern
        for kind, prefix in (("plan", "plans"), ("story", "stories"), ("need", "needs"))
        for pattern in (
            path(f"{prefix}/", notice_views.NoticeListView.as_view(kind=kind), name=f"{kind}_list"),
            path(
                f"{prefix}/new/",
                notice_views.NoticeFormView.as_view(kind=kind),
                name=f"{kind}_create",
            ),
            path(
                f"{prefix}/<int:pk>/edit/",
                notice_views.NoticeFormView.as_view(kind=kind),
                name=f"{kind}_edit",
            ),
        )
    ],
]
