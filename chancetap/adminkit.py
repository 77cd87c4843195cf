"""Admin actions that need a confirmation form (a reason for the audit log, an amount): one page
that lists what is selected, shows the form, and hands the cleaned data back on "apply"."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Goes into the audit log with your name.",
    )


def confirmed(
    model_admin: admin.ModelAdmin[Any],
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    form_class: type[forms.Form],
    action: str,
    title: str,
    explanation: str,
    submit: str,
) -> tuple[dict[str, Any] | None, HttpResponse | None]:
    """(cleaned data, None) once the staff member applied a valid form; else (None, the page)."""
    applying = "apply" in request.POST
    form = form_class(request.POST if applying else None)
    if applying and form.is_valid():
        return form.cleaned_data, None
    page = render(
        request,
        "admin/action_confirm.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": title,
            "explanation": explanation,
            "objects": queryset,
            "form": form,
            "action": action,
            "submit": submit,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        },
    )
    return None, page
