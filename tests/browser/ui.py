"""What the browser tests do on the pages: fill a rubric, run axe, check the focus ring."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import AXE_SCRIPT
from tests.conftest import REPO_ROOT

VNU_JAR = REPO_ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# Rubric items left as "does not apply" in an English, first-time contact.
NOT_APPLICABLE = re.compile(r"language|interpreter|voicemail|callback")
IMPRESSION = "Polite and clear; the family knew what to do next."


def fill_rubric(page: Page, answers: dict[str, str] | None = None) -> None:
    """Answer every rubric item of the contact form the way an auditor does, by clicking and typing.

    Items scored from a fact of the contact (``.rubric-derived``) are skipped: they follow from it.

    ``answers`` maps an item key to the label of the option to choose (or the text or
    number to type); other items get the best answer: "Yes", the top of a scale, the
    first listed choice, or "N/A" for language and call-back items, which do not apply.
    """
    answers = answers or {}
    form = page.locator("#contact-form")
    # What each item asks for, read once (the answers below are clicks and typing, one per item).
    # Items scored from a fact (the rings, the hold …) have no answer to give: their facts are typed above.
    items = form.locator(".rubric-item:not(.rubric-derived)").evaluate_all(
        """(items) => items.map((item) => ({
            key: item.id.replace('rubric-item-', ''),
            na: item.querySelector('input[name^="na-"]') !== null,
            radios: item.querySelectorAll('input[type=radio]').length,
            yes: item.querySelector('input[type=radio][value=yes]') !== null,
            scale: item.querySelector('.choices-scale') !== null,
            number: item.querySelector('input[type=number]') !== null,
        }))"""
    )
    for found in items:
        key, wanted = found["key"], answers.get(found["key"])
        item = form.locator(f"#rubric-item-{key}")
        if wanted is None and found["na"] and NOT_APPLICABLE.search(key):
            item.get_by_label("N/A: does not apply").check()
        elif found["radios"]:
            if wanted is not None:
                item.get_by_role("radio", name=wanted, exact=True).check()
            elif found["yes"]:
                item.get_by_role("radio", name="Yes", exact=True).check()
            else:
                radios = item.get_by_role("radio")
                (radios.last if found["scale"] else radios.first).check()
        elif found["number"]:
            item.get_by_role("spinbutton").fill(wanted or "1")
        else:
            item.get_by_role("textbox").first.fill(wanted or IMPRESSION)


def go_to(page: Page, name: str) -> None:
    """Follow a link of the site's main navigation."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()


def run_axe(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is and return its violations.

    The app's Content-Security-Policy allows only its own scripts, so a ``<script>`` tag
    (which ``add_script_tag`` inserts, inline) would be refused; evaluating the library
    through the DevTools protocol is not subject to the page's CSP.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    result = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
            }));
        }"""
    )
    return list(result)


_AXE_SOURCE: list[str] = []


def _axe_source() -> str:
    if not _AXE_SOURCE:
        if not Path(AXE_SCRIPT).is_file():
            raise AssertionError(f"{AXE_SCRIPT} is missing: run 'make install-dev' (npm ci) first")
        _AXE_SOURCE.append(Path(AXE_SCRIPT).read_text())
    return _AXE_SOURCE[0]


def serious_violations(page: Page) -> list[str]:
    """The violations of impact 'serious' or 'critical' on the page, one readable line each."""
    return [
        f"{page.url}: [{violation['impact']}] {violation['id']} ({violation['help']}): "
        + "; ".join(f"{node['target']} — {node['summary']}" for node in violation["nodes"][:5])
        for violation in run_axe(page)
        if violation["impact"] in {"serious", "critical"}
    ]


def assert_accessible(page: Page) -> None:
    """Fail with axe's findings when the page has a serious or critical violation."""
    found = serious_violations(page)
    assert not found, "axe found serious or critical violations:\n" + "\n".join(found)


def focus_outline(locator: Locator) -> str:
    """The computed outline of an element that has the keyboard focus (``none`` when invisible)."""
    expect(locator).to_be_focused()
    return str(
        locator.evaluate(
            "(element) => { const s = getComputedStyle(element);"
            " return s.outlineStyle === 'none' || s.outlineWidth === '0px' ? 'none'"
            " : `${s.outlineWidth} ${s.outlineStyle} ${s.outlineColor}`; }"
        )
    )


def nu_html_errors(folder: Path) -> list[str]:
    """The Nu HTML Checker's errors on every ``.html`` file of ``folder``, one readable line each.

    The checker is npm's ``vnu-jar`` (``make install-dev``), run once over the whole folder with
    the machine's Java; either missing fails the test with what to install.
    """
    java = shutil.which("java")
    if java is None:
        raise AssertionError("Java is missing: the Nu HTML Checker needs it (make install-dev installs it)")
    if not VNU_JAR.is_file():
        raise AssertionError(f"{VNU_JAR} is missing: run 'make install-dev' (npm ci) first")
    finished = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(finished.stderr or finished.stdout or "{}")
    lines = []
    for message in report.get("messages", []):
        where = Path(message.get("url", "")).name
        first_line = (folder / where).read_text().split("\n", 1)[0] if (folder / where).is_file() else where
        extract = message.get("extract", "")
        lines.append(f"{first_line} line {message.get('lastLine')}: {message['message']}  «{extract}»")
    if finished.returncode not in (0, 1) or ("messages" not in report):
        lines.append(f"the checker failed ({finished.returncode}): {finished.stderr[:2000]}")
    return lines
