"""Take the README's screenshots of the web page with headless Debian chromium (Playwright).

Usage: .venv/bin/python docs/screenshots.py [BOUNCE.eml]  - starts the app on a free loopback port,
looks up 5.1.1, pastes the bounce (default: a corpus Postfix bounce) and writes docs/screenshot.png
(desktop) and docs/screenshot-phone.png (a 390 px wide phone).
"""

from __future__ import annotations

import socket
import sys
import threading
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from bouncekit.web import create_app

DOCS = Path(__file__).resolve().parent
DEFAULT_BOUNCE = DOCS.parent.parent / "shared/corpus/bounces/maildir/bsd/lhost-postfix-04.eml"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def main() -> None:
    bounce = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_BOUNCE
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # The desktop shot is the whole page; the phone shot is one screen, scrolled to the records.
        for name, viewport, scale, phone in (("screenshot.png", {"width": 1280, "height": 900}, 1, False),
                                             ("screenshot-phone.png", {"width": 390, "height": 844}, 2, True)):
            page = browser.new_page(viewport=viewport, device_scale_factor=scale, locale="en-US")
            page.goto(url)
            page.wait_for_selector("body[data-ready=true]")
            page.fill("#code", "5.1.1")
            page.click("#lookup-form button[type=submit]")
            page.wait_for_selector(".code-card")
            page.fill("#input", bounce.read_text(encoding="latin-1"))
            page.click("#read-form button[type=submit]")
            page.wait_for_selector("table.records")
            page.click("tr.record")
            if phone:
                page.evaluate("document.querySelector('#read .controls').scrollIntoView()")
            page.screenshot(path=str(DOCS / name), full_page=not phone)
            page.close()
        browser.close()
    server.should_exit = True
    thread.join(5)


if __name__ == "__main__":
    main()
