"""Pages of local revenue under /<city-slug>/tax/ (mounted in nakhon/config/urls.py)."""

from django.urls import path

from nakhon.tax import views

app_name = "tax"
urlpatterns = [
    path("", views.home, name="home"),
    path("calculator/", views.calculator, name="calculator"),
    path("import/", views.import_page, name="import"),
    path("taxpayers/", views.taxpayer_list, name="taxpayer-list"),
    path("taxpayers/<int:pk>/", views.taxpayer_detail, name="taxpayer-detail"),
    path("<str:register>/", views.register_list, name="register-list"),
    path("<str:register>/<int:pk>/", views.record_detail, name="record-detail"),
]
