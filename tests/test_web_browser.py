"""The web page in a real browser: Playwright driving Debian's chromium against the live server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette", reason="the server extra is not installed: pip install -e '.[server]'")
pytest.importorskip("playwright", reason="playwright is not installed: pip install -e '.[dev]'")

from playwright import sync_api

import bouncekit

from .conftest import shared_path
from .test_web_server import call, serving

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
POSTFIX_USERUNKNOWN = ("corpus", "bounces", "maildir", "bsd", "lhost-postfix-04.eml")
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def live_url() -> Iterator[str]:
    with serving() as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"needs Debian's chromium at {CHROMIUM} (dev/setup.sh installs it as root)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def strings(live_url: str) -> dict[str, dict[str, str]]:
    loaded: dict[str, dict[str, str]] = call(live_url, "GET", "/ui/strings.json").json()
    return loaded


def open_page(browser: Any, url: str, locale: str, viewport: dict[str, int] | None = None) -> Any:
    page = browser.new_page(locale=locale, viewport=viewport or {"width": 1280, "height": 900})
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]")
    return page


def test_page_looks_up_5_1_1_in_bulgarian(browser: Any, live_url: str, strings: dict[str, dict[str, str]]) -> None:
    page = open_page(browser, live_url, "bg-BG")
    assert page.input_value("#lang") == "bg"  # chosen from the browser's language
    page.fill("#code", "5.1.1")
    page.click("#lookup-form button[type=submit]")
    card = page.locator(".code-card")
    expected = bouncekit.explain("5.1.1", lang="bg").codes[0]
    sync_api.expect(card.locator("h3")).to_have_text(expected.title)
    assert strings["bg"]["action"].lower() in card.inner_text().lower()  # "what to do", in Bulgarian
    assert expected.action in card.inner_text()
    page.close()


def test_page_reads_a_pasted_corpus_bounce_and_shows_the_verdict(browser: Any, live_url: str,
                                                                 strings: dict[str, dict[str, str]]) -> None:
    bounce = shared_path(*POSTFIX_USERUNKNOWN)
    [record] = bouncekit.parse_message(bounce.read_bytes())
    page = open_page(browser, live_url, "bg-BG")
    page.fill("#input", bounce.read_text(encoding="latin-1"))
    page.click("#read-form button[type=submit]")
    row = page.locator("tr.record").first
    sync_api.expect(row.locator("[data-col=reason]")).to_contain_text(record.reason)
    bg = strings["bg"]
    assert row.locator("[data-col=recipient]").inner_text() == record.recipient
    assert bg["bounce.hard"] in row.locator("[data-col=bounce]").inner_text()
    assert row.locator("[data-col=fault]").inner_text() == bg[f"fault.{record.fault}"]
    assert row.locator("[data-col=advice]").inner_text().startswith(bg[f"advice.{record.action_advice}"])
    assert row.locator("[data-col=evidence]").inner_text() == record.evidence
    row.click()  # the evidence: the server's own words
    sync_api.expect(page.locator("tr.details")).to_contain_text(record.diagnostic_code)
    page.close()


def test_switching_the_language_redraws_the_verdict(browser: Any, live_url: str,
                                                    strings: dict[str, dict[str, str]]) -> None:
    page = open_page(browser, live_url, "bg-BG")
    page.fill("#input", "550 5.1.1 <x@example.com>: Recipient address rejected: User unknown")
    page.click("#read-form button[type=submit]")
    bounce_cell = page.locator("tr.record [data-col=bounce]")
    sync_api.expect(bounce_cell).to_contain_text(strings["bg"]["bounce.hard"])
    page.select_option("#lang", "en")
    sync_api.expect(bounce_cell).to_contain_text(strings["en"]["bounce.hard"])
    assert page.locator("html").get_attribute("lang") == "en"
    page.close()


def test_page_reads_dropped_eml_files(browser: Any, live_url: str) -> None:
    page = open_page(browser, live_url, "en-US")
    page.set_input_files("#files", str(shared_path(*POSTFIX_USERUNKNOWN)))
    page.click("#read-form button[type=submit]")
    sync_api.expect(page.locator("tr.record [data-col=recipient]")).to_have_text("kijitora@example.co.jp")
    page.close()


def test_page_fits_a_phone_screen(browser: Any, live_url: str) -> None:
    page = open_page(browser, live_url, "ru-RU", PHONE)
    page.fill("#code", "550 5.7.1 Message rejected as spam")
    page.click("#lookup-form button[type=submit]")
    page.wait_for_selector(".code-card")
    page.fill("#input", "452 4.2.2 Mailbox full")
    page.click("#read-form button[type=submit]")
    page.wait_for_selector("tr.record")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.close()


def test_page_shows_the_servers_message_for_a_bad_code(browser: Any, live_url: str) -> None:
    page = open_page(browser, live_url, "en-US")
    page.fill("#code", "6.1.1")
    page.click("#lookup-form button[type=submit]")
    error = json.loads(call(live_url, "GET", "/v1/codes/6.1.1").body)["error"]
    sync_api.expect(page.locator("#explanation .error")).to_contain_text(error)
    page.close()


def test_page_detects_pasted_log_lines_and_reads_them(browser: Any, live_url: str) -> None:
    line = ("Jan  2 03:04:05 mx postfix/smtp[123]: 4F2A81C0: to=<x@example.com>, relay=mx.example.com[192.0.2.1]:25, "
            "delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.example.com[192.0.2.1] said: 550 5.1.1 "
            "<x@example.com>: Recipient address rejected: User unknown (in reply to RCPT TO command))")
    page = open_page(browser, live_url, "en-US")
    page.fill("#input", line)
    page.click("#read-form button[type=submit]")
    row = page.locator("tr.record")
    sync_api.expect(row.locator("[data-col=recipient]")).to_have_text("x@example.com")
    sync_api.expect(row.locator("[data-col=reason]")).to_contain_text("userunknown")
    page.close()
