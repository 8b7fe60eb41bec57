from django.urls import path

from nakhon.participation import views

app_name = "participation"
urlpatterns = [
    path(
        "<slug:slug>/datasets/<slug:ds>/comments/",
        views.dataset_comments,
        name="dataset-comments",
    ),
    path("<slug:slug>/datasets/<slug:ds>/rating/", views.dataset_rate, name="dataset-rate"),
    path("<slug:slug>/comments/<int:pk>/report/", views.comment_report, name="comment-report"),
    path(
        "<slug:slug>/comments/<int:pk>/moderate/", views.comment_moderate, name="comment-moderate"
    ),
    path("<slug:slug>/requests/", views.request_list, name="request-list"),
    path("<slug:slug>/requests/<int:pk>/", views.request_detail, name="request-detail"),
    path("<slug:slug>/requests/<int:pk>/answer/", views.request_answer, name="request-answer"),
    path(
        "<slug:slug>/requests/<int:pk>/moderate/", views.request_moderate, name="request-moderate"
    ),
    path("<slug:slug>/moderation/", views.moderation, name="moderation"),
]
