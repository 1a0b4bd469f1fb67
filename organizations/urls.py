from django.urls import path

from . import import_views, member_views, views

app_name = "organizations"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("<int:pk>/", views.unit_detail, name="detail"),
    path("members/<int:member_id>/", member_views.member_detail, name="member"),
    path("<int:pk>/children/", views.unit_children, name="children"),
    path("<int:pk>/members/export/", import_views.members_export, name="members_export"),
    path("<int:pk>/members/import/template/", import_views.import_template, name="import_template"),
    path("<int:pk>/members/import/", import_views.import_upload, name="import_upload"),
    path("<int:pk>/members/import/<int:batch_id>/", import_views.import_preview, name="import_preview"),
]
