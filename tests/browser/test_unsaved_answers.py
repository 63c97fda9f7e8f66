"""Nothing typed is lost when the server cannot save it: the contact form keeps it on the device and says so.

The autosave answers 503 (the database is down) and "Submit for review" never reaches
the server (the connection drops): the answers typed meanwhile stay in the browser's
copy, marked unsaved, and the status line says "Not saved yet: your answers are kept on
this device". Reopening the form restores them and says so; once the server answers
again they are saved and the warning clears. A submission that goes through is
confirmed by the next page, and only then is the copy forgotten.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import DemoWorld
from tests.browser.ui import fill_rubric

pytestmark = pytest.mark.browser

NOT_SAVED = "Not saved yet: your answers are kept on this device"
OUTAGE = json.dumps({"code": "unavailable", "errors": [{"field": None, "message": "the database is down"}]})


def kept_copy(page: Page) -> dict[str, Any] | None:
    """The copy of the contact form's answers kept in this browser, or ``None``."""
    return page.evaluate(  # type: ignore[no-any-return]
        """() => {
            const form = document.querySelector("form[data-contact-id]");
            return JSON.parse(localStorage.getItem(`touchpoint:contact-draft:${form.dataset.contactId}`));
        }"""
    )


def database_down(route: Route) -> None:
    """Answer the autosave as the server does while its database is down."""
    route.fulfill(status=503, headers={"Retry-After": "30"}, content_type="application/json", body=OUTAGE)


def test_answers_typed_while_saving_fails_are_kept_restored_and_saved_later(
    signed_in: Callable[..., Page], demo_world: DemoWorld
) -> None:
    auditor, assignment = demo_world.unstarted_assignment("phone")
    page = signed_in(auditor, f"/assignments/{assignment}/contact")
    form_url = page.url
    form = page.locator("#contact-form")
    status = page.locator("#draft-status")
    started = datetime.now(ZoneInfo("America/New_York")) - timedelta(hours=2)
    form.locator("#started_at").fill(started.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("How the contact ended", exact=True).select_option(label="Reached a person")
    expect(status).to_contain_text("Saved")

    # The database goes down: the autosave answers 503, the submit never arrives.
    page.route("**/contacts/*/draft", database_down)
    page.route("**/contacts/*/submit", lambda route: route.abort("connectionrefused"))
    form.get_by_label("Call length in seconds", exact=True).fill("275")
    form.get_by_label("Call length in seconds", exact=True).blur()
    expect(status).to_have_text(f"{NOT_SAVED}; trying again in a few seconds.")
    expect(status).to_have_class("draft-status draft-status-unsaved")
    form.get_by_label("Longest hold in seconds", exact=True).fill("40")
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_url("chrome-error://chromewebdata/")  # the connection dropped: the browser's error page

    # The form reopens (the server's draft is older): the answers come back, and the page says so.
    page.goto(form_url)
    expect(form.get_by_label("Call length in seconds", exact=True)).to_have_value("275")
    expect(form.get_by_label("Longest hold in seconds", exact=True)).to_have_value("40")
    expect(status).to_contain_text("Restored the answers kept on this device.")
    expect(status).to_contain_text(NOT_SAVED)
    copy = kept_copy(page)
    assert copy is not None and copy["synced"] is False
    assert copy["data"]["call_seconds"] == "275" and copy["data"]["hold_seconds"] == "40"

    # The server is back: the next try saves them and the warning clears.
    page.unroute("**/contacts/*/draft")
    page.unroute("**/contacts/*/submit")
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    expect(status).to_contain_text("Saved")
    expect(status).not_to_contain_text(NOT_SAVED)
    expect(status).to_have_class("draft-status")
    page.wait_for_function(
        "() => JSON.parse(localStorage.getItem("
        "`touchpoint:contact-draft:${document.querySelector('form[data-contact-id]').dataset.contactId}`)).synced"
    )
    page.reload()  # what the server has now
    expect(form.get_by_label("Call length in seconds", exact=True)).to_have_value("275")
    expect(form.get_by_label("Longest hold in seconds", exact=True)).to_have_value("40")
    expect(status).to_contain_text("Draft saved")

    # A submission that goes through: the next page confirms it and the copy is forgotten.
    form.get_by_label("Rings before a person answered", exact=True).fill("2")
    form.get_by_label("Number of transfers", exact=True).fill("0")
    form.get_by_role("group", name="Did the staff member give their name?").get_by_label("No").check()
    fill_rubric(page)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("status").first).to_contain_text("Submitted your")
    contact_id = page.url.rsplit("submitted=", 1)[1]
    # The page's script forgets the copy once it has loaded (the message above is the server's, shown first).
    page.wait_for_function(f"() => localStorage.getItem('touchpoint:contact-draft:{contact_id}') === null")
