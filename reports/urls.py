from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.round_list, name="rounds"),
    path("new/", views.round_open, name="round_open"),
    path("<int:pk>/", views.round_detail, name="round"),
    path("<int:pk>/close/", views.round_close, name="round_close"),
    path("<int:pk>/withdraw/", views.round_withdraw, name="round_withdraw"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/save/", views.report_save, name="report_save"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("reports/<int:pk>/approve/", views.report_approve, name="report_approve"),
    path("reports/<int:pk>/return/", views.report_return, name="report_return"),
    path("reports/<int:pk>/return/reason/", views.reason_row, name="reason_row"),
    path("reports/<int:pk>/reopen/", views.report_reopen, name="report_reopen"),
    path("reports/<int:pk>/figures/<slug:code>/", views.figure_detail, name="figure"),
]
