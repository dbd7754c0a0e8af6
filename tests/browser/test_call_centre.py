"""Seed 001's call-centre dashboard (GET /api/dashboard/comprehensive/) on the page, signed in to the
demo's ws_callcentre by the role picker. Every value the page draws names its place in the answer
(`data-path`, `data-format`); each must equal the API's own answer for the same role, asked by the
test; every number of that answer must be shown, every item of its lists in order, and every bar
of the charts must be the answer's under the pointer."""

import base64
import datetime
import hashlib
import hmac
import json
import math
import pathlib
import re
import time

import pytest
from conftest import (
    BASE,
    PARSE,
    api,
    error_shown,
    loads,
    refresh,
    screenshot,
    section,
    shown_values,
    value_at,
    wait_for_load,
    walk,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeout

FAMILY = "call-centre"
WORKSPACE = "ws_callcentre"
ROUTE = "/api/dashboard/comprehensive/"
# The page and the test ask at different instants while the live feed ingests a call every 5 s:
# they are compared again until they agree, at most this many times.
ATTEMPTS = 6
# Lists the page draws only as bar charts (checked bar by bar).
CHARTED = {"call_statistics.calls_by_outcome", "call_statistics.calls_by_type"}
# The bar charts of each page: id, the series' label in the legend, and its bars read from the
# answer: [(label, value)].
BARS = {
    "admin_comprehensive": [
        (
            "calls-by-outcome",
            "calls",
            lambda a: [(i["outcome"], i["count"]) for i in a["call_statistics"]["calls_by_outcome"]],
        ),
        (
            "calls-by-type",
            "calls",
            lambda a: [(i["call_type"], i["count"]) for i in a["call_statistics"]["calls_by_type"]],
        ),
        (
            "subscriptions-by-plan",
            "subscriptions",
            lambda a: [(i["plan__name"], i["count"]) for i in a["subscription_metrics"]["subscription_by_plans"]],
        ),
    ],
    "user_comprehensive": [
        (
            "leads",
            "customers",
            lambda a: [(t, a["customer_management"][f"{t}_leads"]) for t in ("hot", "warm", "cold")],
        ),
    ],
    "agent_comprehensive": [
        (
            "queue-waits",
            "seconds",
            lambda a: [(w["call_id"], w["waiting_seconds"]) for w in a["call_queue"]["waiting"]],
        ),
    ],
}
# How each value must be shown, by its key (the API's units), else by its JSON type.
UNITS = [
    (re.compile(r"(_at|_date|datetime|_since|_joined|period_start|period_end|watermark)$"), "time"),
    (re.compile(r"(rate|rate_today|training_level)$"), "percentage"),
    (
        re.compile(r"(revenue|revenue_today|revenue_this_week|revenue_this_month|amount|plan_price|total_spent)$"),
        "money",
    ),
    (re.compile(r"^performance_trends\.revenue_growth\.(today|week|month|last_7_days|previous_7_days)$"), "money"),
    (re.compile(r"seconds$"), "seconds"),
]
def dev_token(role, workspace=WORKSPACE):
    status, body = api("POST", "/dev/token", body={"role": role, "workspace": workspace})
    assert status == 200, body
    return body["token"]


def signed_token(claims):
    """A token signed like the development ones (the secret is read from local/src/dev_token.rs)."""
    source = (pathlib.Path(__file__).resolve().parents[2] / "local/src/dev_token.rs").read_text()
    secret = re.search(r'DEVELOPMENT_SECRET: &str = "([^"]+)"', source).group(1)

    def b64(raw):
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    signing_input = f"{b64(json.dumps({'typ': 'JWT', 'alg': 'HS256'}).encode())}.{b64(json.dumps(claims).encode())}"
    signature = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def claims_of(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def instant(text):
    return datetime.datetime.fromisoformat(text)


def open_as(page, role):
    """The page signed in as `role` of the call centre by the role picker."""
    page.goto(f"{BASE}/#{FAMILY}")
    done = wait_for_load(page, 0, FAMILY)
    if page.locator("#dev-role").input_value() != role:
        page.select_option("#dev-role", role)
        wait_for_load(page, done, FAMILY)
    status = page.locator("#sign-in-status").inner_text()
    assert f"Signed in as {role} of {WORKSPACE} (development token" in status, status
    assert section(page, FAMILY).get_attribute("data-state") == "ready"


def expected_format(path, value):
    """The format a value must be shown in; None when the answer does not tell (a null of no known unit)."""
    if isinstance(value, bool):
        return "bool"
    unit = next((kind for pattern, kind in UNITS if pattern.search(path)), None)
    if unit or value is None:
        return unit
    if isinstance(value, str):
        return "text"
    return "count" if isinstance(value, int) else "number"


def shown_value(item):
    if item["format"] == "time":
        return item["datetime"]
    return None if item["text"] == "–" else PARSE[item["format"]](item["text"])


def legend(page, chart_id):
    return page.evaluate(
        """id => Object.fromEntries([...document.querySelectorAll(`#${id} .u-legend .u-series`)]
            .map((row) => [row.querySelector('.u-label').textContent, row.querySelector('.u-value').textContent]))""",
        chart_id,
    )


def bar_legends(page, chart_id, labels):
    """The legend with the pointer over each bar in turn, where the bar of `labels[i]` should be."""
    over = page.locator(f"#{chart_id} .u-over")
    over.scroll_into_view_if_needed()
    box = over.bounding_box()
    readings = []
    for index, label in enumerate(labels):
        page.mouse.move(box["x"] + box["width"] * (index + 0.5) / len(labels), box["y"] + box["height"] / 2)
        try:
            page.wait_for_function(
                "([id, label]) => document.querySelector(`#${id} .u-legend .u-series .u-value`).textContent === label",
                arg=[chart_id, str(label)],
                timeout=3000,
            )
        except PlaywrightTimeout:
            pass  # told as a difference below
        readings.append(legend(page, chart_id))
    page.mouse.move(0, 0)
    return readings


def waited_agrees(shown, asked, elapsed):
    """A wait the page showed against the test's, asked `elapsed` seconds later."""
    return shown is not None and 0 <= asked - shown <= math.ceil(elapsed) + 1


def differences(shown, bars, answer):
    """What the page shows that is not the test's answer (asked just after the page's)."""
    problems = []
    page_at = next((instant(item["datetime"]) for item in shown if item["path"] == "generated_at"), None)
    if page_at is None:
        return ["the page does not show when its answer was computed"]
    elapsed = (instant(answer["generated_at"]) - page_at).total_seconds()
    if not 0 <= elapsed < 10:
        problems.append(f"the page's answer is of {page_at}, the test's of {answer['generated_at']}")
    for item in shown:
        path = item["path"]
        try:
            want = value_at(answer, path)
        except (KeyError, IndexError):
            problems.append(f"{path}: shown {item['text']!r}, not in the answer")
            continue
        kind = expected_format(path, want)
        if kind is not None and item["format"] != kind:
            problems.append(f"{path}: shown as {item['format']} ({item['text']!r}), it is {kind} ({want!r})")
            continue
        got = shown_value(item)
        if item["format"] == "time" and got is not None and item["text"] != f"{got[:19].replace('T', ' ')} UTC":
            problems.append(f"{path}: {item['text']!r} is not the instant {got}")
        if path in ("generated_at", "meta.generated_at"):
            if got is None or instant(got) != page_at:
                problems.append(f"{path}: {got} is not the page's answer's instant {page_at}")
        elif path.endswith(".waiting_seconds"):
            if not waited_agrees(got, want, elapsed):
                problems.append(f"{path}: shown {got}, the test's answer {want} (asked {elapsed:.1f} s later)")
        elif got != want:
            problems.append(f"{path}: shown {item['text']!r}, the API says {want!r}")
    for chart_id, expected in bars.items():
        for reading, (label, value) in zip(expected["readings"], expected["bars"], strict=True):
            of, shown_bar = reading.get("of"), reading.get(expected["series"])
            number = PARSE["count"](shown_bar) if shown_bar not in (None, "–") else None
            agrees = waited_agrees(number, value, elapsed) if chart_id == "queue-waits" else number == value
            if of != str(label) or not agrees:
                problems.append(f"chart {chart_id}: the bar of {label} ({value}) shows {reading}")
    return problems


def read_page(page, token, page_type):
    """The page's values and bars and the test's own answer, until they agree; returns them."""
    for _attempt in range(ATTEMPTS):
        done = refresh(page, FAMILY)
        shown = shown_values(page, FAMILY)
        status, answer = api("GET", ROUTE, token)
        assert status == 200, answer
        assert answer["dashboard_type"] == page_type, answer["dashboard_type"]
        bars = {}
        for chart_id, series, reading in BARS[page_type]:
            expected = reading(answer)
            bars[chart_id] = {
                "bars": expected,
                "series": series,
                "readings": bar_legends(page, chart_id, [label for label, _ in expected]) if expected else [],
            }
        if loads(page, FAMILY) != done:
            continue  # the page refreshed itself meanwhile
        problems = differences(shown, bars, answer)
        if not problems:
            return shown, answer
    raise AssertionError(f"the page never showed the API's answer ({ATTEMPTS} tries); last differences: {problems}")


@pytest.mark.parametrize(
    "role, page_type",
    [
        ("admin", "admin_comprehensive"),
        ("manager", "admin_comprehensive"),
        ("user", "user_comprehensive"),
        ("agent", "agent_comprehensive"),
    ],
)
def test_each_roles_page_shows_every_number_and_list_of_the_apis_answer_for_that_role(page, role, page_type):
    open_as(page, role)
    shown, answer = read_page(page, dev_token(role), page_type)

    paths = {item["path"] for item in shown}
    numbers = [
        path
        for path, value in walk(answer, skip=CHARTED)
        if isinstance(value, (int, float)) and not isinstance(value, bool)
    ]
    assert [path for path in numbers if path not in paths] == [], "every number of the answer is shown"
    for path, length in ((path, len(value)) for path, value in walk(answer, skip=CHARTED) if isinstance(value, list)):
        indexes = {
            int(shown_path[len(path) + 1 :].split(".")[0]) for shown_path in paths if shown_path.startswith(f"{path}.")
        }
        assert indexes == set(range(length)), f"{path}: every item is shown ({length})"
    assert {"generated_at", "data_freshness", "meta.watermark", "meta.cache", "meta.timezone"} <= paths
    assert answer["meta"]["cache"] == "bypass"
    if page_type == "admin_comprehensive":
        assert answer["user_info"]["role"] == role
        assert {"performance_trends.user_growth.trend", "performance_trends.revenue_growth.last_7_days"} <= paths

    phones = [item["text"] for item in shown if item["path"].endswith(("phone_number", "customer_phone"))]
    assert phones, "customers' numbers are listed"
    # Others' customers' numbers are masked by the API and shown as it gives them; a user's own are whole.
    assert all(("*" in phone) == (page_type != "user_comprehensive") for phone in phones), phones

    screenshot(page, f"call-centre-{role}")


def paste(page, token):
    before = loads(page, FAMILY)
    page.locator("#token-details summary").click()
    page.fill("#token-input", token)
    page.get_by_role("button", name="Use token").click()
    wait_for_load(page, before, FAMILY)


def test_a_viewer_is_shown_the_apis_forbidden_message_instead_of_a_page(page, page_problems):
    page_problems.expect(ROUTE, 403)
    open_as(page, "admin")
    token = dev_token("viewer")
    paste(page, token)
    assert f"viewer of {WORKSPACE} (pasted token" in page.locator("#sign-in-status").inner_text()
    status, answer = api("GET", ROUTE, token)
    assert status == 403
    shown = error_shown(page, FAMILY)
    assert (shown["title"], shown["message"], shown["code"]) == (
        "This role may not see this dashboard",
        answer["error"]["message"],
        "403 FORBIDDEN",
    )
    assert section(page, FAMILY).locator(".content [data-path]").count() == 0
    screenshot(page, "call-centre-viewer-forbidden")


def test_an_agent_without_a_profile_is_shown_the_apis_not_found_message_and_its_hint(page, page_problems):
    page_problems.expect(ROUTE, 404)
    open_as(page, "agent")
    claims = claims_of(dev_token("agent")) | {"sub": "u_agent_without_profile"}
    token = signed_token(claims)
    paste(page, token)
    status, answer = api("GET", ROUTE, token)
    assert (status, answer["error"]["message"]) == (404, "Agent profile not found")
    shown = error_shown(page, FAMILY)
    assert (shown["title"], shown["message"], shown["code"]) == (
        "Not found",
        "Agent profile not found",
        "404 NOT_FOUND",
    )
    assert shown["details"] == [f"hint: {answer['error']['details']['hint']}"]
    assert section(page, FAMILY).locator(".content [data-path]").count() == 0
    screenshot(page, "call-centre-agent-without-profile")


def test_the_call_centre_page_refreshes_by_itself_every_30_seconds(page):
    asked = []
    page.on("request", lambda request: request.url.endswith(ROUTE) and asked.append(time.monotonic()))
    open_as(page, "admin")
    first = loads(page, FAMILY)
    assert "next refresh in 30 s" in section(page, FAMILY).locator(".status").inner_text()
    wait_for_load(page, first, FAMILY, timeout=45_000)
    assert len(asked) >= 2
    assert 29 <= asked[-1] - asked[-2] <= 40, asked


def test_switching_families_signs_in_to_each_familys_workspace_with_a_role_it_offers(page):
    page.goto(f"{BASE}/#campaign-stats?campaign=cmp_csat_q4")
    wait_for_load(page)
    assert "Signed in as viewer of ws_demo" in page.locator("#sign-in-status").inner_text()
    page.get_by_role("link", name="Call centre").click()
    wait_for_load(page, 0, FAMILY)
    # A viewer has no call-centre page: the family's first role instead.
    assert "Signed in as admin of ws_callcentre" in page.locator("#sign-in-status").inner_text()
    assert page.locator("#dev-role option").all_inner_texts() == ["admin", "manager", "user", "agent"]
    assert section(page, FAMILY).get_attribute("data-state") == "ready"
    page.get_by_role("link", name="Campaign stats").click()
    wait_for_load(page)
    assert "Signed in as admin of ws_demo" in page.locator("#sign-in-status").inner_text()
    assert section(page).get_attribute("data-state") == "ready"
