from django.urls import path

from nakhon.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.index, name="index"),
    path("welcome/", views.after_login, name="after-login"),
    path("<slug:slug>/", views.municipality_home, name="municipality-home"),
    path("<slug:slug>/departments/", views.department_list, name="department-list"),
    path("<slug:slug>/departments/<int:pk>/edit/", views.department_edit, name="department-edit"),
    path("<slug:slug>/staff/", views.member_list, name="member-list"),
    path("<slug:slug>/staff/<int:user_id>/", views.member_detail, name="member-detail"),
    path("<slug:slug>/tokens/", views.token_list, name="token-list"),
    path("<slug:slug>/audit/", views.audit_list, name="audit-list"),
]
