"""Seed 000's ad campaigns (the seven POST /api/v1/dashboard/* routes) on the page, signed in to the
demo's ws_demo by the role picker. The page asks the seven routes together and draws each value
bound to its place in their answers (`data-path` = `<route>.<path in its answer>`); the test asks
each route again with the page's own token and body (read from the page's requests) and checks
that every value shown equals the route's answer, in the format its field has, and that every
number of the campaign's metrics, trends, alerts and the overview is shown."""

import pytest
from conftest import (
    BASE,
    api,
    differences,
    error_shown,
    hover_chart,
    loads,
    number,
    numbers_of,
    refresh,
    screenshot,
    section,
    shown_values,
    value_at,
    wait_for_load,
)

FAMILY = "ad-campaigns"
WORKSPACE = "ws_demo"
ROUTES = [
    "campaign_metrics",
    "performance_trends",
    "alerts",
    "insights",
    "campaign_report",
    "overview",
    "portfolio_report",
]
PREFIX = "/api/v1/dashboard/"
# The parts of the answers whose every number must be shown.
COVERED = [
    "campaign_metrics.metrics",
    "performance_trends.trends",
    "alerts.alerts",
    "overview.overview",
]
# The page and the test ask at different instants (the five uncached routes compute every answer):
# compared again until they agree, at most this many times.
ATTEMPTS = 4


class Requests:
    """The page's requests to the seven routes, the latest of each: (Authorization, body)."""

    def __init__(self, page):
        self.latest = {}
        page.on("request", self.seen)

    def seen(self, request):
        if request.url.startswith(BASE + PREFIX):
            route = request.url[len(BASE + PREFIX) :]
            self.latest[route] = (request.headers["authorization"], request.post_data_json)

    def token(self):
        return self.latest["campaign_metrics"][0].removeprefix("Bearer ")

    def asked_again(self):
        """Each route's answer to the page's own token and body, asked by the test."""
        answers = {}
        for route in ROUTES:
            authorization, body = self.latest[route]
            status, answer = api("POST", PREFIX + route, authorization.removeprefix("Bearer "), body)
            assert status == 200, (route, body, answer)
            answers[route] = answer
        return answers


def open_as(page, role, hash_query=""):
    """The page on the ad campaigns, signed in as `role` of ws_demo by the role picker."""
    page.goto(f"{BASE}/#{FAMILY}{hash_query}")
    done = wait_for_load(page, 0, FAMILY)
    if page.locator("#dev-role").input_value() != role:
        page.select_option("#dev-role", role)
        done = wait_for_load(page, done, FAMILY)
    status = page.locator("#sign-in-status").inner_text()
    assert f"Signed in as {role} of {WORKSPACE} (development token" in status, status
    return done


def read_page(page, requests):
    """The page's values and the test's own answers to its requests, once they agree."""
    problems = []
    for _attempt in range(ATTEMPTS):
        done = refresh(page, FAMILY)
        shown = shown_values(page, FAMILY)
        answers = requests.asked_again()
        if loads(page, FAMILY) != done:
            continue  # the page refreshed itself meanwhile
        problems = differences(shown, answers)
        if not problems:
            return shown, answers
    raise AssertionError(f"the page never showed the API's answers ({ATTEMPTS} tries); last differences: {problems}")


