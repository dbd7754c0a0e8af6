// Seed 002's AI workspace analytics: the executive summary and trends, the users' activity and
// engagement, the agents' performance, a leaderboard, the workspace overview and, for a token
// whose `workspaces` claim names other workspaces, the comparison with them: eight GET routes
// asked together (Dashboard's `requests`, `partial`). Each panel shows its own route's answer or
// that route's refusal, so that a role refused some routes (a viewer: the executive and users
// ones) still sees the others. Every value drawn is bound to its place in the answers
// (`<panel>.<path in its answer>`, Dashboard.bound), so a test can check each one against the
// route's own answer.
"use strict";

Dashboard.register(
  (() => {
    const { el, bound, card, rows, span, tile, table, metaFooter, valueAt, refusal, errorBox } = Dashboard;
    const PREFIX = "/api/v1/dashboard/";
    const TREND_METRICS = ["revenue", "users", "usage", "executions", "errors"];

    // [path under the answer's data, label, kind (a key of Dashboard.format)].
    const KPIS = [
      ["revenue_metrics.total_revenue", "Revenue", "money"],
      ["revenue_metrics.mrr", "MRR (at the range's end)", "money"],
      ["revenue_metrics.arr", "ARR", "money"],
      ["revenue_metrics.growth_rate", "Growth on the range before", "percentage"],
      ["user_metrics.total_users", "Users", "count"],
      ["user_metrics.active_users", "Active users (MAU of the end's month)", "count"],
      ["user_metrics.new_users", "New users", "count"],
      ["user_metrics.churn_rate", "Churn", "percentage"],
      ["usage_metrics.total_credits", "Credits of the plan", "number"],
      ["usage_metrics.credits_consumed", "Credits consumed", "number"],
      ["usage_metrics.avg_credits_per_user", "Credits per active user", "number"],
      ["performance_metrics.uptime", "Uptime (minutes without a 5xx)", "percentage"],
      ["performance_metrics.avg_response_time", "Response time (ms)", "number"],
      ["performance_metrics.error_rate", "Error rate (5xx per request)", "percentage"],
    ];
    const BEHIND_KPIS = [
      ["revenue_metrics.previous_revenue", "Revenue of the range before", "money"],
      ["user_metrics.subscriptions_cancelled", "Subscriptions cancelled", "count"],
      ["user_metrics.subscriptions_active_at_start", "Subscriptions active at the start", "count"],
      ["performance_metrics.total_requests", "API requests", "count"],
      ["performance_metrics.minutes_with_traffic", "Minutes with traffic", "count"],
      ["performance_metrics.minutes_with_server_errors", "Minutes with a 5xx", "count"],
      ["period.days", "Days", "count"],
    ];
    // Charts of the trends: [id, caption, unit, [metric, label]...].
    const TREND_CHARTS = [
      ["trend-revenue", "Revenue per day (paid payments)", "currency units", [["revenue", "Revenue"]]],
      ["trend-users", "Active users per day (distinct)", "users", [["users", "Active users"]]],
      [
        "trend-executions",
        "Agent executions and failures per day",
        "executions",
        [
          ["executions", "Executions"],
          ["errors", "Failed"],
        ],
      ],
      ["trend-usage", "API requests per day", "requests", [["usage", "API requests"]]],
    ];
    const ACTIVITY_SUMMARY = [
      ["dau", "DAU (the end's day)", "count"],
      ["wau", "WAU (its ISO week)", "count"],
      ["mau", "MAU (its month)", "count"],
      ["avg_session_duration", "Average session (min)", "number"],
    ];
    const USERS = [
      ["user_id", "User", "text"],
      ["email", "Email", "text"],
      ["total_sessions", "Sessions", "count"],
      ["total_executions", "Executions", "count"],
      ["credits_consumed", "Credits", "number"],
      ["last_active", "Last active", "time"],
      ["favorite_agents", "Favourite agents", "list"],
    ];
    const ENGAGEMENT = [
      ["activation_rate", "Activation (an agent run in 7 days)", "percentage"],
      ["retention_day_1", "Day-1 retention", "percentage"],
      ["retention_day_7", "Day-7 retention", "percentage"],
      ["retention_day_30", "Day-30 retention", "percentage"],
    ];
    const AGENT_AGGREGATES = [
      ["total_agents", "Agents", "count"],
      ["total_executions", "Executions", "count"],
      ["avg_success_rate", "Success rate (pooled)", "percentage"],
    ];
    const AGENTS = [
      ["agent_id", "Agent", "text"],
      ["agent_name", "Name", "text"],
      ["total_executions", "Executions", "count"],
      ["successful_executions", "Succeeded", "count"],
      ["failed_executions", "Failed", "count"],
      ["success_rate", "Success rate", "percentage"],
      ["error_rate", "Error rate", "percentage"],
      ["avg_execution_time", "Average run", "seconds"],
      ["credits_consumed", "Credits", "number"],
      ["user_satisfaction", "Satisfaction (1-5)", "number"],
      ["rated_executions", "Rated", "count"],
    ];
    const RATE = ["details.success_rate", "Success rate", "percentage"];
    const EXECUTIONS = ["details.executions", "Executions", "count"];
    // A leaderboard's details, by its type.
    const DETAILS = {
      agents: [
        EXECUTIONS,
        RATE,
        ["details.avg_execution_time", "Average run", "seconds"],
        ["details.user_satisfaction", "Satisfaction (1-5)", "number"],
      ],
      users: [
        EXECUTIONS,
        RATE,
        ["details.credits_consumed", "Credits", "number"],
        ["details.sessions", "Sessions", "count"],
      ],
      workspaces: [
        EXECUTIONS,
        RATE,
        ["details.active_users", "Active users (MAU)", "count"],
        ["details.credits_consumed", "Credits", "number"],
      ],
      features: [EXECUTIONS, RATE],
    };
    const USER_RANK = [
      ["rank", "Rank", "count"],
      ["score", "Score", "count"],
      ["percentile", "Percentile (ranked below)", "percentage"],
    ];
    const WORKSPACE = [
      ["name", "Name", "text"],
      ["id", "Id", "text"],
      ["plan", "Plan", "text"],
      ["seats", "Seats", "count"],
      ["seats_used", "Seats used (active users)", "count"],
      ["timezone", "Time zone", "text"],
      ["created_at", "First event", "time"],
    ];
    const CREDITS = [
      ["total_credits", "Credits of the plan", "number"],
      ["credits_consumed", "Consumed this period", "number"],
      ["credits_remaining", "Remaining", "number"],
      ["period_start", "Period from", "date"],
      ["reset_date", "Resets on", "date"],
    ];
    const TODAY = [
      ["date", "Day", "date"],
      ["active_users_today", "Active users", "count"],
      ["total_executions_today", "Agent executions", "count"],
    ];
    const COMPARED = [
      ["workspace_id", "Workspace", "text"],
      ["workspace_name", "Name", "text"],
      ["timezone", "Time zone", "text"],
      ["start", "From", "date"],
      ["end", "To", "date"],
      ["metrics.total_users", "Users", "count"],
      ["metrics.active_users", "Active (MAU)", "count"],
      ["metrics.new_users", "New", "count"],
      ["metrics.credits_consumed", "Credits", "number"],
      ["metrics.total_executions", "Executions", "count"],
      ["metrics.avg_success_rate", "Success rate", "percentage"],
      ["metrics.total_revenue", "Revenue", "money"],
    ];

    const tiles = (answers, base, fields) =>
      el(
        "div",
        { class: "tiles" },
        fields.map(([key, label, kind]) => tile(answers, `${base}.${key}`, label, kind, key)),
      );

    /** The range an answer covers, as "start to end" (`keys`: its fields' names there). */
    const range = (answers, base, ...keys) =>
      el("p", { class: "hint range" }, "Local days ", ...span(answers, base, ...keys));

    /** The cohort table: a row per cohort, a column per day or week since signing up (a cell per value it has). */
    function cohortTable(answers, base) {
      const cohorts = valueAt(answers, `${base}.cohorts`) || [];
      const unit = valueAt(answers, `${base}.cohort`) === "daily" ? "Day" : "Week";
      const widest = Math.max(0, ...cohorts.map((cohort) => cohort.retention.length));
      const ages = [...Array(widest).keys()];
      const head = el(
        "tr",
        {},
        el("th", { text: "Cohort" }),
        el("th", { text: "Users" }),
        ages.map((age) => el("th", { text: `${unit} ${age}` })),
      );
      const body = cohorts.map((cohort, index) => {
        const path = `${base}.cohorts.${index}`;
        return el(
          "tr",
          {},
          el("td", { dataset: { key: "cohort_date" } }, bound(answers, `${path}.cohort_date`, "date")),
          el("td", { dataset: { key: "users" } }, bound(answers, `${path}.users`, "count")),
          ages.map((age) =>
            el(
              "td",
              {},
              age < cohort.retention.length ? bound(answers, `${path}.retention.${age}`, "percentage") : null,
            ),
          ),
        );
      });
      return el(
        "section",
        { class: "list", id: "cohorts", dataset: { list: `${base}.cohorts` } },
        el("h4", { text: `Retention by ${unit.toLowerCase()} since signing up, % of each signup cohort` }),
        cohorts.length
          ? el("div", { class: "table" }, el("table", {}, el("thead", {}, head), el("tbody", {}, body)))
          : el("p", { class: "empty", text: "None." }),
      );
    }

    /** Card rows with the row of `key` barred by `part` of `whole` (no bar without a whole). */
    const withShare = (items, key, part, whole) =>
      items.map((row) => (row[0] === key ? [...row, whole > 0 ? Math.min(1, part / whole) : 0] : row));

    const dayLabel = (x) => new Date(x * 1000).toISOString().slice(0, 10);

    function drawTrends(body, answers) {
      const trends = valueAt(answers, "trends.data.trends");
      const series = Object.fromEntries(trends.map((trend) => [trend.metric, trend.data]));
      for (const [id, , unit, lines] of TREND_CHARTS) {
        const points = series[lines[0][0]];
        Charts.line(body.querySelector(`#${id} .chart`), {
          // A local date drawn at that date's UTC midnight, so that UTC labels print the date itself.
          xs: points.map((point) => Date.parse(`${point.date}T00:00:00Z`) / 1000),
          xLabel: dayLabel,
          series: lines.map(([metric, label]) => ({ label, values: series[metric].map((point) => point.value) })),
          unit,
        });
      }
    }

    function drawAgents(body, answers) {
      const agents = valueAt(answers, "agents.data.agents");
      const figure = body.querySelector("#agent-executions");
      figure.hidden = agents.length === 0;
      if (!agents.length) return;
      Charts.bars(figure.querySelector(".chart"), {
        labels: agents.map((agent) => agent.agent_name || agent.agent_id),
        values: agents.map((agent) => agent.total_executions),
        label: "executions",
        unit: "executions",
      });
    }

    // The panels, in the page's order: each names its answer among the requests, the route it
    // shows, its charts ([id, caption]), and `parts(answers, base)`, its nodes (base: the answer's data).
    const PANELS = [
      {
        name: "summary",
        title: "Executive summary",
        route: "executive/summary",
        parts: (answers, base) => [
          el(
            "p",
            { class: "hint range" },
            "Local days ",
            ...span(answers, `${base}.period`),
            "; the range before: ",
            ...span(answers, `${base}.period`, "previous_start", "previous_end"),
          ),
          tiles(answers, base, KPIS),
          el(
            "div",
            { class: "cards" },
            card("behind-kpis", "Behind the numbers", null, rows(answers, base, BEHIND_KPIS)),
          ),
        ],
      },
      {
        name: "trends",
        title: "Executive trends",
        route: "executive/trends",
        figures: TREND_CHARTS.map(([id, caption]) => [id, caption]),
        parts: (answers, base) => [range(answers, base)],
        draw: drawTrends,
      },
      {
        name: "overview",
        title: "The workspace today",
        route: "workspace/overview",
        parts: (answers, base) => {
          const { workspace, usage } = valueAt(answers, base);
          const seats = withShare(
            rows(answers, `${base}.workspace`, WORKSPACE),
            "seats_used",
            workspace.seats_used,
            workspace.seats,
          );
          const credits = withShare(
            rows(answers, `${base}.usage`, CREDITS),
            "credits_consumed",
            usage.credits_consumed,
            usage.total_credits,
          );
          return [
            el(
              "div",
              { class: "cards" },
              card("workspace", "Workspace", null, seats),
              card("credits", "Credits", null, credits),
              card("today", "Today", null, rows(answers, `${base}.activity`, TODAY)),
            ),
            table(answers, "top-agents", "Top agents today", `${base}.activity.top_agent_executions`, [
              ["agent_id", "Agent", "text"],
              ["name", "Name", "text"],
              ["executions", "Executions today", "count"],
            ]),
          ];
        },
      },
      {
        name: "activity",
        title: "Users' activity",
        route: "users/activity",
        parts: (answers, base) => [
          tiles(answers, `${base}.activity_summary`, ACTIVITY_SUMMARY),
          el(
            "p",
            { class: "hint pages" },
            "Most executions first: page ",
            bound(answers, `${base}.page`, "count"),
            " of ",
            bound(answers, `${base}.pages`, "count"),
            " (",
            bound(answers, `${base}.per_page`, "count"),
            " a page) of ",
            bound(answers, `${base}.total`, "count"),
            " users",
          ),
          table(answers, "users", null, `${base}.users`, USERS),
        ],
      },
      {
        name: "engagement",
        title: "Engagement",
        route: "users/engagement",
        parts: (answers, base) => [
          tiles(answers, `${base}.engagement_metrics`, ENGAGEMENT),
          cohortTable(answers, `${base}.cohort_analysis`),
        ],
      },
      {
        name: "agents",
        title: "Agents' performance",
        route: "agents/performance",
        figures: [["agent-executions", "Executions per agent"]],
        parts: (answers, base) => [
          range(answers, base),
          tiles(answers, `${base}.aggregates`, AGENT_AGGREGATES),
          table(answers, "agents-table", null, `${base}.agents`, AGENTS),
        ],
        draw: drawAgents,
      },
      {
        name: "leaderboard",
        title: "Leaderboard",
        route: "leaderboards",
        parts: (answers, base) => {
          const type = valueAt(answers, `${base}.leaderboard_type`);
          const mine = valueAt(answers, `${base}.user_rank`)
            ? rows(answers, `${base}.user_rank`, USER_RANK)
            : [["none", "Not ranked (or no rank of yours for this type)", ""]];
          return [
            el(
              "p",
              { class: "hint range" },
              "Of ",
              bound(answers, `${base}.leaderboard_type`, "text"),
              ", local days ",
              ...span(answers, base),
              "; change: the rank over ",
              ...span(answers, base, "previous_start", "previous_end"),
              " less the rank now; ",
              bound(answers, `${base}.ranked_entries`, "count"),
              " ranked",
            ),
            el("div", { class: "cards" }, card("user-rank", "Your rank", null, mine)),
            table(answers, "leaderboard-table", null, `${base}.leaderboard`, [
              ["rank", "Rank", "count"],
              ["entity_id", "Id", "text"],
              ["entity_name", "Name", "text"],
              ["score", "Score", "count"],
              ["change", "Change", "count"],
              ...(DETAILS[type] || []),
            ]),
          ];
        },
      },
      {
        name: "comparison",
        title: "Workspaces compared",
        route: "workspace/comparison",
        absent:
          "Comparing takes a token whose workspaces claim lists other workspaces (the admin's of ws_agents does).",
        parts: (answers, base) => {
          const rankings = Object.keys(valueAt(answers, `${base}.rankings`));
          return [
            table(answers, "compared", null, `${base}.comparisons`, COMPARED),
            el(
              "div",
              { class: "cards" },
              card(
                "rankings",
                "Rankings, highest first",
                null,
                rankings.map((key) => [key, key, bound(answers, `${base}.rankings.${key}`, "list")]),
              ),
            ),
          ];
        },
      },
    ];

    function skeleton() {
      return PANELS.map((panel) =>
        el(
          "section",
          { class: "panel", id: `wa-${panel.name}`, dataset: { panel: panel.name } },
          el("h3", { class: "area" }, `${panel.title} `, el("code", { text: `GET ${PREFIX}${panel.route}` })),
          el("div", { class: "panel-error" }),
          el("div", { class: "panel-body" }),
        ),
      );
    }

    function figure([id, caption]) {
      return el("figure", { id }, el("figcaption", { text: caption }), el("div", { class: "chart" }));
    }

    /** A panel with its route's answer, its refusal, or why it was not asked. */
    function show(content, answers, panel) {
      const root = content.querySelector(`#wa-${panel.name}`);
      const [problem, body] = [root.querySelector(".panel-error"), root.querySelector(".panel-body")];
      const answer = answers[panel.name];
      if (answer === undefined || refusal(answer)) {
        Charts.destroyIn(body);
        body.replaceChildren();
        problem.replaceChildren(answer ? errorBox(answer) : el("p", { class: "empty", text: panel.absent }));
        root.dataset.state = answer ? "error" : "absent";
        return;
      }
      if (!body.firstChild) {
        const figures = panel.figures || [];
        body.append(el("div", { class: "parts" }));
        if (figures.length) body.append(el("div", { class: "charts" }, figures.map(figure)));
        body.append(el("footer", { class: "meta" }));
      }
      problem.replaceChildren();
      body.querySelector(".parts").replaceChildren(...panel.parts(answers, `${panel.name}.data`));
      if (panel.draw) panel.draw(body, answers);
      body.querySelector(".meta").replaceChildren(...metaFooter(answers, [], panel.name));
      root.dataset.state = "ready";
    }

    function render(content, answers) {
      if (!content.firstChild) content.append(...skeleton());
      for (const panel of PANELS) show(content, answers, panel);
    }

    return {
      id: "workspace-analytics",
      title: "AI workspace analytics",
      hint:
        "Seed 002's routes for the signed-in workspace, asked together: each panel shows its route's answer or " +
        "its refusal (the executive and users routes are for admins and managers, the comparison for admins). " +
        "Without dates, each route's default: the 30 local days ending today. The comparison asks for the " +
        "workspaces of the token's workspaces claim, each over the same dates in its own zone. Every route is " +
        "cached 60 s.",
      workspace: "ws_agents",
      roles: ["admin", "manager", "viewer", "user"],
      partial: true,
      fields: [
        { name: "start", label: "From", type: "date" },
        { name: "end", label: "To", type: "date" },
        {
          name: "leaderboard",
          label: "Leaderboard of",
          type: "select",
          value: "agents",
          options: ["agents", "users", "features", "workspaces"],
        },
        { name: "cohort", label: "Cohorts", type: "select", value: "weekly", options: ["weekly", "daily"] },
      ],
      requests({ start, end, leaderboard, cohort }, claims) {
        const get = (route, query = {}) => {
          const given = new URLSearchParams(Object.entries({ ...query, start, end }).filter(([, value]) => value));
          return { path: `${PREFIX}${route}${given.toString() ? `?${given}` : ""}` };
        };
        const others = (claims.workspaces || []).filter((ws) => ws !== claims.ws);
        const compared = others.length ? [claims.ws, ...others].join(",") : null;
        return {
          summary: get("executive/summary"),
          trends: get("executive/trends", { metrics: TREND_METRICS.join(","), granularity: "daily" }),
          // Today's, whatever the range.
          overview: { path: `${PREFIX}workspace/overview` },
          activity: get("users/activity"),
          engagement: get("users/engagement", { cohort }),
          agents: get("agents/performance"),
          leaderboard: get("leaderboards", { leaderboard_type: leaderboard }),
          ...(compared ? { comparison: get("workspace/comparison", { workspace_ids: compared }) } : {}),
        };
      },
      render,
    };
  })(),
);
