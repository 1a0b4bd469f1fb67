"""Admin for units, members, users' roles; structural changes go through the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from directive03.concurrency import EditConflict, check_token, edit_token

from . import services
from .admin_search import FoldedSearchMixin
from .fields import CleanFormCharField
from .models import Level, Member, Membership, Organization, OrganizationVersion, Role


class SubtreeFilter(admin.SimpleListFilter):
    """Filter by 'in the subtree of' a province or district-level committee."""

    title = _("thuộc đơn vị")
    parameter_name = "subtree"
    path_field = "path"

    def lookups(self, request, model_admin):
        tops = Organization.objects.filter(level__in=[Level.PROVINCE, Level.DISTRICT]).order_by("path")
        return [(o.pk, ("— " * (o.depth - 1)) + o.name) for o in tops]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        org = Organization.objects.filter(pk=self.value()).first()
        if org is None:
            return queryset.none()
        return queryset.filter(**{f"{self.path_field}__startswith": org.path})


class MemberSubtreeFilter(SubtreeFilter):
    path_field = "cell__path"


class RoleSubtreeFilter(SubtreeFilter):
    path_field = "organization__path"


def organization_token(org: Organization) -> str:
    """The optimistic lock of a unit's admin page: the unit and its dated versions (name, parent)."""
    rows = [("org", org.name, org.kind, org.issuer_code, org.place_name, org.path)]
    rows += [("version", *v) for v in OrganizationVersion.objects.filter(organization=org)
             .values_list("pk", "name", "parent_id", "valid_from", "valid_to")]
    return edit_token(rows)


class OrganizationForm(forms.ModelForm):
    parent = forms.ModelChoiceField(
        queryset=Organization.objects.exclude(level=Level.CELL).filter(valid_to__isnull=True),
        required=False, label=_("tổ chức cấp trên"),
        help_text=_("Khi sửa: chọn đơn vị mới để chuyển tổ chức này (kèm cả cây trực thuộc)."),
    )
    change_on = forms.DateField(
        required=False, label=_("ngày hiệu lực của thay đổi"),
        help_text=_("Bắt buộc khi chuyển đơn vị hoặc đổi tên."),
    )

    version = CleanFormCharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Organization
        fields = ["name", "level", "kind", "issuer_code", "place_name", "valid_from"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["parent"].initial = Organization.objects.get_parent(self.instance)
            self.fields["version"].initial = organization_token(self.instance)
            for name in ("level", "valid_from"):
                self.fields[name].disabled = True

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            # a rename or a move writes the unit, its dated versions and its subtree's paths: two
            # administrators on the same unit must not undo each other (the admin saves in one transaction)
            locked = Organization.objects.select_for_update().get(pk=self.instance.pk)
            try:
                check_token(self.data.get("version", ""), organization_token(locked))
            except EditConflict as exc:
                raise ValidationError(exc.message, code="conflict") from None
            moved = data.get("parent") != Organization.objects.get_parent(self.instance)
            renamed = "name" in self.changed_data
            if (moved or renamed) and not data.get("change_on"):
                self.add_error("change_on", _("Hãy nhập ngày hiệu lực của thay đổi."))
        return data


@admin.register(Organization)
class OrganizationAdmin(FoldedSearchMixin, admin.ModelAdmin):
    form = OrganizationForm
    list_display = ["indented_name", "kind", "level", "issuer_code", "place_name", "valid_from", "valid_to"]
    list_filter = [SubtreeFilter, "level", "kind"]
    search_fields = ["name", "search_key"]
    ordering = ["path"]
    list_per_page = 100

    @admin.display(description=_("tên"), ordering="path")
    def indented_name(self, obj):
        return ("— " * (obj.depth - 1)) + obj.name

    def get_fields(self, request, obj=None):
        return ["name", "parent", "level", "kind", "issuer_code", "place_name", "valid_from", "change_on", "version"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if not change:
                created = services.org_create(
                    parent=data.get("parent"), name=data["name"], level=data["level"], kind=data["kind"],
                    issuer_code=data["issuer_code"], place_name=data["place_name"], valid_from=data["valid_from"],
                )
                obj.pk = created.pk
                return
            on = data.get("change_on") or timezone.localdate()
            original = Organization.objects.get(pk=obj.pk)
            if data["name"] != original.name:
                services.org_rename(org=original, name=data["name"], on=on)
            if data.get("parent") and data["parent"] != Organization.objects.get_parent(original):
                services.org_move(org=original, new_parent=data["parent"], on=on)
            Organization.objects.filter(pk=obj.pk).update(
                kind=data["kind"], issuer_code=data["issuer_code"], place_name=data["place_name"]
            )
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), level="error")


