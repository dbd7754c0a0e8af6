// Seed 000's ad campaigns: the seven POST /api/v1/dashboard/* routes, asked together for one
// campaign and one portfolio (Dashboard's `requests`): the campaign's metrics over the range, its
// trends with their Mann-Kendall evidence, its alerts with theirs, its insights and report (whose
// days draw the chart of spend and revenue), then the portfolio's overview and report. Every value
// drawn is bound to its place in that answer (`<route>.<path>`, Dashboard.bound), so a test can
// check each one against the route's own answer. No route lists a user's campaigns, so the
// campaign is typed; the demo's six are suggested.
"use strict";

Dashboard.register(
  (() => {
    const { el, bound, card, rows, span, tile, table, metaFooter, valueAt } = Dashboard;

    // [key, label, kind (a key of Dashboard.format)] of a `metrics` object.
    const HEADLINE = [
      ["roas", "ROAS", "ratio"],
      ["cpa", "CPA", "money"],
      ["ctr", "CTR", "percent"],
      ["cpm", "CPM", "money"],
      ["spend", "Spend", "money"],
      ["revenue", "Revenue", "money"],
      ["conversions", "Conversions", "count"],
    ];
    const DELIVERY = [
      ["impressions", "Impressions", "count"],
      ["clicks", "Clicks", "count"],
      ["conversion_rate", "Conversion rate (conversions / clicks)", "percent"],
    ];
    const OVERVIEW = [
      ["total_campaigns", "Ad campaigns", "count"],
      ["campaigns_with_delivery", "With delivery in the range", "count"],
      ["total_spend", "Spend", "money"],
      ["total_revenue", "Revenue", "money"],
      ["total_conversions", "Conversions", "count"],
      ["total_impressions", "Impressions", "count"],
      ["total_clicks", "Clicks", "count"],
      ["average_roas", "ROAS (total revenue / total spend)", "ratio"],
      ["average_cpa", "CPA (total spend / total conversions)", "money"],
      ["average_ctr", "CTR (total clicks / total impressions)", "percent"],
    ];
    const TRENDS = [
      ["roas_trend", "ROAS"],
      ["cpa_trend", "CPA"],
      ["ctr_trend", "CTR"],
      ["spend_trend", "Spend"],
    ];
    const TREND_TEST = [
      ["method", "Method", "text"],
      ["p_value", "p-value (two-sided)", "decimal"],
      ["alpha", "α", "decimal"],
      ["n", "Daily values (n)", "count"],
      ["s", "S", "count"],
      ["z", "z", "ratio"],
      ["slope", "Sen's slope, per day", "decimal"],
    ];
    const ARROWS = { increasing: "▲", decreasing: "▼", stable: "▶", insufficient_data: "…" };
    const PACE = [
      ["daily_spend", "Pace (mean daily spend)", "money"],
      ["budget", "Budget", "money"],
      ["spent_before_today", "Spent before today", "money"],
      ["remaining_budget", "Remaining budget", "money"],
      ["ends_on", "Ends on", "date"],
      ["days_left", "Days left", "count"],
      ["projected_spend", "Projected spend", "money"],
      ["pace_ratio", "Projected / remaining", "ratio"],
      ["runs_out_on", "Runs out on", "date"],
    ];
    const TARGET_CHECK = [
      ["threshold", "Threshold: the target", "decimal"],
      ["threshold_source", "Target from", "text"],
      ["value", "Value: over the window", "decimal"],
      ["spend", "Spend", "money"],
      ["revenue", "Revenue", "money"],
      ["conversions", "Conversions", "count"],
    ];
    const ANOMALY_TEST = [
      ["value", "value", "decimal"],
      ["median", "median", "decimal"],
      ["mad", "MAD", "decimal"],
      ["z", "z", "ratio"],
      ["baseline_days", "baseline days", "count"],
      ["anomalous", "anomalous", "bool"],
    ];
    // Each alert: its label, and the rows of its evidence: [path under the evidence, label, kind].
    const ALERTS = [
      ["high_cpa_alert", "High CPA", TARGET_CHECK],
      ["low_roas_alert", "Low ROAS", TARGET_CHECK],
      [
        "budget_exhaustion_alert",
        "Budget exhaustion",
        [
          ["threshold", "Threshold: the remaining budget", "money"],
          ["value", "Value: the projected spend to the end date", "money"],
          ...PACE.map(([key, label, kind]) => [`pace.${key}`, label, kind]),
        ],
      ],
      [
        "performance_anomaly_alert",
        "Performance anomaly",
        [
          ["threshold", "Threshold: |z| beyond", "ratio"],
          ["value", "Value: the larger |z|", "ratio"],
          ["day", "Day", "date"],
          ...["roas", "ctr"].flatMap((metric) =>
            ANOMALY_TEST.map(([key, label, kind]) => [`${metric}.${key}`, `${metric.toUpperCase()} ${label}`, kind]),
          ),
        ],
      ],
    ];
    const CANDIDATES = [
      ["name", "Name", "text"],
      ["qualifies", "Qualifies", "bool"],
      ...[...HEADLINE, ...DELIVERY.slice(0, 2)].map(([key, label, kind]) => [`metrics.${key}`, label, kind]),
    ];
    const PORTFOLIO_CAMPAIGNS = [
      ["campaign_id", "Campaign", "text"],
      ["campaign_name", "Name", "text"],
      ["status", "Status", "text"],
      ["target_roas", "Target ROAS", "ratio"],
      ["target_source", "Target from", "text"],
      ...[...HEADLINE, ...DELIVERY.slice(0, 2)].map(([key, label, kind]) => [`metrics.${key}`, label, kind]),
    ];

    /** A list of strings at `path`, one item each ("None." when empty). */
    function lines(answer, path, className) {
      const items = valueAt(answer, path) || [];
      if (!items.length) return [el("li", { class: "empty", text: "None." })];
      return items.map((_, index) => el("li", { class: className }, bound(answer, `${path}.${index}`, "text")));
    }

    function trendCards(answer) {
      const base = "performance_trends.trends";
      return TRENDS.map(([key, label]) => {
        const trend = valueAt(answer, `${base}.${key}`);
        const direction = { increasing: "up", decreasing: "down" }[trend] || "flat";
        return card(key.replace(/_/g, "-"), label, null, [
          [
            "trend",
            "Trend",
            el(
              "span",
              { class: `trend trend-${direction}` },
              `${ARROWS[trend] || ""} `,
              bound(answer, `${base}.${key}`, "text"),
            ),
          ],
          ...rows(answer, `${base}.evidence.${key}`, TREND_TEST),
        ]);
      });
    }

    function alertItems(answer) {
      const base = "alerts.alerts";
      return ALERTS.map(([key, label, evidence]) => {
        const raised = valueAt(answer, `${base}.${key}`);
        const path = `${base}.evidence.${key}`;
        const window = valueAt(answer, `${path}.window`) ? [" over ", ...span(answer, `${path}.window`)] : [];
        return el(
          "li",
          { class: `alert alert-${raised ? "error" : "info"}`, id: key.replace(/_/g, "-"), dataset: { raised } },
          el(
            "p",
            { class: "alert-head" },
            el("strong", { text: label }),
            el("span", { class: "alert-level" }, "raised: ", bound(answer, `${base}.${key}`, "bool")),
          ),
          el("p", { class: "alert-rule" }, bound(answer, `${path}.method`, "text"), ...window),
          el(
            "dl",
            { class: "evidence" },
            evidence.map(([field, name, kind]) =>
              el(
                "div",
                { class: "row", dataset: { key: field } },
                el("dt", { text: name }),
                el("dd", {}, bound(answer, `${path}.${field}`, kind)),
              ),
            ),
          ),
        );
      });
    }

    function insightsCard(answer) {
      const base = "insights.insights";
      const budget = `${base}.evidence.recommended_budget_adjustment`;
      return card("insights-summary", "Insights", null, [
        [
          "top_performing_creative",
          "Top creative (highest ROAS)",
          bound(answer, `${base}.top_performing_creative`, "text"),
        ],
        [
          "min_clicks",
          "Clicks a creative or audience needs to qualify",
          bound(answer, `${base}.evidence.top_performing_creative.min_clicks`, "count"),
        ],
        ["best_audience_segment", "Best audience", bound(answer, `${base}.best_audience_segment`, "text")],
        [
          "recommended_budget_adjustment",
          "Budget adjustment",
          bound(answer, `${base}.recommended_budget_adjustment`, "text"),
        ],
        ["budget_rule", "Decided by", bound(answer, `${budget}.rule`, "text")],
        ["budget_reason", "Because", bound(answer, `${budget}.reason`, "text")],
        ["window", "Over", el("span", {}, ...span(answer, `${base}.evidence.window`))],
      ]);
    }

    const dayLabel = (x) => new Date(x * 1000).toISOString().slice(0, 10);

    /** The report's days as a chart of spend and revenue (none without days). */
    function drawChart(content, answer) {
      const days = valueAt(answer, "campaign_report.report.daily") || [];
      const figure = content.querySelector("#daily-money");
      figure.hidden = days.length === 0;
      if (!days.length) return;
      Charts.line(figure.querySelector(".chart"), {
        // A local date drawn at that date's UTC midnight, so that UTC labels print the date itself.
        xs: days.map((day) => Date.parse(`${day.date}T00:00:00Z`) / 1000),
        xLabel: dayLabel,
        series: [
          { label: "Spend", values: days.map((day) => day.spend) },
          { label: "Revenue", values: days.map((day) => day.revenue) },
        ],
        unit: "currency units",
      });
    }

    function skeleton() {
      const area = (name, title, tag = "div") => [el("h3", { class: "area", text: title }), el(tag, { class: name })];
      return [
        el("p", { class: "campaign" }),
        el("div", { class: "tiles" }),
        el("div", { class: "cards delivery" }),
        el(
          "div",
          { class: "charts" },
          el(
            "figure",
            { id: "daily-money" },
            el("figcaption", { text: "Spend and revenue per day (the workspace's local days)" }),
            el("div", { class: "chart" }),
          ),
        ),
        // Not "trends": that class is the call-centre's grid of cards.
        ...area("trend-tests", "Trends (Mann-Kendall)"),
        ...area("alerts", "Alerts", "ul"),
        ...area("insights", "Insights and report"),
        ...area("portfolio", "Portfolio"),
        el("footer", { class: "meta" }),
      ];
    }

    function render(content, answer) {
      if (!content.firstChild) content.append(...skeleton());
      const part = (name) => content.querySelector(`.${name}`);
      const metrics = "campaign_metrics.metrics";

      part("campaign").replaceChildren(
        el("span", { class: "campaign-name" }, bound(answer, "campaign_metrics.campaign_name", "text")),
        " ",
        el("code", { class: "campaign-id" }, bound(answer, "campaign_metrics.campaign_id", "text")),
        " · ",
        ...span(answer, "campaign_metrics.date_range"),
      );
      part("tiles").replaceChildren(
        ...HEADLINE.map(([key, label, kind]) => tile(answer, `${metrics}.${key}`, label, kind, key)),
      );
      part("delivery").replaceChildren(card("delivery", "Delivery", null, rows(answer, metrics, DELIVERY)));
      drawChart(content, answer);
      part("trend-tests").replaceChildren(
        el(
          "p",
          { class: "hint" },
          "Complete local days ",
          ...span(answer, "performance_trends.trends.evidence.window"),
        ),
        el("div", { class: "cards" }, trendCards(answer)),
      );
      part("alerts").replaceChildren(...alertItems(answer));

      const report = "campaign_report.report";
      const creatives = "insights.insights.evidence.top_performing_creative.candidates";
      const audiences = "insights.insights.evidence.best_audience_segment.candidates";
      part("insights").replaceChildren(
        el("div", { class: "cards" }, insightsCard(answer)),
        el("h4", { text: "Optimisation opportunities" }),
        el("ul", { class: "opportunities" }, lines(answer, "insights.insights.optimization_opportunities")),
        el("h4", { text: "Campaign report" }),
        el("p", { class: "summary" }, bound(answer, `${report}.summary`, "text")),
        el("ul", { class: "recommendations" }, lines(answer, `${report}.recommendations`)),
        el(
          "div",
          { class: "lists" },
          table(answer, "creatives", "Creatives (the insights' candidates)", creatives, CANDIDATES),
          table(answer, "audiences", "Audiences (the insights' candidates)", audiences, CANDIDATES),
        ),
      );

      const portfolio = "portfolio_report.report";
      part("portfolio").replaceChildren(
        el(
          "p",
          { class: "who" },
          "Ad campaigns of ",
          el("code", {}, bound(answer, "overview.user_id", "text")),
          ", ",
          ...span(answer, "overview.date_range"),
        ),
        el("div", { class: "cards" }, card("overview", "Overview", null, rows(answer, "overview.overview", OVERVIEW))),
        el("p", { class: "summary" }, bound(answer, `${portfolio}.summary`, "text")),
        el("ul", { class: "recommendations" }, lines(answer, `${portfolio}.recommendations`)),
        el(
          "div",
          { class: "lists" },
          table(answer, "portfolio-campaigns", "Campaigns", `${portfolio}.campaigns`, PORTFOLIO_CAMPAIGNS),
        ),
      );
      part("meta").replaceChildren(...metaFooter(answer, [], "campaign_metrics"));
    }

    /** A day `back` days before today (UTC) as YYYY-MM-DD: the default range's ends. */
    const dayBefore = (back) => new Date(Date.now() - back * 86_400_000).toISOString().slice(0, 10);

    return {
      id: "ad-campaigns",
      title: "Ad campaigns",
      hint:
        "Seed 000's seven routes for one campaign and one portfolio. No route lists campaigns: type a campaign " +
        "id (the demo's are suggested: u_user owns all but cmp_ads_partner, which is u_manager's). Without " +
        "dates, the last 30 days to today (UTC dates); the trends test the given number of complete local days " +
        "before today; each alert shows the days it judged. The portfolio is the signed-in user's unless a user " +
        "is named (admins and managers may name anyone). Metrics and the overview are cached 60 s, the rest " +
        "computed afresh.",
      workspace: "ws_demo",
      // u_user owns the demo's ad campaigns: the user's page first.
      roles: ["user", "manager", "admin", "viewer"],
      fields: [
        {
          name: "campaign",
          label: "Campaign",
          value: "cmp_ads_spring_sale",
          required: true,
          suggestions: [
            "cmp_ads_spring_sale",
            "cmp_ads_brand_awareness",
            "cmp_ads_retargeting",
            "cmp_ads_summer_launch",
            "cmp_ads_newsletter",
            "cmp_ads_partner",
          ],
        },
        { name: "start", label: "From", type: "date" },
        { name: "end", label: "To", type: "date" },
        { name: "days", label: "Trend days", type: "number", value: "30" },
        { name: "user", label: "Portfolio of (empty: you)", suggestions: ["u_user", "u_manager"] },
      ],
      requests({ campaign, start, end, days, user }, claims) {
        const date_range = { start: start || dayBefore(29), end: end || dayBefore(0) };
        const about = { campaign_id: campaign };
        const whose = { user_id: user || claims.sub, date_range };
        const post = (route, body) => ({ path: `/api/v1/dashboard/${route}`, method: "POST", body });
        return {
          campaign_metrics: post("campaign_metrics", { ...about, date_range }),
          // A number input gives "" when empty: the route's default then.
          performance_trends: post("performance_trends", days === "" ? about : { ...about, days: Number(days) }),
          alerts: post("alerts", about),
          insights: post("insights", { ...about, date_range }),
          campaign_report: post("campaign_report", { ...about, report_type: "comprehensive", date_range }),
          overview: post("overview", whose),
          portfolio_report: post("portfolio_report", whose),
        };
      },
      render,
    };
  })(),
);
