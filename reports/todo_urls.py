from django.urls import path

from .todo_views import todo_page

urlpatterns = [path("", todo_page, name="todo")]
