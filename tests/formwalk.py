"""Submit an HTML form the way a browser does, with every free-text field filled by a callback.

The fields are read from the page itself, so a field added to a template or a form is walked too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

#: Inputs a person types free text into (admin date, time, number and raw-id inputs are type=text but
#: carry one of these classes: they take a value of their own kind, not free text).
NOT_FREE_TEXT_CLASSES = ("vDateField", "vTimeField", "vIntegerField", "vBigIntegerField",
                         "vForeignKeyRawIdAdminField", "vManyToManyRawIdAdminField", "vURLField")
TEXT_TYPES = ("text", "search", "")


@dataclass
class Field:
    tag: str
    name: str
    type: str = ""
    value: str = ""
    checked: bool = False
    classes: str = ""
    maxlength: int | None = None
    disabled: bool = False
    inputmode: str = ""
    owner: str = ""  # the form="…" attribute: the id of the form the field belongs to
    options: list[tuple[str, bool]] = field(default_factory=list)  # (value, selected)

    @property
    def free_text(self) -> bool:
        if self.disabled:
            return False
        if self.tag == "textarea":
            return True
        return (self.tag == "input" and self.type in TEXT_TYPES and self.inputmode not in ("numeric", "decimal")
                and not any(c in self.classes.split() for c in NOT_FREE_TEXT_CLASSES))


@dataclass
class Form:
    action: str
    method: str
    attrs: dict
    fields: list[Field] = field(default_factory=list)
    buttons: list[dict] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._text: Field | None = None  # the textarea or option being read
        self._select: Field | None = None
        self._open: Form | None = None
        self.outside: list[Field] = []  # fields outside any form element (form="…" names their form)

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._open = Form(action=a.get("action", ""), method=a.get("method", "get").lower(), attrs=a)
            self.forms.append(self._open)
            return
        form = self._open or Form("", "", {})
        if self._open is None and tag in ("input", "textarea", "select"):
            form.fields = self.outside
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                if kind == "submit":
                    form.buttons.append(a)
                return
            if "name" in a:
                form.fields.append(Field(
                    "input", a["name"], kind, a.get("value", ""), "checked" in a, a.get("class", ""),
                    int(a["maxlength"]) if a.get("maxlength", "").isdigit() else None, "disabled" in a,
                    a.get("inputmode", ""), a.get("form", ""),
                ))
        elif tag == "textarea" and "name" in a:
            self._text = Field("textarea", a["name"], classes=a.get("class", ""), disabled="disabled" in a,
                               maxlength=int(a["maxlength"]) if a.get("maxlength", "").isdigit() else None,
                               owner=a.get("form", ""))
            form.fields.append(self._text)
        elif tag == "select" and "name" in a:
            self._select = Field("select", a["name"], disabled="disabled" in a, owner=a.get("form", ""))
            form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select.options.append((a.get("value", ""), "selected" in a))
        elif tag == "button" and a.get("type", "submit") == "submit":
            form.buttons.append(a)

    def handle_data(self, data):
        if self._text is not None:
            self._text.value += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._text is not None:
            self._text.value = self._text.value.removeprefix("\n")
            self._text = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._open = None


def forms_of(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    by_id = {f.attrs["id"]: f for f in parser.forms if f.attrs.get("id")}
    for form in parser.forms:  # a field with form="x" belongs to form x wherever it stands
        form.fields = [f for f in form.fields if not f.owner or f.owner == form.attrs.get("id")]
    for f in [f for form in parser.forms for f in form.fields] + parser.outside:
        if f.owner in by_id and f not in by_id[f.owner].fields:
            by_id[f.owner].fields.append(f)
    return parser.forms


def browser_data(form: Form, fill, button: dict | None = None) -> tuple[dict[str, list[str]], list[Field]]:
    """What a browser posts for `form` with `button` pressed, each free-text field's value replaced by
    fill(field); returns the data and the fields filled."""
    data: dict[str, list[str]] = {}
    filled = []
    for f in form.fields:
        if f.disabled:
            continue
        if f.free_text:
            value = fill(f)
            filled.append(f)
        elif f.tag == "select":
            chosen = [v for v, selected in f.options if selected] or [v for v, _ in f.options[:1]]
            if not chosen:
                continue
            value = chosen[0]
        elif f.type in ("checkbox", "radio"):
            if not f.checked:
                continue
            value = f.value or "on"
        else:
            value = f.value
        data.setdefault(f.name, []).append(value)
    if button and button.get("name"):
        data.setdefault(button["name"], []).append(button.get("value", ""))
    return data, filled
