"""Real browser tests: headless Chromium driven through selenium against the app on a real loopback port.

``live_app`` serves the app as bootstrap composes it (``build_web``: real database, staff accounts, the sample
city's catalogue) with the inbox's event stream over real Redis and the attachment routes. ``browser`` is a
fresh Chromium (its own profile under ``tmp_path``) pointed at it, sized by
``@pytest.mark.browser_window(w, h)`` (default: a 1280×900 desktop). The browser's console is captured:
a JavaScript error (a SEVERE entry from a script or ``console.error``) or a 5xx answer fails the test.
A missing Chromium or ChromeDriver fails with how to get one (never a skip).

The app runs on the test's event loop, so every selenium call (which blocks) runs in a worker thread:
the ``Browser`` methods are coroutines.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import pytest
from aiohttp import web
from redis.asyncio import Redis
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.attachments.disk import DiskBlobStore
from callcenter.adapters.attachments.sql import SqlAttachmentIndex
from callcenter.adapters.db.survey_campaign import SqlSurveyCampaign
from callcenter.adapters.db.surveys import SqlSurveys
from callcenter.adapters.http.attachments import add_attachment_routes
from callcenter.adapters.http.auth import CLOCK
from callcenter.adapters.http.inbox import InboxSettings, add_inbox_routes
from callcenter.adapters.http.surveys import survey_routes
from callcenter.adapters.http.workorders import WORK_ORDERS
from callcenter.adapters.recording_files import RecordingFileStore
from callcenter.adapters.redis.inbox import RedisInbox
from callcenter.ticketing.attachments.service import Attachments
from callcenter.ticketing.orders.ports import InboxNotice
from callcenter.ticketing.surveys.desk import SurveyDesk
from callcenter.ticketing.surveys.policy import SurveyPolicy
from tests.support.web import Web, build_web

CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
HOW_TO_GET = (
    "the browser tests need Chromium and its ChromeDriver: run `bash scripts/setup.sh browser` (installs "
    "Debian's chromium and chromium-driver), or set CHROMIUM and CHROMEDRIVER to a Chromium and the "
    "ChromeDriver of the same version (on Ubuntu, where Chromium is a snap, e.g. Google's Chrome for Testing)"
)
DESKTOP = (1280, 900)
PHONE = (360, 740)
WAIT_SECONDS = 10.0
# Chromium as root in a container, with nothing that reaches out to Google's hosts (refused here anyway).
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--lang=zh-CN",
)
T = TypeVar("T")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser_window(width, height): window size of a browser test (default 1280×900)"
    )


# --- the app on a loopback port ------------------------------------------------------------------------


@dataclass
class HeldNotices:
    """The inbox notifier in front of Redis; ``hold()`` keeps notices back for a while, as a phone that
    was offline misses them (pub/sub keeps nothing), and publishes them when it ends."""

    inner: RedisInbox
    held: list[InboxNotice] | None = None

    async def publish(self, notice: InboxNotice) -> None:
        if self.held is None:
            await self.inner.publish(notice)
        else:
            self.held.append(notice)

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        self.held = []
        try:
            yield
        finally:
            held, self.held = self.held, None
            for notice in held:
                await self.inner.publish(notice)


@dataclass
class LiveApp:
    web: Web
    url: str  # http://127.0.0.1:PORT
    notices: HeldNotices
    attachments_dir: Path
    recordings_dir: Path | None = None  # the survey calls' recordings (the 回访 tab's players)


@pytest.fixture
async def live_app(
    aiohttp_client: Any, engine: AsyncEngine, redis: Redis, stream_name: str, tmp_path: Path
) -> LiveApp:
    """The app (``build_web``) listening on 127.0.0.1, with the inbox's event stream over real Redis and
    the attachment routes."""
    feed = RedisInbox(redis, prefix=stream_name)
    notices = HeldNotices(feed)
    root = tmp_path / "attachments"

    def attachment_routes(app: web.Application) -> None:
        service = Attachments(app[WORK_ORDERS], SqlAttachmentIndex(engine), DiskBlobStore(root), app[CLOCK])
        add_attachment_routes(app, service)

    recordings = tmp_path / "recordings"
    recordings.mkdir()

    def surveys(app: web.Application) -> None:  # the 回访 tab: campaign, surveys, their recordings
        store, control = SqlSurveys(engine), SqlSurveyCampaign(engine)
        files = RecordingFileStore([str(recordings)], lambda p: p)
        desk = SurveyDesk(store, store, control, app[CLOCK], SurveyPolicy(), control, app[WORK_ORDERS], files)
        survey_routes(desk)(app)

    settings = InboxSettings(heartbeat_seconds=1.0, retry_ms=1000)
    routes = [lambda app: add_inbox_routes(app, feed, settings), attachment_routes, surveys]
    built = await build_web(aiohttp_client, engine, notices, extra_routes=routes, attachments_dir=root)
    return LiveApp(built, str(built.client.make_url("")).rstrip("/"), notices, root, recordings)


# --- the browser ---------------------------------------------------------------------------------------


def _driver(profile: Path, size: tuple[int, int]) -> webdriver.Chrome:
    for path in (CHROMEDRIVER, CHROMIUM):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)) and not shutil.which(path):
            pytest.fail(f"{path} not found: {HOW_TO_GET}")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    except WebDriverException as exc:
        pytest.fail(f"Chromium did not start ({exc.msg}): {HOW_TO_GET}")
    driver.set_window_size(*size)  # below 500 px only a resize takes (the flag's minimum is 500)
    return driver


@dataclass
class Browser:
    """One Chromium window on the live app. Every method runs the blocking selenium call in a thread."""

    driver: webdriver.Chrome
    base_url: str
    console: list[dict[str, Any]] = field(default_factory=list)

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(fn, *args)

    async def open(self, path: str) -> None:
        await self.call(self.driver.get, self.base_url + path)

    async def js(self, script: str, *args: Any) -> Any:
        return await self.call(self.driver.execute_script, script, *args)

    async def until(
        self, condition: Callable[[WebDriver], T | Literal[False]], what: str, within: float = WAIT_SECONDS
    ) -> T:
        """Wait (explicitly, polling) until ``condition`` holds; fail saying ``what`` did not happen.
        An element the page redrew meanwhile (stale) is looked up again."""

        def wait() -> T:
            waiting = WebDriverWait(
                self.driver,
                within,
                poll_frequency=0.05,
                ignored_exceptions=(StaleElementReferenceException,),
            )
            try:
                return waiting.until(condition)
            except TimeoutException:
                pytest.fail(f"{what}: not within {within} s (page {self.driver.current_url})")

        return await self.call(wait)

    async def element(self, css: str) -> WebElement:
        """The first visible element matching ``css``."""
        return await self.until(ec.visibility_of_element_located((By.CSS_SELECTOR, css)), f"{css} visible")

    async def text(self, css: str, contains: str, within: float = WAIT_SECONDS) -> WebElement:
        """The first visible element matching ``css`` whose text contains ``contains``."""
        return await self.until(_with_text(css, contains), f"{css} showing {contains!r}", within)

    async def click_on(self, css: str, contains: str) -> None:
        """Click the first visible element matching ``css`` whose text contains ``contains`` (looked up and
        clicked in one step, so a list the page redraws meanwhile is no trouble)."""
        await self.until(_clicked(_with_text(css, contains)), f"click on {css} showing {contains!r}")

    async def button(self, label: str, within: str = "body") -> WebElement:
        """The visible, enabled button labelled ``label`` inside ``within``."""
        return await self.until(_button(label, within), f"button {label!r} in {within}")

    async def click(self, label: str, within: str = "body") -> None:
        """Click the button labelled ``label`` inside ``within``."""
        await self.until(_clicked(_button(label, within)), f"click on button {label!r} in {within}")

    async def settled(self) -> None:
        """Wait until the page has no reload due and no request on its way (it clears ``aria-busy``)."""
        await self.until(
            lambda d: d.execute_script("return !document.body.hasAttribute('aria-busy')"),
            "the page settled (no aria-busy)",
        )

    async def value(self, css: str, expected: str) -> None:
        """Wait until the form control ``css`` holds ``expected``."""
        await self.until(
            lambda d: d.execute_script("return document.querySelector(arguments[0])?.value", css) == expected,
            f"{css} holding {expected!r}",
        )

    async def type(self, css: str, text: str, clear: bool = True) -> WebElement:
        node = await self.element(css)
        if clear:
            await self.call(node.clear)
        await self.call(node.send_keys, text)
        return node

    async def login(self, path: str, user: str, password: str) -> None:
        """Log in through the page's own form (the desk at ``/`` or the unit inbox)."""
        await self.open(path)
        await self.type("#login-form [name=login]", user)
        await self.type("#login-form [name=password]", password)
        node = await self.element("#login-form button[type=submit]")
        await self.call(node.click)

    def collect_console(self) -> list[dict[str, Any]]:
        """Move the browser's new console entries into ``console``; the errors among all of them."""
        self.console.extend(self.driver.get_log("browser"))  # type: ignore[no-untyped-call]
        return [e for e in self.console if e["level"] == "SEVERE" and _is_error(e)]


