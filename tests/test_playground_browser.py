"""The playground page in real headless Chromium: a newcomer's first session, click by click."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.servers.article_server import ARTICLE_TITLE, PLAIN_ARTICLE, ArticleServer
from tests.servers.openai_server import FakeOpenAI
from tests.servers.playground_process import PlaygroundFactory

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
WAIT_S = 60.0  # a failure deadline for a busy machine, not a speed check
SUMMARY = "**Eels are back.**\n\n- Eleven *thousand* counted\n- Weir removed"
ANSWER = "The old weir was removed, so the eels found their way."
QUESTION = "Why did the eels return?"
TOKEN_SHAPE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")


def _no_browser(reason: str) -> None:
    """Under CI the browser tests must run: fail there, skip on a machine without Chromium."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI needs Chromium for the browser tests: {reason}")
    pytest.skip(f"no usable Chromium: {reason}")


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    """Headless Chromium and its driver from the distribution's packages."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if binary is None or driver_path is None:
        _no_browser("install the chromium and chromium-driver packages")
    options = webdriver.ChromeOptions()
    options.binary_location = str(binary)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.add_argument("--window-size=1200,900")
    try:
        driver = webdriver.Chrome(options=options, service=Service(str(driver_path)))
    except WebDriverException as exc:
        _no_browser(exc.msg or str(exc))
    try:
        yield driver
    finally:
        driver.quit()


class Page:
    """The chat page as a user sees it."""

    def __init__(self, driver: webdriver.Chrome) -> None:
        self.driver = driver
        # The page redraws edited messages: an element found a moment ago may be gone.
        self.wait = WebDriverWait(
            driver, WAIT_S, poll_frequency=0.05, ignored_exceptions=[StaleElementReferenceException]
        )

    def send(self, text: str) -> None:
        box = self.driver.find_element(By.ID, "text")
        box.send_keys(text)
        box.send_keys(Keys.ENTER)
        self.wait.until(lambda _: box.get_attribute("value") == "")

    def messages(self, kind: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, f"#messages .message.{kind}")

    def bot_message(self, fragment: str) -> WebElement:
        """Wait for a (final, not draft) message of the bot containing fragment."""

        def found(_: object) -> WebElement | None:
            for item in self.messages("bot:not(.draft)"):
                if fragment in item.text:
                    return item
            return None

        element: WebElement = self.wait.until(found)
        return element


def _session(driver: webdriver.Chrome, url: str, article: str, upload: Path) -> list[Path]:
    """What the issue lists, in order; returns the screenshots written."""
    page = Page(driver)
    driver.get(url)
    page.wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))
    assert "gpt-4o-mini" in driver.find_element(By.ID, "llm").text
    page.send("/start")
    page.bot_message("I read articles for you")
    _summary_and_reply(page, article)
    _settings_and_upload(page, upload)
    calls = driver.find_element(By.ID, "calls").get_attribute("textContent") or ""
    assert "sendMessageDraft" in calls  # drafts were streamed live
    assert "editMessageReplyMarkup" in calls
    assert not TOKEN_SHAPE.search(driver.page_source)
    ARTIFACTS.mkdir(exist_ok=True)
    shots = [ARTIFACTS / "playground-private.png", ARTIFACTS / "playground-group-phone.png"]
    driver.save_screenshot(str(shots[0]))
    _group(page)
    driver.set_window_size(390, 844)  # a phone
    width = driver.execute_script("return [document.documentElement.scrollWidth, innerWidth]")
    assert width[0] <= width[1]
    driver.save_screenshot(str(shots[1]))
    return shots


def _summary_and_reply(page: Page, article: str) -> None:
    """A link gets its formatted summary; a reply to it (keyboard, then mouse) gets the answer."""
    driver = page.driver
    page.send(f"look {article}")
    summary = page.bot_message("Eels are back.")
    assert summary.find_element(By.CLASS_NAME, "text").text.startswith(ARTICLE_TITLE)
    assert summary.find_element(By.XPATH, ".//b[contains(., 'Eels are back.')]")
    assert summary.find_element(By.XPATH, ".//i[contains(., 'thousand')]")
    assert summary.find_element(By.CSS_SELECTOR, f"a[href='{article}']")

    replying = driver.find_element(By.ID, "replying")
    summary.send_keys(Keys.ENTER)  # the keyboard way: Enter on a focused message replies to it
    assert replying.is_displayed()
    driver.find_element(By.ID, "text").send_keys(Keys.ESCAPE)
    assert not replying.is_displayed()
    summary.click()
    assert replying.is_displayed()
    page.send(QUESTION)
    assert not replying.is_displayed()
    page.bot_message(ANSWER)
    question = next(m for m in page.messages("mine") if QUESTION in m.text)
    assert ARTICLE_TITLE in question.find_element(By.CLASS_NAME, "quote").text


def _settings_and_upload(page: Page, upload: Path) -> None:
    """/settings from the command menu, a button pressed, then a .txt file summarized."""
    driver = page.driver
    driver.find_element(By.ID, "menu-button").click()
    driver.find_element(By.CSS_SELECTOR, "#menu button[data-command='/settings']").click()
    driver.find_element(By.ID, "text").send_keys(Keys.ENTER)
    menu = page.bot_message("Choose how I write summaries")
    menu.find_element(By.XPATH, ".//button[normalize-space()='Short']").click()
    page.wait.until(lambda _: "✓ Short" in page.bot_message("Choose how I write summaries").text)

    driver.find_element(By.ID, "file").send_keys(str(upload))
    page.wait.until(lambda _: any(upload.name in m.text for m in page.messages("mine")))
    page.wait.until(
        lambda _: (
            len([m for m in page.messages("bot:not(.draft)") if "Eels are back." in m.text]) == 2
        )
    )


def _group(page: Page) -> None:
    """In the group, as Bob (a member), the bot stays silent until addressed."""
    driver = page.driver
    driver.find_element(By.XPATH, "//nav[@id='chats']/button[contains(., 'group')]").click()
    Select(driver.find_element(By.ID, "user")).select_by_value("bob")
    page.send("hello everyone, nice weather")
    page.send("/help@summarybot_playground_bot")
    page.bot_message("/summarize")
    texts = [m.text for m in driver.find_elements(By.CSS_SELECTOR, "#messages .message")]
    # One chat is served in order: had the bot answered the chatter, that answer came first.
    assert len(page.messages("bot")) == 1
    assert "nice weather" in texts[0]
    assert "/help@" in texts[1]


async def test_a_first_session_in_the_browser(
    browser: webdriver.Chrome,
    playground: PlaygroundFactory,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
    tmp_path: Path,
) -> None:
    openai_server.responder = lambda body: ANSWER if QUESTION in str(body) else SUMMARY
    openai_server.stream_s = 1.5  # long enough for the bot to stream drafts
    upload = tmp_path / "notes.txt"
    upload.write_bytes(PLAIN_ARTICLE)
    settings = {
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": openai_server.base_url,
        "LLM_MODEL": "gpt-4o-mini",
        "FETCH_ALLOW_PRIVATE_NETWORKS": "true",
    }
    async with playground(env=settings) as running:
        # Selenium blocks: it runs in a thread while this loop serves the article and the LLM.
        shots = await asyncio.to_thread(
            _session, browser, running.url, article_server.url("/article"), upload
        )
    assert all(shot.stat().st_size > 0 for shot in shots)
