"""Admin for units, members, users' roles; structural changes go through the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import ValidationError
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Length, Substr
from django.forms.models import BaseInlineFormSet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from directive03.concurrency import EditConflict, check_token, edit_token
from directive03.formats import person_name
from directive03.forms import DateField

from . import services
from .admin_search import FoldedSearchMixin, VietnameseOrderMixin
from .fields import CleanFormCharField
from .models import Level, Member, Membership, Organization, OrganizationVersion, PlanChange, Role
from .restructuring.execute import apply_changes
from .restructuring.simulation import ChangeSpec, simulate
from .text import ViOrder, undrawable_warning


class DocumentTextWarningMixin:
    """After a save, the warning of text.undrawable_warning for the fields that documents print
    (`document_fields`): saved all the same, the user is told which characters the PDF font lacks."""

    document_fields: tuple[str, ...] = ()

    def save_related(self, request, form, formsets, change):  # after the object is saved, every admin
        super().save_related(request, form, formsets, change)
        warning = undrawable_warning(*(str(form.cleaned_data.get(name) or "") for name in self.document_fields))
        if warning:
            messages.warning(request, warning)


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


class ParentChoiceField(forms.ModelChoiceField):
    """The parent picker shows the full path, so two "Đảng ủy xã Bình An" are told apart; a filter box
    above it (static/js/select-filter.js) searches without diacritics."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs["data-filter"] = "1"

    def _set_queryset(self, queryset):
        super()._set_queryset(queryset)
        self._labels = None

    def label_from_instance(self, obj):
        if getattr(self, "_labels", None) is None:
            rows = Organization.objects.filter(valid_to__isnull=True).exclude(level=Level.CELL).values_list("path", "name")
            names = dict(rows)
            self._labels = {
                path: " › ".join(names[path[:i]] for i in range(Organization.steplen, len(path) + 1, Organization.steplen)
                                 if path[:i] in names)
                for path in names
            }
        return self._labels.get(obj.path, obj.name)


class OrganizationForm(forms.ModelForm):
    parent = ParentChoiceField(
        queryset=Organization.objects.exclude(level=Level.CELL).filter(valid_to__isnull=True).order_by("path"),
        required=False, label=_("tổ chức cấp trên"),
        help_text=_("Khi sửa: chọn đơn vị mới để chuyển tổ chức này (kèm cả cây trực thuộc)."),
    )
    change_on = DateField(
        required=False, label=_("ngày hiệu lực của thay đổi"), widget=AdminDateWidget,
        help_text=_("Bắt buộc khi chuyển đơn vị, đổi tên hoặc đổi địa danh (ngày/tháng/năm)."),
    )

    version = CleanFormCharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Organization
        fields = ["name", "level", "kind", "issuer_code", "place_name", "valid_from"]

    class Media:
        js = ["js/select-filter.js"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.changes: list[ChangeSpec] = []
        if self.instance.pk:
            self.fields["parent"].initial = Organization.objects.get_parent(self.instance)
            self.fields["version"].initial = organization_token(self.instance)
            for name in ("level", "valid_from"):
                self.fields[name].disabled = True

    def clean(self):
        """Every check runs here, before anything is saved: the page shows either the errors (and keeps
        what was typed) or the success, never both."""
        data = super().clean()
        if self._errors:
            return data
        if not self.instance.pk:
            try:
                services.check_placement(parent=data.get("parent"), level=data["level"], kind=data["kind"])
            except ValidationError as exc:
                self.add_error("parent" if exc.code in ("root", "cell_parent", "level_order", "parent_closed")
                               else "kind", exc)
            return data
        # a rename or a move writes the unit, its dated versions and its subtree's paths: two
        # administrators on the same unit must not undo each other (the admin saves in one transaction)
        original = Organization.objects.select_for_update().get(pk=self.instance.pk)
        try:
            check_token(self.data.get("version", ""), organization_token(original))
        except EditConflict as exc:
            raise ValidationError(exc.message, code="conflict") from None
        current_parent = Organization.objects.get_parent(original)
        moved = data.get("parent") is not None and data["parent"] != current_parent
        renamed = data["name"] != original.name or data["place_name"] != original.place_name
        if not (moved or renamed):
            return data
        on = data.get("change_on")
        if not on:
            self.add_error("change_on", _("Hãy nhập ngày hiệu lực của thay đổi."))
            return data
        if renamed:
            self.changes.append(ChangeSpec(PlanChange.Op.RENAME, original.pk, new_name=data["name"],
                                           place_name=data["place_name"], position=0))
        if moved:
            self.changes.append(ChangeSpec(PlanChange.Op.MOVE, original.pk, data["parent"].pk, position=0))
        try:
            services.check_not_future(on)
        except ValidationError as exc:
            self.add_error("change_on", exc)
            return data
        province = Organization.objects.get(path=original.path[: Organization.steplen])
        problems = simulate(province, on, self.changes).problems
        for problem in problems:
            self.add_error(None, problem)
        return data


@admin.register(Organization)
class OrganizationAdmin(FoldedSearchMixin, VietnameseOrderMixin, DocumentTextWarningMixin, admin.ModelAdmin):
    form = OrganizationForm
    document_fields = ("name", "place_name")  # the issuer, the place and date line, the annexes' rows
    list_display = ["name", "parent_name", "kind", "level", "issuer_code", "place_name", "valid_from", "valid_to"]
    list_filter = [SubtreeFilter, "level", "kind"]
    search_fields = ["name", "search_key"]
    ordering = ["name"]  # Vietnamese order (VietnameseOrderMixin); the tree is the filter "thuộc đơn vị"
    list_per_page = 100

    def get_queryset(self, request):
        parent = Organization.objects.filter(
            path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Organization.steplen)).values("name")[:1]
        return super().get_queryset(request).annotate(parent_name=Subquery(parent))

    @admin.display(description=_("tổ chức cấp trên"), ordering=ViOrder(F("parent_name")))
    def parent_name(self, obj):
        return obj.parent_name or "–"

    def get_fields(self, request, obj=None):
        return ["name", "parent", "level", "kind", "issuer_code", "place_name", "valid_from", "change_on", "version"]

    def save_model(self, request, obj, form, change):
        """Everything was checked in the form: a rename, a move and a new place on the same date are
        applied together by the restructuring engine, in one transaction."""
        data = form.cleaned_data
        if not change:
            created = services.org_create(
                parent=data.get("parent"), name=data["name"], level=data["level"], kind=data["kind"],
                issuer_code=data["issuer_code"], place_name=data["place_name"], valid_from=data["valid_from"],
            )
            obj.pk = created.pk
            return
        original = Organization.objects.get(pk=obj.pk)
        if form.changes:
            province = Organization.objects.get(path=original.path[: Organization.steplen])
            apply_changes(province=province, on=data["change_on"], changes=form.changes)
        Organization.objects.filter(pk=obj.pk).update(kind=data["kind"], issuer_code=data["issuer_code"])


