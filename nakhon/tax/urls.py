"""Pages of local revenue under /<city-slug>/tax/ (mounted in nakhon/config/urls.py)."""

from django.urls import path

from nakhon.tax import views, views_collect, views_filings, views_gap, views_publish, views_runs
from nakhon.tax.notices import views as letters

app_name = "tax"
urlpatterns = [
    path("", views.home, name="home"),
    path("calculator/", views.calculator, name="calculator"),
    path("import/", views.import_page, name="import"),
    path("gap/", views_gap.gap_page, name="gap"),
    path("map/", views_gap.map_page, name="map"),
    path("runs/", views_runs.run_list, name="run-list"),
    path("runs/<int:pk>/", views_runs.run_detail, name="run-detail"),
    path("runs/<int:pk>/issue/", views_runs.run_issue, name="run-issue"),
    path("assessments/<int:pk>/", views_runs.assessment_detail, name="assessment-detail"),
    path("assessments/<int:pk>/notice.pdf", views_runs.notice_pdf, name="notice-pdf"),
    path("taxpayers/<int:pk>/reassess/", views_runs.taxpayer_reassess, name="taxpayer-reassess"),
    path("assessments/<int:pk>/pay/", views_collect.assessment_pay, name="assessment-pay"),
    path(
        "assessments/<int:pk>/installments/",
        views_collect.assessment_installments,
        name="assessment-installments",
    ),
    path(
        "assessments/<int:pk>/objections/",
        views_collect.assessment_object,
        name="assessment-object",
    ),
    path("payments/import/", views_collect.payments_import, name="payment-import"),
    path("payments/<int:pk>/receipt.pdf", views_collect.payment_receipt, name="payment-receipt"),
    path("payments/<int:pk>/reverse/", views_collect.payment_reverse, name="payment-reverse"),
    path("arrears/", views_collect.arrears_page, name="arrears"),
    path("reports/", views_collect.reports_page, name="reports"),
    path("reports/publish/", views_publish.figures_publish, name="figures-publish"),
    path("objections/", views_collect.objection_list, name="objection-list"),
    path("objections/<int:pk>/", views_collect.objection_decide, name="objection-decide"),
    path("taxpayers/", views.taxpayer_list, name="taxpayer-list"),
    path("taxpayers/<int:pk>/", views.taxpayer_detail, name="taxpayer-detail"),
    path("taxpayers/<int:pk>/pp1.pdf", letters.signboard_return_pdf, name="taxpayer-pp1"),
    path("signboards/<int:pk>/pp1.pdf", letters.signboard_filing_pdf, name="signboard-pp1"),
    path("reminders/<int:pk>/warning.pdf", letters.warning_pdf, name="reminder-warning"),
    path("deliveries/", views_filings.deliveries_page, name="deliveries"),
    path("assessments/<int:pk>/received/", views_filings.notice_received, name="notice-received"),
    path("reminders/<int:pk>/received/", views_filings.reminder_received, name="reminder-received"),
    path("signboards/<int:pk>/filings/", views_filings.filing_record, name="signboard-filings"),
    path("filings/<int:pk>/delete/", views_filings.filing_delete, name="filing-delete"),
    path("filings/years/", views_filings.filing_year, name="filing-year"),
    path("signboards/<int:pk>/photos/", views_filings.photo_upload, name="signboard-photos"),
    path("photos/<int:pk>/", views_filings.photo_file, name="photo-file"),
    path("photos/<int:pk>/delete/", views_filings.photo_delete, name="photo-delete"),
    path("<str:register>/", views.register_list, name="register-list"),
    path("<str:register>/<int:pk>/", views.record_detail, name="record-detail"),
]
