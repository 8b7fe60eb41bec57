from django.urls import path

from nakhon.portal import views, views_data

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
    path("<slug:slug>/datasets/", views_data.dataset_list, name="dataset-list"),
    path("<slug:slug>/datasets/new/", views_data.dataset_new, name="dataset-new"),
    path("<slug:slug>/datasets/<slug:ds>/", views_data.dataset_detail, name="dataset-detail"),
    path("<slug:slug>/datasets/<slug:ds>/rows/", views_data.dataset_rows, name="dataset-rows"),
    path("<slug:slug>/datasets/<slug:ds>/diff/", views_data.dataset_diff, name="dataset-diff"),
    path(
        "<slug:slug>/datasets/<slug:ds>/download.<slug:fmt>",
        views_data.dataset_download,
        name="dataset-download",
    ),
    path(
        "<slug:slug>/datasets/<slug:ds>/upload/", views_data.dataset_upload, name="dataset-upload"
    ),
    path("<slug:slug>/desk/", views_data.desk, name="desk"),
    path("<slug:slug>/sql/", views_data.sql_console, name="sql-console"),
    path("<slug:slug>/desk/runs/<int:run_id>/", views_data.run_detail, name="run-detail"),
    path("<slug:slug>/desk/runs/<int:run_id>/publish/", views_data.run_publish, name="run-publish"),
    path("<slug:slug>/desk/runs/<int:run_id>/report.csv", views_data.run_report, name="run-report"),
]
