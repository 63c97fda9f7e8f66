"""Reading the forms of rendered pages: where each posts, and its fields as the page fills them.

The hostile form tests post garbage under every field name a page offers, so the names
come from the pages themselves (and from the WTForms classes, for fields only a script
or a hidden form sends).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms import Form

# Input types whose value a person types (the ones that take "huge" text).
TYPED = {"text", "textarea", "number", "date", "datetime-local", "email", "tel", "url", "search", "time"}


@dataclass
class FormField:
    """One named control: its kind, the value the page gives it, and the values it offers."""

    name: str
    kind: str
    value: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class PageForm:
    """A ``<form method="post">``: where it posts and its controls by name."""

    action: str
    fields: dict[str, FormField] = field(default_factory=dict)
    multipart: bool = False

    def typed(self) -> list[str]:
        """The names of the fields a person types into."""
        return [name for name, control in self.fields.items() if control.kind in TYPED]

    def defaults(self) -> dict[str, str]:
        """What the browser would send if the person submitted the form as shown."""
        unsent = {"checkbox", "radio", "file"}  # unticked boxes send nothing; files are not replayed
        return {name: control.value for name, control in self.fields.items() if control.kind not in unsent}


class _FormParser(HTMLParser):
    """Collects the post forms of a page (nested controls, ``form=`` attributes are ignored)."""

    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._select: FormField | None = None
        self._option: str | None = None
        self._textarea: FormField | None = None
        self._also_posts_to: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open forms and controls."""
        found = {key: value or "" for key, value in attrs}
        if tag == "form":
            if found.get("method", "get").lower() == "post":
                action = urlsplit(found.get("action") or self.base).path or self.base
                self._form = PageForm(action, multipart="multipart" in found.get("enctype", ""))
                self.forms.append(self._form)
            return
        if self._form is not None and tag in {"button", "input"} and found.get("formaction"):
            self._also_posts_to.append(urlsplit(found["formaction"]).path)
        if self._form is None or not found.get("name"):
            if tag == "option" and self._select is not None:
                self._option = found.get("value", "")
                if "selected" in found:
                    self._select.value = self._option
                self._select.options.append(self._option)
            return
        name = found["name"]
        if tag == "input":
            kind = found.get("type", "text").lower()
            if kind in {"checkbox", "radio"}:
                control = self._form.fields.setdefault(name, FormField(name, kind))
                control.options.append(found.get("value", "on"))
                if "checked" in found:
                    control.kind, control.value = f"{kind}-on", found.get("value", "on")
            elif kind not in {"submit", "button", "reset", "image"}:
                if found.get("inputmode") in {"numeric", "decimal"}:
                    kind = "number"  # a number typed in a text box (e.g. a threshold of "72.5")
                self._form.fields[name] = FormField(name, kind, found.get("value", ""))
        elif tag == "select":
            self._select = self._form.fields[name] = FormField(name, "select")
        elif tag == "textarea":
            self._textarea = self._form.fields[name] = FormField(name, "textarea")
        elif tag == "button" and found.get("value"):
            self._form.fields.setdefault(name, FormField(name, "hidden", found["value"]))

    def handle_endtag(self, tag: str) -> None:
        """Close forms and controls."""
        if tag == "form":
            if self._form is not None:
                # A button with ``formaction`` posts the same fields elsewhere ("Save draft").
                for action in self._also_posts_to:
                    self.forms.append(PageForm(action, dict(self._form.fields), self._form.multipart))
            self._form, self._also_posts_to = None, []
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        """Keep a textarea's text."""
        if self._textarea is not None:
            self._textarea.value += data.removeprefix("\n")


def page_forms(html: str, url: str) -> list[PageForm]:
    """The post forms of the page at ``url``."""
    parser = _FormParser(urlsplit(url).path)
    parser.feed(html)
    return parser.forms


def wtforms_field_names() -> set[str]:
    """The field names of every WTForms form class of the web layer."""
    import app

    for module in pkgutil.walk_packages(app.__path__, "app."):
        importlib.import_module(module.name)  # defines the module's form classes
    names: set[str] = set()
    pending: list[type] = [FlaskForm, Form]
    seen: set[type] = set()
    while pending:
        cls = pending.pop()
        if cls in seen:
            continue
        seen.add(cls)
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("app."):
            for name, value in inspect.getmembers(cls):
                if hasattr(value, "field_class"):
                    names.add(name)
    return names
