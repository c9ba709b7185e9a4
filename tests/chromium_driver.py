"""Headless Chromium driven by Selenium, for the graph page's tests: offline, and watched.

Debian's `chromium` and `chromium-driver` are used as installed (Selenium Manager is never asked
to download a browser or a driver). The browser gets a dead proxy and a resolver that resolves
nothing (but 127.0.0.1, for `kg serve` in a test), so a page that reached for the network would
fail, and its performance log records every request the page made, so a test can also say that
none was attempted.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def available() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not Path(path).exists():
            return f"{package} is not installed (apt-get install {package})"
    return None


def start(width: int = 1400, height: int = 900):
    """A headless Chromium session that logs the console and the network."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--window-size={width},{height}", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-extensions",
                "--proxy-server=http://127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


def open_page(driver, url: str, timeout: float = 30.0) -> dict:
    """Load a page and wait until the graph is drawn; the body's data attributes."""
    driver.get_log("browser")       # drop what earlier pages logged
    driver.get_log("performance")
    driver.get(url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = driver.execute_script("return Object.assign({}, document.body.dataset)")
        if state.get("kgStatus") == "drawn":
            return state
        time.sleep(0.05)
    raise AssertionError(f"the page was not drawn within {timeout} s: {state}")


def console_problems(driver) -> list[str]:
    """Console errors and warnings since the last call (a failed request also shows here)."""
    return [f"{e['level']}: {e['message']}" for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]


def requests_made(driver) -> list[str]:
    """Every URL the page asked for since the last call, from Chromium's performance log."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def timing(driver) -> dict:
    """Navigation Timing of the page, and when it became interactive (ms from navigation start)."""
    return driver.execute_script("""
        var nav = performance.getEntriesByType("navigation")[0];
        return {domInteractive: Math.round(nav.domInteractive),
                domContentLoaded: Math.round(nav.domContentLoadedEventEnd),
                load: Math.round(nav.loadEventEnd),
                interactive: Number(document.body.dataset.kgReadyMs),
                resources: performance.getEntriesByType("resource").length};
    """)