@pytest.mark.parametrize(
    "role, campaign",
    [
        ("user", "cmp_ads_spring_sale"),
        ("user", "cmp_ads_retargeting"),
        ("manager", "cmp_ads_summer_launch"),
        ("viewer", "cmp_ads_brand_awareness"),
    ],
)
def test_every_value_shown_is_the_routes_own_answer_to_the_pages_token_and_body(page, role, campaign):
    requests = Requests(page)
    open_as(page, role, f"?campaign={campaign}")
    assert page.locator("#dev-role option").all_inner_texts() == ["user", "manager", "admin", "viewer"]
    shown, answers = read_page(page, requests)

    # The page asked for what it was told, the portfolio of the signed-in user.
    status, minted = api("POST", "/dev/token", body={"role": role, "workspace": WORKSPACE})
    assert status == 200, minted
    assert answers["campaign_metrics"]["campaign_id"] == campaign
    assert answers["overview"]["user_id"] == minted["user"]
    assert answers["campaign_report"]["report_type"] == "comprehensive"

    paths = {item["path"] for item in shown}
    for base in COVERED:
        numbers = numbers_of(answers, base)
        assert numbers, f"{base} has numbers"
        assert [path for path in numbers if path not in paths] == [], f"every number of {base} is shown"
    for alert in ("high_cpa_alert", "low_roas_alert", "budget_exhaustion_alert", "performance_anomaly_alert"):
        assert f"alerts.alerts.{alert}" in paths and f"alerts.alerts.evidence.{alert}.method" in paths
    for trend in ("roas_trend", "cpa_trend", "ctr_trend", "spend_trend"):
        for evidence in ("method", "p_value", "n"):
            assert f"performance_trends.trends.evidence.{trend}.{evidence}" in paths
    for path in (
        "insights.insights.top_performing_creative",
        "insights.insights.best_audience_segment",
        "insights.insights.recommended_budget_adjustment",
        "campaign_report.report.summary",
        "portfolio_report.report.summary",
        "campaign_metrics.meta.cache",
    ):
        assert path in paths, path
    for path in ("insights.insights.optimization_opportunities", "portfolio_report.report.recommendations"):
        items = value_at(answers, path)
        assert {f"{path}.{index}" for index in range(len(items))} <= paths, f"every item of {path} is shown"

    # Nulls are a dash, never 0 or NaN.
    texts = [item["text"] for item in shown]
    assert not any("NaN" in text or "undefined" in text or "Infinity" in text for text in texts)

    # The chart: the report's days, spend and revenue under the pointer.
    daily = {day["date"]: day for day in answers["campaign_report"]["report"]["daily"]}
    assert daily, "the comprehensive report has days"
    reading = hover_chart(page, "daily-money", 0.5)
    metrics = daily[reading["at"]]
    assert (number(reading["Spend"]), number(reading["Revenue"])) == (metrics["spend"], metrics["revenue"]), reading

    assert "next refresh in 15 s" in section(page, FAMILY).locator(".status").inner_text()
    screenshot(page, f"ads-{role}-{campaign}")


def test_an_unknown_campaign_is_shown_as_the_apis_message(page, page_problems):
    for route in ROUTES[:5]:
        page_problems.expect(PREFIX + route, 404)
    requests = Requests(page)
    open_as(page, "user", "?campaign=cmp_ads_nobody_has")
    authorization, body = requests.latest["campaign_metrics"]
    status, answer = api("POST", PREFIX + "campaign_metrics", authorization.removeprefix("Bearer "), body)
    assert status == 404, answer
    shown = error_shown(page, FAMILY)
    assert (shown["title"], shown["message"], shown["code"]) == (
        "Not found",
        answer["error"]["message"],
        "404 NOT_FOUND",
    )
    assert section(page, FAMILY).locator(".content [data-path]").count() == 0
    screenshot(page, "ads-unknown-campaign")


def test_another_users_campaign_is_not_found_for_a_user(page, page_problems):
    for route in ROUTES[:5]:
        page_problems.expect(PREFIX + route, 404)
    requests = Requests(page)
    # u_manager's campaign: a user sees only their own, and another's does not leak.
    open_as(page, "user", "?campaign=cmp_ads_partner")
    status, answer = api("POST", PREFIX + "alerts", requests.token(), {"campaign_id": "cmp_ads_partner"})
    assert status == 404, answer
    shown = error_shown(page, FAMILY)
    assert (shown["message"], shown["code"]) == (answer["error"]["message"], "404 NOT_FOUND")


def test_a_viewer_asking_for_another_users_portfolio_is_shown_the_apis_forbidden_message(page, page_problems):
    page_problems.expect(PREFIX + "overview", 403)
    page_problems.expect(PREFIX + "portfolio_report", 403)
    requests = Requests(page)
    open_as(page, "viewer", "?campaign=cmp_ads_spring_sale&user=u_user")
    authorization, body = requests.latest["overview"]
    assert body["user_id"] == "u_user"
    status, answer = api("POST", PREFIX + "overview", authorization.removeprefix("Bearer "), body)
    assert status == 403, answer
    shown = error_shown(page, FAMILY)
    assert (shown["title"], shown["message"], shown["code"]) == (
        "This role may not see this dashboard",
        answer["error"]["message"],
        "403 FORBIDDEN",
    )
    assert section(page, FAMILY).locator(".content [data-path]").count() == 0
    screenshot(page, "ads-viewer-forbidden-portfolio")

    # A manager may ask for any user's portfolio: the same choice shows it.
    before = loads(page, FAMILY)
    page.select_option("#dev-role", "manager")
    wait_for_load(page, before, FAMILY)
    assert section(page, FAMILY).get_attribute("data-state") == "ready"
    assert section(page, FAMILY).locator('[data-path="overview.user_id"]').inner_text() == "u_user"
