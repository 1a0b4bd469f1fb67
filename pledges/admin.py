"""Admin: reference data (directives, themes, pressing issues) is editable; records are read-only
here because their rules (states, versions, audit) live in pledges.services."""

from __future__ import annotations

from django.contrib import admin

from organizations.admin import DocumentTextWarningMixin
from organizations.admin_search import FoldedSearchMixin, VietnameseOrderMixin

from .models import (
    AnnualTheme,
    Commendation,
    Directive,
    MemberClassification,
    ModelExample,
    MonthlyReview,
    OrganizationClassification,
    Pledge,
    PledgeCommitment,
    PledgeRevision,
    PressingIssue,
    ReviewEntry,
    ReviewEvent,
)


class ReadOnlyMixin:
    """Viewable, searchable; no add, change or delete outside the services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False


@admin.register(Directive)
class DirectiveAdmin(FoldedSearchMixin, VietnameseOrderMixin, DocumentTextWarningMixin, admin.ModelAdmin):
    document_fields = ("code", "title", "issuer")  # the documents' subject line cites the directive
    list_display = ["code", "title", "issued_on", "issuer"]
    search_fields = ["code", "title", "issuer"]


@admin.register(AnnualTheme)
class AnnualThemeAdmin(FoldedSearchMixin, VietnameseOrderMixin, admin.ModelAdmin):
    list_display = ["year", "directive", "province", "title"]
    list_filter = ["directive", "year"]
    search_fields = ["title", "province__name"]
    autocomplete_fields = ["province"]


@admin.register(PressingIssue)
class PressingIssueAdmin(FoldedSearchMixin, VietnameseOrderMixin, admin.ModelAdmin):
    ordering = ["organization", "-year", "position"]
    list_display = ["title", "organization", "year", "position"]
    list_filter = ["year"]
    search_fields = ["title", "description", "organization__name"]
    autocomplete_fields = ["organization"]


class PledgeRevisionInline(ReadOnlyInline):
    model = PledgeRevision
    fields = ["number", "valid_from", "reason", "created_by", "created_at"]
    readonly_fields = fields


@admin.register(Pledge)
class PledgeAdmin(FoldedSearchMixin, VietnameseOrderMixin, ReadOnlyMixin, admin.ModelAdmin):
    ordering = ["cell", "member", "-year"]
    list_display = ["__str__", "kind", "cell", "year", "directive"]
    list_filter = ["year", "kind", "directive"]
    search_fields = ["member__full_name", "member__search_key", "member__card_number", "organization__name",
                     "cell__name"]
    list_select_related = ["member", "organization", "cell", "directive"]
    inlines = [PledgeRevisionInline]


class PledgeCommitmentInline(ReadOnlyInline):
    model = PledgeCommitment
    fields = ["position", "content", "verification"]
    readonly_fields = fields


@admin.register(PledgeRevision)
class PledgeRevisionAdmin(FoldedSearchMixin, VietnameseOrderMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["pledge", "number", "valid_from", "created_by", "created_at"]
    search_fields = ["pledge__member__full_name", "pledge__organization__name", "reason",
                     "commitments__content"]
    list_select_related = ["pledge__member", "pledge__organization", "created_by"]
    inlines = [PledgeCommitmentInline]


class ReviewEntryInline(ReadOnlyInline):
    model = ReviewEntry
    fields = ["member", "present", "absence_reason", "rating", "exemplary", "exemplary_deed", "criticised",
              "criticism_note", "note"]
    readonly_fields = fields


class ReviewEventInline(ReadOnlyInline):
    model = ReviewEvent
    fields = ["action", "by", "at", "reason", "version"]
    readonly_fields = fields


@admin.register(MonthlyReview)
class MonthlyReviewAdmin(FoldedSearchMixin, VietnameseOrderMixin, ReadOnlyMixin, admin.ModelAdmin):
    ordering = ["cell", "-year", "-month"]
    list_display = ["cell", "year", "month", "state", "meeting_date", "directive_minutes", "version"]
    list_filter = ["state", "year", "month"]
    search_fields = ["cell__name", "cell__search_key", "theme_content"]
    list_select_related = ["cell"]
    inlines = [ReviewEntryInline, ReviewEventInline]


@admin.register(MemberClassification)
class MemberClassificationAdmin(FoldedSearchMixin, VietnameseOrderMixin, ReadOnlyMixin, admin.ModelAdmin):
    ordering = ["member", "-year"]
    list_display = ["member", "year", "cell", "grade", "classified_by", "classified_at"]
    list_filter = ["year", "grade"]
    search_fields = ["member__full_name", "member__search_key", "member__card_number", "cell__name"]
    list_select_related = ["member", "cell", "classified_by"]


@admin.register(OrganizationClassification)
class OrganizationClassificationAdmin(FoldedSearchMixin, VietnameseOrderMixin, ReadOnlyMixin, admin.ModelAdmin):
    ordering = ["organization", "-year"]
    list_display = ["organization", "year", "grade", "classified_by", "classified_at"]
    list_filter = ["year", "grade"]
    search_fields = ["organization__name", "organization__search_key"]
    list_select_related = ["organization", "classified_by"]


@admin.register(Commendation)
class CommendationAdmin(FoldedSearchMixin, VietnameseOrderMixin, ReadOnlyMixin, admin.ModelAdmin):
    ordering = ["organization", "-awarded_on"]
    list_display = ["__str__", "organization", "year", "awarded_on", "issuer"]
    list_filter = ["year", "kind"]
    search_fields = ["recipient_member__full_name", "recipient_org__name", "organization__name", "issuer",
                     "content"]
    list_select_related = ["organization", "recipient_member", "recipient_org"]


@admin.register(ModelExample)
class ModelExampleAdmin(FoldedSearchMixin, VietnameseOrderMixin, ReadOnlyMixin, admin.ModelAdmin):
    ordering = ["title", "-year"]
    list_display = ["title", "kind", "organization", "year", "member"]
    list_filter = ["year", "kind"]
    search_fields = ["title", "description", "organization__name", "member__full_name"]
    list_select_related = ["organization", "member"]
