"""Fixtures and readers of the dashboard page, for the browser tests (run by tests/browser.sh).

The page is loaded in headless Chromium (Debian's, as Playwright's `executable_path`) against the
local runtime at DASHBOARD_BASE. Every page a test opens must end without a console error, a
page error, a failed request or an error answer, but for the error answers the test says it
expects (`page_problems.expect(path, status)`).
"""

import json
import os
import pathlib
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import sync_playwright

BASE = os.environ["DASHBOARD_BASE"]
VIEWER_TOKEN = os.environ["VIEWER_TOKEN"]
SCREENSHOTS = pathlib.Path(os.environ["SCREENSHOTS"])
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The page waits this long for an answer at most; the debug build answers in milliseconds.
TIMEOUT_MS = 20_000


def api(method, path, token=None, body=None):
    """The API's own answer, asked by the test: (status, JSON body)."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(BASE + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


@dataclass
class PageProblems:
    """What went wrong in a page, less the error answers a test expects."""

    expected: list = field(default_factory=list)
    seen: list = field(default_factory=list)

    def expect(self, path, status):
        self.expected.append((path, status))

    def is_expected(self, url, status):
        return any(url.startswith(BASE + path) and status == wanted for path, wanted in self.expected)

    def on_console(self, message):
        if message.type != "error":
            return
        # Chromium logs every error answer as "Failed to load resource"; those are judged by status.
        if message.text.startswith("Failed to load resource: the server responded with a status of"):
            return
        self.seen.append(f"console error: {message.text} at {message.location}")

    def on_response(self, response):
        if response.status >= 400 and not self.is_expected(response.url, response.status):
            self.seen.append(f"unexpected {response.status} from {response.request.method} {response.url}")


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=os.environ["CHROMIUM"], headless=True, args=CHROMIUM_FLAGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page_problems():
    return PageProblems()


@pytest.fixture
def page(browser, page_problems):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("console", page_problems.on_console)
    page.on("pageerror", lambda error: page_problems.seen.append(f"page error: {error}"))
    page.on(
        "requestfailed", lambda request: page_problems.seen.append(f"failed request: {request.url} ({request.failure})")
    )
    page.on("response", page_problems.on_response)
    yield page
    # Judged before closing: closing aborts a refresh under way, which is no fault of the page.
    problems = list(page_problems.seen)
    context.close()
    assert problems == [], "the page had problems"


def section(page, family="campaign-stats"):
    return page.locator(f"section#{family}")


def loads(page, family="campaign-stats"):
    """How many loads the family's section has finished."""
    return int(section(page, family).get_attribute("data-loads") or 0)


def wait_for_load(page, after=0, family="campaign-stats", timeout=None):
    """Waits until the family's section has finished a load numbered above `after`; returns its number."""
    page.wait_for_function(
        "([id, after]) => { const s = document.getElementById(id);"
        " return s && Number(s.dataset.loads || 0) > after && s.dataset.state !== 'loading'; }",
        arg=[family, after],
        timeout=timeout,
    )
    return loads(page, family)


def refresh(page, family="campaign-stats"):
    """Clicks "Refresh now" and waits for that load."""
    before = loads(page, family)
    section(page, family).get_by_role("button", name="Refresh now").click()
    return wait_for_load(page, before, family)


def shown_cards(page):
    """Every card's numbers and the meta, as the page shows them, read at one instant."""
    return page.evaluate(
        """() => {
          const root = document.querySelector('section#campaign-stats');
          const rows = (card) => Object.fromEntries([...root.querySelectorAll(`#${card} .row`)]
              .map((row) => [row.dataset.key, row.querySelector('.value').textContent]));
          const text = (selector) => root.querySelector(selector)?.textContent ?? null;
          return {
            campaign_id: text('.campaign-id'), campaign_name: text('.campaign-name'),
            contacts_total: text('#contacts .headline .value'), contacts: rows('contacts'),
            calls_total: text('#calls .headline .value'), calls: rows('calls'),
            rates: rows('rates'), durations: rows('durations'),
            generated_at: root.querySelector('.meta .generated-at')?.getAttribute('datetime') ?? null,
            watermark: root.querySelector('.meta .watermark')?.getAttribute('datetime') ?? null,
            timezone: text('.meta .timezone'), source: text('.meta .source'), cache: text('.meta .cache'),
          };
        }"""
    )