@admin.register(OrganizationVersion)
class OrganizationVersionAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = ["organization", "name", "parent", "valid_from", "valid_to"]
    search_fields = ["name", "organization__name"]
    list_select_related = ["organization", "parent"]
    raw_id_fields = ["organization", "parent"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["cell"]
    can_delete = False
    readonly_fields = ["cell", "start", "end"]


@admin.register(Member)
class MemberAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = ["full_name", "card_number", "cell", "position", "is_key_cadre", "status", "birth_year"]
    list_filter = [MemberSubtreeFilter, "position", "is_key_cadre", "status", "gender"]
    search_fields = ["full_name", "search_key", "card_number"]
    list_select_related = ["cell"]
    raw_id_fields = ["cell"]
    readonly_fields = ["cell", "left_on"]
    inlines = [MembershipInline]


class RoleForm(forms.ModelForm):
    class Meta:
        model = Role
        fields = ["user", "organization", "kind"]

    def clean(self):
        data = super().clean()
        if data.get("organization") and data.get("kind"):
            try:
                services.role_check(organization=data["organization"], kind=data["kind"])
            except ValidationError as exc:
                self.add_error("kind", exc)
        return data


@admin.register(Role)
class RoleAdmin(FoldedSearchMixin, admin.ModelAdmin):
    form = RoleForm
    list_display = ["user", "kind", "organization"]
    list_filter = [RoleSubtreeFilter, "kind"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "organization__name"]
    list_select_related = ["user", "organization"]
    raw_id_fields = ["user", "organization"]


# Users: the standard admin plus their roles inline.
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin  # noqa: E402
from django.contrib.auth.forms import UserChangeForm as BaseUserChangeForm  # noqa: E402


class RoleInline(admin.TabularInline):
    model = Role
    form = RoleForm
    extra = 0
    raw_id_fields = ["organization"]


User = get_user_model()
admin.site.unregister(User)


def user_token(user) -> str:
    """The optimistic lock of a user's page: their account fields, groups and roles (several rows)."""
    rows = [("user", user.username, user.first_name, user.last_name, user.email, user.is_active, user.is_staff,
             user.is_superuser, user.password)]
    rows += [("group", g) for g in user.groups.values_list("pk", flat=True)]
    rows += [("role", *r) for r in Role.objects.filter(user=user).values_list("pk", "organization_id", "kind")]
    return edit_token(rows)


class UserChangeForm(BaseUserChangeForm):
    """The admin's user form, with the version check: two administrators editing the same user's
    roles cannot silently undo each other (the second gets the conflict message, nothing is saved)."""

    version = CleanFormCharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = user_token(self.instance)

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            # the admin validates and saves in one transaction: lock the user, then compare
            locked = User.objects.select_for_update().get(pk=self.instance.pk)
            try:
                check_token(self.data.get("version", ""), user_token(locked))
            except EditConflict as exc:
                raise ValidationError(exc.message, code="conflict") from None
        return data


@admin.register(User)
class UserAdmin(FoldedSearchMixin, BaseUserAdmin):
    form = UserChangeForm
    fieldsets = (*BaseUserAdmin.fieldsets, (None, {"fields": ("version",)}))
    inlines = [RoleInline]


from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402

admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(FoldedSearchMixin, BaseGroupAdmin):
    pass
