"""The dashboard page on the local runtime with its development secret on loopback: the page signs
itself in through POST /dev/token, and every number it shows is the API's own answer for the same
campaign and range, asked by the test itself."""

import datetime
import os
import time

from conftest import (
    BASE,
    VIEWER_TOKEN,
    api,
    basis_points,
    count,
    error_shown,
    hover_chart,
    refresh,
    screenshot,
    seconds,
    section,
    shown_cards,
    wait_for_load,
)

CAMPAIGN = "cmp_csat_q4"
OUTCOMES = {
    "Completed": "completed",
    "Refused": "refused",
    "No answer": "no_answer",
    "Busy": "busy",
    "Failed": "failed",
    "Other": "other",
}
# Where the charts are hovered: the ends and a few points between (each read point is matched to
# the API's point of the same hour or day, whichever the pointer landed on).
FRACTIONS = [0.0, 0.37, 0.73, 1.0]


def stats(campaign, query=""):
    return api("GET", f"/api/campaigns/{campaign}/stats{query}", VIEWER_TOKEN)


def open_stats(page, query):
    page.goto(f"{BASE}/#campaign-stats?{query}")
    wait_for_load(page)


def hour_label(point):
    return point["hour"][:16].replace("T", " ") + " UTC"


def chart_readings(page):
    """The legend at each hovered point of the four charts: {chart id: [legend, ...]}."""
    charts = ["hourly-calls", "daily-calls", "hourly-talk", "daily-talk"]
    return {chart: [hover_chart(page, chart, fraction) for fraction in FRACTIONS] for chart in charts}


def check_outcome_points(readings, points, label_of):
    by_label = {label_of(point): point for point in points}
    for legend in readings:
        point = by_label[legend["at"]]
        assert count(legend["Attempts"]) == point["total_attempts"], legend
        for label, key in OUTCOMES.items():
            assert count(legend[label]) == point[key], (label, legend, point)


def check_talk_points(readings, points, label_of):
    by_label = {label_of(point): point for point in points}
    for legend in readings:
        assert seconds(legend["Talk time (s)"]) == by_label[legend["at"]]["total_duration_seconds"], legend


def test_the_campaign_stats_page_shows_the_apis_numbers_in_its_cards_and_charts(page):
    open_stats(page, f"campaign={CAMPAIGN}")
    assert section(page).get_attribute("data-state") == "ready"
    assert page.locator("#sign-in-status").get_attribute("data-source") == "development"
    # The answer is cached 60 s and the live demo feed keeps adding calls: the page's answer and the
    # test's are compared when both are the same computation (same generated_at).
    for _attempt in range(4):
        refresh(page)
        shown = shown_cards(page)
        status, answer = stats(CAMPAIGN)
        assert status == 200, answer
        if shown["generated_at"] != answer["meta"]["generated_at"]:
            continue
        readings = chart_readings(page)
        if shown_cards(page)["generated_at"] == shown["generated_at"]:
            break
    else:
        raise AssertionError("the page never showed the answer the test got (4 tries)")

    assert shown["campaign_id"] == CAMPAIGN and shown["campaign_name"] == answer["campaign_name"]
    contacts, calls = answer["contacts"], answer["calls"]
    assert count(shown["contacts_total"]) == contacts["total"]
    assert {key: count(value) for key, value in shown["contacts"].items()} == {
        key: value for key, value in contacts.items() if key != "total"
    }
    assert count(shown["calls_total"]) == calls["total_attempts"]
    assert {key: count(value) for key, value in shown["calls"].items()} == {
        key: value for key, value in calls.items() if key != "total_attempts"
    }
    assert {key: basis_points(value) for key, value in shown["rates"].items()} == {
        key: round(value * 10_000) for key, value in answer["rates"].items()
    }
    assert {key: seconds(value) for key, value in shown["durations"].items()} == answer["duration"]
    meta = answer["meta"]
    assert (shown["watermark"], shown["timezone"], shown["source"]) == (
        meta["watermark"],
        meta["timezone"],
        meta["source"],
    )
    assert shown["cache"] in ("hit", "miss")

    series = answer["time_series"]
    check_outcome_points(readings["hourly-calls"], series["hourly"], hour_label)
    check_outcome_points(readings["daily-calls"], series["daily"], lambda point: point["date"])
    check_talk_points(readings["hourly-talk"], series["hourly"], hour_label)
    check_talk_points(readings["daily-talk"], series["daily"], lambda point: point["date"])
    # The ends of each chart are the series' ends: the current hour and today last.
    assert readings["hourly-calls"][0]["at"] == hour_label(series["hourly"][0])
    assert readings["hourly-calls"][-1]["at"] == hour_label(series["hourly"][-1])
    assert readings["daily-calls"][-1]["at"] == series["daily"][-1]["date"]

    page.mouse.move(0, 0)
    path = screenshot(page, "campaign-stats")
    readme_copy = os.environ.get("README_SCREENSHOT")
    if readme_copy:
        from PIL import Image

        Image.open(path).convert("RGB").quantize(colors=128).save(readme_copy, optimize=True)