def hover_chart(page, chart_id, fraction):
    """Moves the pointer over `fraction` (0..1) of the chart's width and returns its legend:
    {label: shown value}, the hovered x under "at"."""
    over = page.locator(f"#{chart_id} .u-over")
    over.scroll_into_view_if_needed()
    box = over.bounding_box()
    page.mouse.move(box["x"] + min(box["width"] - 1, box["width"] * fraction), box["y"] + box["height"] / 2)
    page.wait_for_function(
        "id => document.querySelector(`#${id} .u-legend .u-series .u-value`).textContent !== '–'", arg=chart_id
    )
    return page.evaluate(
        """id => Object.fromEntries([...document.querySelectorAll(`#${id} .u-legend .u-series`)]
            .map((row) => [row.querySelector('.u-label').textContent, row.querySelector('.u-value').textContent]))""",
        chart_id,
    )


def error_shown(page, family="campaign-stats"):
    box = section(page, family).locator(".errors .error")
    box.wait_for()
    return {
        "title": box.locator(".error-title").inner_text(),
        "message": box.locator(".error-message").inner_text(),
        "details": [line.inner_text() for line in box.locator(".error-detail").all()],
        "code": box.locator(".error-code").inner_text() if box.locator(".error-code").count() else None,
    }


def value_at(answer, path):
    """The value at `path` (keys and list indexes joined by dots) of an API answer."""
    node = answer
    for key in path.split("."):
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


def shown_values(page, family):
    """Every bound value of the family's page: [{path, format, text, datetime}], read at one instant."""
    return page.evaluate(
        """id => [...document.querySelectorAll(`section#${id} .content [data-path]`)].map((node) => ({
            path: node.dataset.path, format: node.dataset.format, text: node.textContent,
            datetime: node.getAttribute('datetime') }))""",
        family,
    )


def count(text):
    return int(text.replace(",", ""))


def number(text):
    return float(text.replace(",", ""))


def seconds(text):
    """ "1,234.5 s" as 1234.5; "–" as None."""
    return None if text == "–" else float(text.removesuffix(" s").replace(",", ""))


def basis_points(text):
    """ "52.58 %" as 5258: a rate of 4 decimals, exactly."""
    return round(float(text.removesuffix(" %")) * 100)


# A value's text read back, by its format (the page's Dashboard.format).
PARSE = {
    "count": count,
    "money": number,
    "ratio": number,
    "number": number,
    "decimal": float,
    # A 0..1 rate of 4 decimals shown as a percentage of 2: compared in basis points, exactly.
    "percent": basis_points,
    "percentage": lambda text: number(text.removesuffix(" %")),
    "seconds": seconds,
    "text": str,
    "date": str,
    "list": lambda text: [] if text == "–" else text.split(", "),
    "bool": lambda text: {"yes": True, "no": False}[text],
}


def differences(shown, answers):
    """What the page shows (`shown_values`) that is not in `answers` (the values at the same paths,
    in the format each is shown in); each answer's `meta.generated_at` is left out, being the
    instant of each asking."""
    problems = []
    for item in shown:
        path, kind, text = item["path"], item["format"], item["text"]
        try:
            want = value_at(answers, path)
        except (KeyError, IndexError, TypeError):
            problems.append(f"{path}: shown {text!r}, not in the answers")
            continue
        if path.endswith("meta.generated_at"):
            continue
        if kind == "time":
            if item["datetime"] != want or (want and text != f"{want[:19].replace('T', ' ')} UTC"):
                problems.append(f"{path}: shown {text!r} ({item['datetime']}), the API says {want!r}")
            continue
        if want is None:
            if text != "–":
                problems.append(f"{path}: shown {text!r}, the API says null")
            continue
        if kind == "money" and not re.fullmatch(r"-?\d{1,3}(,\d{3})*\.\d\d", text):
            problems.append(f"{path}: {text!r} is not to the cent")
        expected = round(want * 10000) if kind == "percent" else want
        try:
            got = PARSE[kind](text)
        except (KeyError, ValueError):
            problems.append(f"{path}: {text!r} is not a {kind}")
            continue
        if kind in ("text", "date"):
            expected = str(want)
        if got != expected:
            problems.append(f"{path}: shown {text!r} ({kind}), the API says {want!r}")
    return problems


def walk(node, path="", skip=()):
    """Every (path, value) of an answer, its paths joined by dots from `path`, but under the paths of `skip`."""
    if path in skip:
        return
    yield path, node
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in children:
        yield from walk(value, f"{path}.{key}" if path else str(key), skip)


def numbers_of(answer, path):
    """The paths of every number under `path` of `answer` (booleans are not numbers)."""
    return [
        where
        for where, value in walk(value_at(answer, path), path)
        if isinstance(value, (int, float)) and not isinstance(value, bool)
    ]


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
