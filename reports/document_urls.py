from django.urls import path

from . import document_views as views

app_name = "documents"

urlpatterns = [
    path("reports/<int:pk>/", views.report_panel, name="panel"),
    path("reports/<int:pk>/build/", views.report_build, name="build"),
    path("reports/<int:pk>/issue/", views.report_issue, name="issue"),
    path("reports/<int:pk>/<str:fmt>/", views.report_download, name="download"),
    path("rounds/<int:pk>/", views.round_documents, name="round"),
    path("rounds/<int:pk>/start/", views.round_start, name="start"),
    path("rounds/<int:pk>/consolidated.<str:fmt>", views.consolidated_download, name="consolidated"),
    path("runs/<int:pk>/retry/", views.run_retry, name="retry"),
]