def test_a_chosen_range_of_days_shows_the_apis_daily_series_for_those_days(page):
    open_stats(page, f"campaign={CAMPAIGN}")
    status, answer = stats(CAMPAIGN, "?include_time_series=true")
    assert status == 200, answer
    today = datetime.date.fromisoformat(answer["time_series"]["daily"][-1]["date"])
    start, end = today - datetime.timedelta(days=12), today - datetime.timedelta(days=3)
    before = int(section(page).get_attribute("data-loads"))
    page.fill("#field-start", start.isoformat())
    page.fill("#field-end", end.isoformat())
    section(page).get_by_role("button", name="Show").click()
    wait_for_load(page, before)
    assert f"start={start}" in page.url and f"end={end}" in page.url

    status, ranged = stats(CAMPAIGN, f"?start={start}&end={end}")
    assert status == 200, ranged
    daily = ranged["time_series"]["daily"]
    assert (daily[0]["date"], daily[-1]["date"], len(daily)) == (start.isoformat(), end.isoformat(), 10)
    # Past days no longer change, so the chart's points equal this later answer's.
    readings = [hover_chart(page, "daily-calls", fraction) for fraction in FRACTIONS]
    assert [readings[0]["at"], readings[-1]["at"]] == [start.isoformat(), end.isoformat()]
    check_outcome_points(readings, daily, lambda point: point["date"])
    check_talk_points([hover_chart(page, "daily-talk", f) for f in FRACTIONS], daily, lambda point: point["date"])
    assert section(page).locator(".meta .cache").inner_text() == "bypass"


def test_an_unknown_campaign_shows_the_apis_not_found_message_and_no_charts(page, page_problems):
    page_problems.expect("/api/campaigns/cmp_missing/stats", 404)
    open_stats(page, "campaign=cmp_missing")
    status, answer = stats("cmp_missing")
    assert status == 404
    shown = error_shown(page)
    assert shown["title"] == "Not found"
    assert shown["message"] == answer["error"]["message"] == "campaign cmp_missing not found"
    assert shown["code"] == "404 NOT_FOUND"
    assert section(page).get_attribute("data-state") == "error"
    assert section(page).locator(".cards, .chart").count() == 0
    screenshot(page, "campaign-stats-not-found")


def test_a_reversed_range_shows_the_apis_validation_message_naming_the_field(page, page_problems):
    query = "?start=2026-01-10&end=2026-01-01"
    page_problems.expect(f"/api/campaigns/{CAMPAIGN}/stats{query}", 400)
    open_stats(page, f"campaign={CAMPAIGN}&start=2026-01-10&end=2026-01-01")
    status, answer = stats(CAMPAIGN, query)
    assert status == 400
    shown = error_shown(page)
    assert shown["title"] == "The API refused the request"
    assert shown["message"] == answer["error"]["message"]
    details = answer["error"]["details"]
    assert shown["details"] == [f"{details['field']}: {details['reason']}"]
    assert shown["code"] == "400 VALIDATION_FAILED"


def test_a_role_that_may_not_see_the_stats_shows_the_forbidden_message(page, page_problems):
    page_problems.expect(f"/api/campaigns/{CAMPAIGN}/stats", 403)
    open_stats(page, f"campaign={CAMPAIGN}")
    before = int(section(page).get_attribute("data-loads"))
    page.select_option("#dev-role", "agent")
    wait_for_load(page, before)
    assert "agent of ws_demo" in page.locator("#sign-in-status").inner_text()
    shown = error_shown(page)
    assert (shown["title"], shown["code"]) == ("This role may not see this dashboard", "403 FORBIDDEN")
    assert section(page).locator(".cards").count() == 0


def test_a_pasted_token_that_is_refused_shows_the_apis_message_and_asks_for_another(page, page_problems):
    page_problems.expect(f"/api/campaigns/{CAMPAIGN}/stats", 401)
    open_stats(page, f"campaign={CAMPAIGN}")
    before = int(section(page).get_attribute("data-loads"))
    page.locator("#token-details summary").click()
    page.fill("#token-input", "not-a-token")
    page.get_by_role("button", name="Use token").click()
    wait_for_load(page, before)
    shown = error_shown(page)
    assert (shown["title"], shown["message"], shown["code"]) == (
        "The token was refused",
        "malformed token",
        "401 UNAUTHORIZED",
    )
    assert "Paste a valid token" in shown["details"][-1]


def test_the_page_refreshes_by_itself_every_15_seconds(page):
    asked = []
    page.on("request", lambda request: "/stats" in request.url and asked.append(time.monotonic()))
    open_stats(page, f"campaign={CAMPAIGN}")
    first = wait_for_load(page)
    wait_for_load(page, first)
    assert len(asked) >= 2
    assert 14 <= asked[1] - asked[0] <= 25, asked
    assert "next refresh in 15 s" in section(page).locator(".status").inner_text()


def test_a_failed_refresh_keeps_the_last_numbers_dimmed_and_says_why(page, page_problems):
    # The API's store going down is staged in the browser: an answer the API gives in that case.
    page_problems.expect(f"/api/campaigns/{CAMPAIGN}/stats", 503)
    open_stats(page, f"campaign={CAMPAIGN}")
    shown = shown_cards(page)
    envelope = {
        "success": False,
        "error": {"code": "SERVICE_UNAVAILABLE", "message": "the store is unavailable", "status": 503, "details": {}},
    }
    page.route(
        f"**/api/campaigns/{CAMPAIGN}/stats",
        lambda route: route.fulfill(status=503, json=envelope, headers={"Retry-After": "40"}),
    )
    refresh(page)
    error = error_shown(page)
    assert (error["title"], error["message"], error["code"]) == (
        "The API is busy or its store is down",
        "the store is unavailable",
        "503 SERVICE_UNAVAILABLE",
    )
    assert error["details"] == ["retry after 40 s"]
    assert "stale" in section(page).get_attribute("class")
    assert shown_cards(page)["contacts_total"] == shown["contacts_total"]
    assert "retrying in 40 s" in section(page).locator(".status").inner_text()

    page.unroute(f"**/api/campaigns/{CAMPAIGN}/stats")
    refresh(page)
    assert section(page).get_attribute("data-state") == "ready"
    assert "stale" not in section(page).get_attribute("class")
    assert section(page).locator(".errors .error").count() == 0
