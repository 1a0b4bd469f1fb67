"""The landing page after login: "Việc cần làm"."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .todo import todo_for


@require_GET
@login_required
def todo_page(request):
    return render(request, "reports/todo.html", {"todo": todo_for(request.user)})
