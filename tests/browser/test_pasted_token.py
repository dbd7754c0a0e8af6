"""The dashboard page on a local runtime with another secret than its development one: there is
no POST /dev/token, so the page asks for a token, and shows the API's numbers once one is pasted."""

import os

from conftest import (
    BASE,
    VIEWER_TOKEN,
    api,
    count,
    error_shown,
    refresh,
    screenshot,
    section,
    shown_cards,
    wait_for_load,
)


def test_there_is_no_development_token_route():
    status, answer = api("POST", "/dev/token", body={"role": "viewer"})
    assert (status, answer["error"]["code"]) == (404, "NOT_FOUND")


def test_without_a_development_token_the_page_asks_for_one_and_shows_the_stats_with_a_pasted_one(page, page_problems):
    page_problems.expect("/dev/token", 404)
    page.goto(f"{BASE}/#campaign-stats?campaign=cmp_nps_followup")
    wait_for_load(page)
    assert page.locator("#sign-in-status").get_attribute("data-source") == "none"
    assert page.locator("#token-details").get_attribute("open") is not None
    assert error_shown(page)["title"] == "Not signed in"
    assert section(page).locator(".cards").count() == 0

    before = int(section(page).get_attribute("data-loads"))
    page.fill("#token-input", VIEWER_TOKEN)
    page.get_by_role("button", name="Use token").click()
    wait_for_load(page, before)
    assert section(page).get_attribute("data-state") == "ready"
    assert "viewer of ws_demo (pasted token" in page.locator("#sign-in-status").inner_text()
    for _attempt in range(4):
        shown = shown_cards(page)
        status, answer = api("GET", "/api/campaigns/cmp_nps_followup/stats", VIEWER_TOKEN)
        assert status == 200, answer
        if shown["generated_at"] == answer["meta"]["generated_at"]:
            break
        refresh(page)
    else:
        raise AssertionError("the page never showed the answer the test got (4 tries)")
    assert count(shown["contacts_total"]) == answer["contacts"]["total"]
    assert count(shown["calls_total"]) == answer["calls"]["total_attempts"]
    assert {key: count(value) for key, value in shown["calls"].items()} == {
        key: value for key, value in answer["calls"].items() if key != "total_attempts"
    }
    screenshot(page, "campaign-stats-pasted-token")


def test_a_pasted_call_centre_token_shows_the_page_of_its_own_role(page, page_problems):
    page_problems.expect("/dev/token", 404)
    page.goto(f"{BASE}/#call-centre")
    before = wait_for_load(page, family="call-centre")
    assert page.locator("#dev-role-field").is_hidden()
    page.fill("#token-input", os.environ["CALL_CENTRE_AGENT_TOKEN"])
    page.get_by_role("button", name="Use token").click()
    wait_for_load(page, before, family="call-centre")
    assert "agent of ws_callcentre (pasted token" in page.locator("#sign-in-status").inner_text()
    status, answer = api("GET", "/api/dashboard/comprehensive/", os.environ["CALL_CENTRE_AGENT_TOKEN"])
    assert status == 200, answer
    shown = section(page, "call-centre")
    assert shown.locator('[data-path="dashboard_type"]').inner_text() == answer["dashboard_type"]
    assert shown.locator('[data-path="agent_profile.name"]').inner_text() == answer["agent_profile"]["name"]
    screenshot(page, "call-centre-pasted-token")


def test_a_pasted_user_token_shows_that_users_ad_campaign_and_portfolio(page, page_problems):
    page_problems.expect("/dev/token", 404)
    token = os.environ["ADS_USER_TOKEN"]
    page.goto(f"{BASE}/#ad-campaigns?campaign=cmp_ads_newsletter")
    before = wait_for_load(page, family="ad-campaigns")
    assert page.locator("#dev-role-field").is_hidden()
    page.fill("#token-input", token)
    page.get_by_role("button", name="Use token").click()
    wait_for_load(page, before, family="ad-campaigns")
    assert "user of ws_demo (pasted token" in page.locator("#sign-in-status").inner_text()
    shown = section(page, "ad-campaigns")
    status, answer = api("POST", "/api/v1/dashboard/alerts", token, {"campaign_id": "cmp_ads_newsletter"})
    assert status == 200, answer
    for alert, raised in answer["alerts"].items():
        if isinstance(raised, bool):
            assert shown.locator(f'[data-path="alerts.alerts.{alert}"]').text_content() == ("yes" if raised else "no")
    # The portfolio of the pasted token's own user (its `sub`).
    assert shown.locator('[data-path="overview.user_id"]').inner_text() == "u_user"
    screenshot(page, "ads-pasted-token")


def test_a_pasted_admin_token_of_ws_agents_shows_its_workspace_compared_with_those_of_its_claim(page, page_problems):
    page_problems.expect("/dev/token", 404)
    token = os.environ["AGENTS_ADMIN_TOKEN"]
    page.goto(f"{BASE}/#workspace-analytics")
    before = wait_for_load(page, family="workspace-analytics")
    page.fill("#token-input", token)
    page.get_by_role("button", name="Use token").click()
    wait_for_load(page, before, family="workspace-analytics")
    assert "admin of ws_agents (pasted token" in page.locator("#sign-in-status").inner_text()
    shown = section(page, "workspace-analytics")
    status, overview = api("GET", "/api/v1/dashboard/workspace/overview", token)
    assert status == 200, overview
    name = shown.locator('[data-path="overview.data.workspace.name"]').inner_text()
    assert name == overview["data"]["workspace"]["name"]
    status, compared = api("GET", "/api/v1/dashboard/workspace/comparison?workspace_ids=ws_agents,ws_agents_labs", token)
    assert status == 200, compared
    ids = shown.locator('[data-path^="comparison.data.comparisons."][data-path$=".workspace_id"]').all_inner_texts()
    assert ids == [one["workspace_id"] for one in compared["data"]["comparisons"]] == ["ws_agents", "ws_agents_labs"]
    screenshot(page, "workspace-analytics-pasted-token")
