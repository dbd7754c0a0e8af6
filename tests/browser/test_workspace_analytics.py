"""Seed 002's AI workspace analytics on the page, signed in to the demo's ws_agents by the role
picker. The page asks its routes together and draws each value bound to its place in their
answers (`data-path` = `<panel>.<path in its answer>`); the test asks each route again with the
page's own token and URL (read from the page's requests) and checks that every value shown equals
the route's answer in the format it is shown in, that every number of every answer is shown (the
trends' points under the pointer of their charts), and that a role refused some routes sees each
refusal's message in its panel while the panels of the routes it may ask show their answers."""

import datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from conftest import (
    BASE,
    api,
    differences,
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

FAMILY = "workspace-analytics"
WORKSPACE = "ws_agents"
ZONE = ZoneInfo("America/New_York")
PREFIX = "/api/v1/dashboard/"
# The page's panels, by the route each shows.
PANELS = {
    "executive/summary": "summary",
    "executive/trends": "trends",
    "workspace/overview": "overview",
    "users/activity": "activity",
    "users/engagement": "engagement",
    "agents/performance": "agents",
    "leaderboards": "leaderboard",
    "workspace/comparison": "comparison",
}
# Lists whose every item is shown, in order, as a table's rows.
LISTS = [
    "overview.data.activity.top_agent_executions",
    "activity.data.users",
    "engagement.data.cohort_analysis.cohorts",
    "agents.data.agents",
    "leaderboard.data.leaderboard",
    "comparison.data.comparisons",
]
META = ["generated_at", "cache", "watermark", "timezone", "source"]
# The page and the test ask at different instants, and a route's cached answer turns over every
# 60 s: compared again until they agree, at most this many times.
ATTEMPTS = 4


class Requests:
    """The page's requests to the routes of the last load: {panel: (token, path and query)}."""

    def __init__(self, page):
        self.latest = {}
        page.on("request", self.seen)

    def seen(self, request):
        if request.url.startswith(BASE + PREFIX):
            asked = request.url[len(BASE) :]
            route = urlsplit(asked).path.removeprefix(PREFIX)
            self.latest[PANELS[route]] = (request.headers["authorization"].removeprefix("Bearer "), asked)

    def query(self, panel):
        return {name: values[0] for name, values in parse_qs(urlsplit(self.latest[panel][1]).query).items()}

    def asked_again(self):
        """Each route's (status, answer) to the page's own token and URL, asked by the test."""
        return {panel: api("GET", path, token) for panel, (token, path) in self.latest.items()}


def open_as(page, role, hash_query=""):
    """The page on the workspace analytics, signed in as `role` of ws_agents by the role picker."""
    page.goto(f"{BASE}/#{FAMILY}{hash_query}")
    done = wait_for_load(page, 0, FAMILY)
    if page.locator("#dev-role").input_value() != role:
        page.select_option("#dev-role", role)
        done = wait_for_load(page, done, FAMILY)
    status = page.locator("#sign-in-status").inner_text()
    assert f"Signed in as {role} of {WORKSPACE} (development token" in status, status
    return done


def panel_states(page):
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('section#workspace-analytics .panel')]
            .map((panel) => [panel.dataset.panel, panel.dataset.state]))"""
    )


def read_page(page, requests):
    """The page's values and the test's own (status, answer) to each of its requests, once they agree."""
    problems = []
    for _attempt in range(ATTEMPTS):
        requests.latest.clear()
        done = refresh(page, FAMILY)
        shown = shown_values(page, FAMILY)
        asked = requests.asked_again()
        if loads(page, FAMILY) != done:
            continue  # the page refreshed itself meanwhile
        answers = {panel: answer for panel, (status, answer) in asked.items() if status == 200}
        problems = differences(shown, answers)
        if not problems:
            return shown, asked
    raise AssertionError(f"the page never showed the API's answers ({ATTEMPTS} tries); last differences: {problems}")


def assert_every_number_and_row_is_shown(shown, answers):
    paths = {item["path"] for item in shown}
    for panel, answer in answers.items():
        # The trends' points are drawn, and read under the pointer (assert_charts_show_the_answers).
        numbers = [path for path in numbers_of(answers, f"{panel}.data") if not path.startswith("trends.data.trends.")]
        assert [path for path in numbers if path not in paths] == [], f"every number of {panel} is shown"
        assert {f"{panel}.meta.{key}" for key in META} <= paths, f"the meta of {panel} is shown"
    for path in LISTS:
        if path.split(".")[0] not in answers:
            continue
        rows = value_at(answers, path)
        shown_rows = {int(where[len(path) + 1 :].split(".")[0]) for where in paths if where.startswith(f"{path}.")}
        assert shown_rows == set(range(len(rows))), f"every item of {path} is shown"
    texts = [item["text"] for item in shown]
    assert not any("NaN" in text or "undefined" in text or "Infinity" in text for text in texts)


def assert_charts_show_the_answers(page, answers):
    trends = {trend["metric"]: trend["data"] for trend in answers["trends"]["data"]["trends"]}
    for chart, lines in (
        ("trend-revenue", {"Revenue": "revenue"}),
        ("trend-users", {"Active users": "users"}),
        ("trend-executions", {"Executions": "executions", "Failed": "errors"}),
        ("trend-usage", {"API requests": "usage"}),
    ):
        for fraction in (0.3, 0.8):
            reading = hover_chart(page, chart, fraction)
            for label, metric in lines.items():
                point = next(point for point in trends[metric] if point["date"] == reading["at"])
                assert number(reading[label]) == point["value"], (chart, reading, point)
    agents = {agent["agent_name"] or agent["agent_id"]: agent for agent in answers["agents"]["data"]["agents"]}
    for fraction in (0.05, 0.5):
        reading = hover_chart(page, "agent-executions", fraction)
        assert number(reading["executions"]) == agents[reading["of"]]["total_executions"], reading


@pytest.mark.parametrize(
    "role, hash_query, compared",
    [
        ("admin", "", True),
        ("manager", "?leaderboard=users&cohort=daily", False),
        ("admin", "?leaderboard=workspaces", True),
    ],
)
def test_every_value_shown_is_the_routes_own_answer_to_the_pages_token_and_url(page, role, hash_query, compared):
    requests = Requests(page)
    open_as(page, role, hash_query)
    assert page.locator("#dev-role option").all_inner_texts() == ["admin", "manager", "viewer", "user"]
    shown, asked = read_page(page, requests)
    assert {panel: status for panel, (status, _) in asked.items()} == {
        panel: 200 for panel in PANELS.values() if compared or panel != "comparison"
    }
    answers = {panel: answer for panel, (_, answer) in asked.items()}
    states = panel_states(page)
    assert states == {panel: "ready" if panel in answers else "absent" for panel in PANELS.values()}, states

    # What the page asked for: its choices, and without dates each route's default range.
    wanted = dict(part.split("=") for part in hash_query.removeprefix("?").split("&") if part)
    assert answers["leaderboard"]["data"]["leaderboard_type"] == wanted.get("leaderboard", "agents")
    assert answers["engagement"]["data"]["cohort_analysis"]["cohort"] == wanted.get("cohort", "weekly")
    assert answers["summary"]["data"]["period"]["days"] == 30
    if compared:
        assert [one["workspace_id"] for one in answers["comparison"]["data"]["comparisons"]] == [
            "ws_agents",
            "ws_agents_labs",
        ]

    assert_every_number_and_row_is_shown(shown, answers)
    assert_charts_show_the_answers(page, answers)
    assert "next refresh in 15 s" in section(page, FAMILY).locator(".status").inner_text()
    screenshot(page, f"workspace-analytics-{role}-{wanted.get('leaderboard', 'agents')}")


def test_a_range_picked_is_asked_of_every_route_over_a_range_and_shown(page):
    requests = Requests(page)
    done = open_as(page, "admin")
    today = datetime.datetime.now(ZONE).date()
    start, end = (today - datetime.timedelta(days=days) for days in (13, 1))
    page.fill("#field-start", start.isoformat())
    page.fill("#field-end", end.isoformat())
    section(page, FAMILY).get_by_role("button", name="Show").click()
    wait_for_load(page, done, FAMILY)
    assert f"start={start}&end={end}" in page.evaluate("location.hash")

    shown, asked = read_page(page, requests)
    for panel in asked:
        query = requests.query(panel)
        if panel == "overview":
            assert "start" not in query and "end" not in query, query  # today's, whatever the range
        else:
            assert (query.get("start"), query.get("end")) == (str(start), str(end)), (panel, query)
    answers = {panel: answer for panel, (_, answer) in asked.items()}
    period = answers["summary"]["data"]["period"]
    assert (period["start"], period["end"], period["days"]) == (str(start), str(end), 13)
    assert [point["date"] for point in answers["trends"]["data"]["trends"][0]["data"]] == [
        str(start + datetime.timedelta(days=day)) for day in range(13)
    ]
    for comparison in answers["comparison"]["data"]["comparisons"]:
        assert (comparison["start"], comparison["end"]) == (str(start), str(end))
    assert_every_number_and_row_is_shown(shown, answers)
    assert_charts_show_the_answers(page, answers)
    screenshot(page, "workspace-analytics-range")


@pytest.mark.parametrize(
    "role, refused",
    [
        ("viewer", {"summary", "trends", "activity", "engagement"}),
        ("user", {"summary", "trends", "activity", "engagement", "overview", "agents"}),
    ],
)
def test_a_role_refused_some_routes_sees_each_refusal_in_its_panel_and_the_other_panels(
    page, page_problems, role, refused
):
    routes = {panel: route for route, panel in PANELS.items()}
    for panel in refused:
        page_problems.expect(PREFIX + routes[panel], 403)
    requests = Requests(page)
    open_as(page, role)
    shown, asked = read_page(page, requests)
    assert {panel for panel, (status, _) in asked.items() if status == 403} == refused
    assert "comparison" not in asked, "a token naming no other workspace does not ask for a comparison"
    states = panel_states(page)
    assert states == {
        panel: "error" if panel in refused else "absent" if panel == "comparison" else "ready"
        for panel in PANELS.values()
    }, states

    for panel in refused:
        status, answer = asked[panel]
        box = page.locator(f"#wa-{panel} .panel-error .error")
        assert (
            box.locator(".error-title").inner_text(),
            box.locator(".error-message").inner_text(),
            box.locator(".error-code").inner_text(),
        ) == ("This role may not see this dashboard", answer["error"]["message"], "403 FORBIDDEN")
        assert page.locator(f"#wa-{panel} [data-path]").count() == 0, f"{panel} shows no value"
    assert page.locator("#wa-comparison .panel-error").inner_text().startswith("Comparing takes a token")
    # The whole family is not an error: the panels of the routes allowed show their answers.
    assert section(page, FAMILY).get_attribute("data-state") == "ready"
    assert section(page, FAMILY).locator(".errors .error").count() == 0
    allowed = {panel: answer for panel, (status, answer) in asked.items() if status == 200}
    assert allowed, "some routes answer"
    assert_every_number_and_row_is_shown(shown, allowed)
    screenshot(page, f"workspace-analytics-{role}-refused")