def _is_error(entry: dict[str, Any]) -> bool:
    """A script's error or console.error, or a server error (5xx); a 4xx is a page's normal answer."""
    return entry.get("source") != "network" or "status of 5" in entry["message"]


Find = Callable[[WebDriver], WebElement | Literal[False]]


def _with_text(css: str, contains: str) -> Find:
    def found(driver: WebDriver) -> WebElement | Literal[False]:
        for node in driver.find_elements(By.CSS_SELECTOR, css):
            if node.is_displayed() and contains in node.text:
                return node
        return False

    return found


def _button(label: str, within: str) -> Find:
    assert '"' not in label
    xpath = f'.//button[normalize-space()="{label}"]'

    def found(driver: WebDriver) -> WebElement | Literal[False]:
        for scope in driver.find_elements(By.CSS_SELECTOR, within):
            for node in scope.find_elements(By.XPATH, xpath):
                if node.is_displayed() and node.is_enabled():
                    return node
        return False

    return found


def _clicked(find: Find) -> Callable[[WebDriver], bool]:
    def click(driver: WebDriver) -> bool:
        node = find(driver)
        if node is False:
            return False
        node.click()
        return True

    return click


@pytest.fixture
def browser(request: pytest.FixtureRequest, live_app: LiveApp, tmp_path: Path) -> Iterator[Browser]:
    """A fresh headless Chromium on ``live_app``; a JavaScript error in its console fails the test.

    A 4xx (the 401 before login, the 409 of a stale order) is a page's normal answer, not an error; a 5xx is.
    """
    marker = request.node.get_closest_marker("browser_window")
    size = (int(marker.args[0]), int(marker.args[1])) if marker else DESKTOP
    driver = _driver(tmp_path / "chromium-profile", size)
    page = Browser(driver, live_app.url)
    try:
        yield page
        errors = page.collect_console()
    finally:
        driver.quit()
    if errors:
        pytest.fail("JavaScript errors in the browser console:\n" + "\n".join(e["message"] for e in errors))