class OrganizationVersionForm(forms.ModelForm):
    class Meta:
        model = OrganizationVersion
        fields = ["organization", "parent", "name", "place_name", "issuer_code", "valid_from", "valid_to"]

    def clean(self):
        """Periods of one unit never overlap (valid_to is exclusive) and are never empty."""
        data = super().clean()
        org, start, end = data.get("organization"), data.get("valid_from"), data.get("valid_to")
        if org is None or start is None:
            return data
        if end is not None and end <= start:
            self.add_error("valid_to", _("Ngày kết thúc phải sau ngày bắt đầu."))
            return data
        others = OrganizationVersion.objects.filter(organization=org).exclude(pk=self.instance.pk)
        others = others.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=start))
        if end is not None:
            others = others.filter(valid_from__lt=end)
        clash = others.order_by("valid_from").first()
        if clash is not None:
            self.add_error(None, _("Giai đoạn này chồng lên giai đoạn %(start)s – %(end)s (“%(name)s”) của cùng đơn vị.") % {
                "start": clash.valid_from.strftime("%d/%m/%Y"),
                "end": clash.valid_to.strftime("%d/%m/%Y") if clash.valid_to else "…", "name": clash.name})
        return data


@admin.register(OrganizationVersion)
class OrganizationVersionAdmin(FoldedSearchMixin, VietnameseOrderMixin, admin.ModelAdmin):
    form = OrganizationVersionForm
    list_display = ["organization", "name", "parent", "valid_from", "valid_to"]
    ordering = ["organization", "valid_from"]
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
class MemberAdmin(FoldedSearchMixin, VietnameseOrderMixin, admin.ModelAdmin):
    list_display = ["full_name", "card_number", "cell", "position", "is_key_cadre", "status", "birth_year"]
    ordering = ["full_name"]
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
class RoleAdmin(FoldedSearchMixin, VietnameseOrderMixin, admin.ModelAdmin):
    form = RoleForm
    list_display = ["user", "kind", "organization"]
    ordering = ["organization", "user", "kind"]
    list_filter = [RoleSubtreeFilter, "kind"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "organization__name"]
    list_select_related = ["user", "organization"]
    raw_id_fields = ["user", "organization"]


# Users: the standard admin plus their roles inline.
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin  # noqa: E402
from django.contrib.auth.forms import UserChangeForm as BaseUserChangeForm  # noqa: E402


class LabelledInlineFormSet(BaseInlineFormSet):
    """A table row's "delete" box is labelled by its column header only: name it for screen readers."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs.setdefault("aria-label", _("Xóa"))


class RoleInline(admin.TabularInline):
    model = Role
    form = RoleForm
    formset = LabelledInlineFormSet
    extra = 0
    raw_id_fields = ["organization"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        """A table's fields are labelled by their column header only: each gets its name for screen
        readers too (axe: select-name, label)."""
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            target = getattr(field.widget, "widget", field.widget)  # past the related-object wrapper
            target.attrs.setdefault("aria-label", capfirst(db_field.verbose_name))
        return field


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


@admin.display(description=_("họ và tên"), ordering="last_name")
def user_full_name(user) -> str:
    return person_name(user)


@admin.register(User)
class UserAdmin(FoldedSearchMixin, VietnameseOrderMixin, BaseUserAdmin):
    """Names in Vietnamese order: họ (last_name) before tên (first_name), shown as one name; the version
    check of UserChangeForm."""

    form = UserChangeForm
    inlines = [RoleInline]
    # the dates of the last sign-in and of joining are the system's, not typed (and their split date and
    # time inputs have one label for two fields); groups and permissions as plain labelled lists (the
    # two-box filter widget gives a span an aria-label, which screen readers ignore)
    readonly_fields = ("last_login", "date_joined")
    filter_horizontal = ()
    list_display = ("username", user_full_name, "email", "is_staff", "is_active")
    ordering = ("last_name", "first_name", "username")
    fieldsets = (*(
        (title, {**options, "fields": ("last_name", "first_name", "email")})
        if options.get("fields") == ("first_name", "last_name", "email") else (title, options)
        for title, options in BaseUserAdmin.fieldsets
    ), (None, {"fields": ("version",)}))


from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402

admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(FoldedSearchMixin, VietnameseOrderMixin, BaseGroupAdmin):
    filter_horizontal = ()  # a plain labelled list, as for users
