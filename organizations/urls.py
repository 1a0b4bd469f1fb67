from django.urls import path

from . import import_views, member_views, restructure_views, views

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
    path("<int:pk>/close/", restructure_views.unit_close, name="unit_close"),
    # restructuring (sắp xếp tổ chức): the province's board and administrators only
    path("restructure/", restructure_views.plan_list, name="plans"),
    path("restructure/<int:pk>/", restructure_views.plan_detail, name="plan"),
    path("restructure/<int:pk>/upload/", restructure_views.plan_upload, name="plan_upload"),
    path("restructure/<int:pk>/template.xlsx", restructure_views.plan_template, name="plan_template"),
    path("restructure/<int:pk>/units/", restructure_views.plan_units, name="plan_units"),
    path("restructure/<int:pk>/changes/<int:change_id>/delete/", restructure_views.change_delete,
         name="plan_change_delete"),
    path("restructure/<int:pk>/apply/", restructure_views.plan_apply, name="plan_apply"),
    path("restructure/<int:pk>/discard/", restructure_views.plan_discard, name="plan_discard"),
]
