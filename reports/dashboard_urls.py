from django.urls import path

from . import dashboard_views as views

app_name = "dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:round_id>/", views.round_dashboard, name="round"),
    path("<int:round_id>/export.xlsx", views.round_export, name="export"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
]
