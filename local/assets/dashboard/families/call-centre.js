// Seed 001's call-centre dashboard: GET /api/dashboard/comprehensive/, the whole page of the
// caller's role in one answer (admins and managers: the workspace; a user: their own account; an
// agent: their queue). Each page type is declared below as the seed lays it out: summary cards,
// quick actions, the metrics grid with its charts, alerts, recent activities and lists, trends;
// every value drawn is bound to its place in the answer (Dashboard.bound). The role picker signs
// in to the demo's call centre; a pasted token shows the page of its own role.
"use strict";

Dashboard.register(
  (() => {
    const { el, bound, card, tile, table, metaFooter, valueAt } = Dashboard;

    const CALLS = [
      ["id", "Call", "text"],
      ["phone_number", "Number", "text"],
      ["call_type", "Type", "text"],
      ["outcome", "Outcome", "text"],
      ["duration", "Duration", "text"],
      ["duration_seconds", "Seconds", "seconds"],
      ["initiated_at", "Started", "time"],
      ["completed_at", "Ended", "time"],
      ["customer_response", "Customer's response", "text"],
      ["user_id", "User", "text"],
      ["agent_id", "Agent", "text"],
    ];
    const CALLBACKS = [
      ["id", "Callback", "text"],
      ["customer_name", "Customer", "text"],
      ["customer_phone", "Number", "text"],
      ["scheduled_datetime", "Due", "time"],
      ["reason", "Reason", "text"],
      ["priority_level", "Priority", "text"],
    ];

    // Rows that pages share: [key, label, kind].
    const CALL_COUNTS = [
      ["total_calls", "Total", "count"],
      ["calls_today", "Today", "count"],
      ["calls_this_week", "This week", "count"],
      ["calls_this_month", "This month", "count"],
      ["successful_calls", "Successful", "count"],
      ["converted_calls", "Converted", "count"],
    ];
    const LEADS = [
      ["total_customers", "Total", "count"],
      ["hot_leads", "Hot leads", "count"],
      ["warm_leads", "Warm leads", "count"],
      ["cold_leads", "Cold leads", "count"],
      ["converted_customers", "Converted", "count"],
    ];
    const CALLBACK_STATES = [
      ["total_callbacks", "Total", "count"],
      ["scheduled_callbacks", "Scheduled", "count"],
      ["completed_callbacks", "Completed", "count"],
    ];
    const AGENT_STATE = [
      ["status", "Status", "text"],
      ["training_level", "Training", "percentage"],
      ["personality_type", "Personality", "text"],
      ["is_ready_for_calls", "Ready for calls", "bool"],
      ["working_hours", "Working hours", "entries"],
    ];
    const AGENT_PERFORMANCE = [
      ["calls_handled", "Calls handled", "count"],
      ["successful_conversions", "Conversions", "count"],
      ["conversion_rate", "Conversion rate", "percentage"],
      ["customer_satisfaction", "Satisfaction (1-5)", "number"],
    ];
    const under = (prefix, rows) => rows.map(([key, ...rest]) => [`${prefix}.${key}`, ...rest]);

    // A page: `who` (paths of text naming the caller); `summary`, and `sections` of rows, as
    // [path or key, label, kind] (a kind of Dashboard.format, or "entries": a free-form object or
    // list, shown as it comes); `charts` (bars of a list's items or of fields); `lists` (tables of
    // a list's items, by column); `trends` (growth blocks).
    const PAGES = {
      admin_comprehensive: {
        who: ["user_info.full_name", "user_info.role", "user_info.email"],
        summary: [
          ["summary_stats.total_users", "Users", "count"],
          ["subscription_metrics.active_subscriptions", "Active subscriptions", "count"],
          ["billing_revenue.total_revenue", "Revenue", "money"],
          ["call_statistics.calls_today", "Calls today", "count"],
          ["ai_agent_metrics.performance.avg_conversion_rate", "Agents' conversion rate", "percentage"],
          ["ai_agent_metrics.performance.avg_customer_satisfaction", "Satisfaction (1-5)", "number"],
        ],
        sections: [
          [
            "summary_stats",
            "Users",
            [
              ["total_users", "Total", "count"],
              ["active_users", "Active", "count"],
              ["new_users_today", "New today", "count"],
              ["new_users_this_week", "New this week", "count"],
              ["new_users_this_month", "New this month", "count"],
            ],
          ],
          [
            "subscription_metrics",
            "Subscriptions",
            [
              ["total_subscriptions", "Total", "count"],
              ["active_subscriptions", "Active", "count"],
              ["inactive_subscriptions", "Inactive", "count"],
              ["cancelled_subscriptions", "Cancelled", "count"],
              ["past_due_subscriptions", "Past due", "count"],
              ["new_subscriptions_today", "New today", "count"],
            ],
          ],
          [
            "billing_revenue",
            "Billing and revenue",
            [
              ["total_revenue", "Revenue, all time", "money"],
              ["revenue_today", "Today", "money"],
              ["revenue_this_week", "This week", "money"],
              ["revenue_this_month", "This month", "money"],
              ["pending_payments", "Pending payments", "count"],
              ["failed_payments", "Failed payments", "count"],
            ],
          ],
          [
            "call_statistics",
            "Calls",
            [...CALL_COUNTS, ["active_calls", "In progress now", "count"], ["queued_calls", "Waiting now", "count"]],
          ],
          [
            "ai_agent_metrics",
            "AI agents",
            [
              ["total_agents", "Total", "count"],
              ["active_agents", "Active", "count"],
              ["training_agents", "Training", "count"],
              ["learning_agents", "Learning", "count"],
              ["paused_agents", "Paused", "count"],
              ["agents_ready_for_calls", "Ready for calls", "count"],
              ["performance.total_calls_handled", "Calls handled", "count"],
              ["performance.total_conversions", "Conversions", "count"],
              ["performance.avg_conversion_rate", "Conversion rate", "percentage"],
              ["performance.avg_customer_satisfaction", "Satisfaction (1-5)", "number"],
            ],
          ],
          [
            "customer_management",
            "Customers",
            [
              ...LEADS,
              ["do_not_call_list", "Do not call", "count"],
              ["new_customers_today", "New today", "count"],
              ["new_customers_this_week", "New this week", "count"],
            ],
          ],
          [
            "callback_management",
            "Callbacks",
            [
              ...CALLBACK_STATES,
              ["cancelled_callbacks", "Cancelled", "count"],
              ["overdue_callbacks", "Overdue", "count"],
              ["callbacks_today", "Due today", "count"],
              ["callbacks_this_week", "Due this week", "count"],
            ],
          ],
        ],
        charts: [
          {
            id: "calls-by-outcome",
            title: "Calls by outcome, all time",
            list: "call_statistics.calls_by_outcome",
            name: "outcome",
            unit: "calls",
          },
          {
            id: "calls-by-type",
            title: "Calls by type, all time",
            list: "call_statistics.calls_by_type",
            name: "call_type",
            unit: "calls",
          },
          {
            id: "subscriptions-by-plan",
            title: "Active subscriptions by plan",
            list: "subscription_metrics.subscription_by_plans",
            name: "plan__name",
            unit: "subscriptions",
          },
        ],
        lists: [
          [
            "plans",
            "Active subscriptions by plan",
            "subscription_metrics.subscription_by_plans",
            [
              ["plan__name", "Plan", "text"],
              ["plan__price", "Price", "text"],
              ["count", "Active", "count"],
            ],
          ],
          [
            "new-users",
            "New users",
            "recent_activities.new_users",
            [
              ["id", "User", "text"],
              ["full_name", "Name", "text"],
              ["user_name", "User name", "text"],
              ["email", "Email", "text"],
              ["status", "Status", "text"],
              ["date_joined", "Joined", "time"],
            ],
          ],
          [
            "new-subscriptions",
            "Subscription changes",
            "recent_activities.new_subscriptions",
            [
              ["id", "Subscription", "text"],
              ["user_id", "User", "text"],
              ["plan_name", "Plan", "text"],
              ["plan_price", "Price", "money"],
              ["status", "Status", "text"],
              ["changed_at", "Changed", "time"],
            ],
          ],
          ["recent-calls", "Recent calls", "recent_activities.recent_calls", CALLS],
        ],
        trends: [
          ["performance_trends.user_growth", "Users joining", "number"],
          ["performance_trends.revenue_growth", "Revenue", "money"],
        ],
      },
      user_comprehensive: {
        who: ["user_profile.full_name", "user_profile.user_name", "user_profile.email"],
        summary: [
          ["summary.account_status", "Account", "text"],
          ["summary.agent_ready", "Agent ready", "bool"],
          ["summary.calls_today", "Calls today", "count"],
          ["summary.pending_callbacks", "Pending callbacks", "count"],
          ["summary.conversion_rate", "Call success rate", "percentage"],
        ],
        sections: [
          [
            "user_profile",
            "Profile",
            [
              ["id", "User", "text"],
              ["phone", "Phone", "text"],
              ["avatar", "Avatar", "text"],
              ["is_verified", "Verified", "bool"],
              ["date_joined", "Joined", "time"],
              ["account_status", "Status", "text"],
            ],
          ],
          [
            "subscription_info",
            "Subscription",
            [
              ["plan_name", "Plan", "text"],
              ["plan_price", "Price", "money"],
              ["status", "Status", "text"],
              ["days_remaining", "Days remaining", "count"],
              ["current_period_start", "Period from", "time"],
              ["current_period_end", "Period to", "time"],
              ["cancel_at_period_end", "Ends with the period", "bool"],
              ["features", "Features", "entries"],
              ["limits", "Limits", "entries"],
            ],
            "No subscription yet.",
          ],
          [
            "ai_agent_info",
            "Your AI agent",
            [["name", "Name", "text"], ...AGENT_STATE, ...under("performance", AGENT_PERFORMANCE)],
            "No AI agent yet.",
          ],
          ["call_statistics", "Your calls", [...CALL_COUNTS, ["success_rate", "Success rate", "percentage"]]],
          [
            "customer_management",
            "Your customers",
            [
              ...LEADS,
              ["new_customers_today", "New today", "count"],
              ["conversion_rate", "Conversion rate", "percentage"],
            ],
          ],
          [
            "callback_management",
            "Your callbacks",
            [...CALLBACK_STATES, ["overdue_callbacks", "Overdue", "count"], ["callbacks_today", "Due today", "count"]],
          ],
          [
            "billing_info",
            "Billing",
            [
              ["next_billing_date", "Next billing", "time"],
              ["next_amount", "Next amount", "money"],
              ["total_spent", "Spent, all time", "money"],
            ],
          ],
        ],
        charts: [
          {
            id: "leads",
            title: "Your customers by temperature",
            fields: [
              ["hot", "customer_management.hot_leads"],
              ["warm", "customer_management.warm_leads"],
              ["cold", "customer_management.cold_leads"],
            ],
            unit: "customers",
          },
        ],
        lists: [
          ["recent-calls", "Your recent calls", "call_statistics.recent_calls", CALLS],
          ["upcoming-callbacks", "Upcoming callbacks", "callback_management.upcoming_callbacks", CALLBACKS],
          [
            "recent-payments",
            "Recent payments",
            "billing_info.recent_payments",
            [
              ["id", "Payment", "text"],
              ["description", "For", "text"],
              ["amount", "Amount", "money"],
              ["status", "Status", "text"],
              ["created_at", "Recorded", "time"],
            ],
          ],
        ],
        trends: [],
      },
      agent_comprehensive: {
        who: ["agent_profile.name", "agent_profile.kind", "agent_profile.id"],
        summary: [
          ["call_queue.queued_calls", "Calls waiting", "count"],
          ["call_queue.active_calls", "Calls in progress", "count"],
          ["performance.calls_today", "Calls today", "count"],
          ["callbacks.overdue_callbacks", "Overdue callbacks", "count"],
          ["performance.conversion_rate", "Conversion rate", "percentage"],
        ],
        sections: [
          ["agent_profile", "Profile", AGENT_STATE],
          [
            "performance",
            "Your performance",
            [
              ...AGENT_PERFORMANCE,
              ["calls_today", "Calls today", "count"],
              ["calls_this_week", "This week", "count"],
              ["calls_this_month", "This month", "count"],
              ["conversions_today", "Conversions today", "count"],
              ["conversion_rate_today", "Conversion rate today", "percentage"],
              ["avg_call_duration_seconds", "Average call", "seconds"],
            ],
          ],
          [
            "callbacks",
            "Your callbacks",
            [
              ["assigned_callbacks", "Assigned", "count"],
              ["scheduled_callbacks", "Scheduled", "count"],
              ["completed_callbacks", "Completed", "count"],
              ["overdue_callbacks", "Overdue", "count"],
            ],
          ],
        ],
        charts: [
          {
            id: "queue-waits",
            title: "How long each queued call has waited",
            list: "call_queue.waiting",
            name: "call_id",
            value: "waiting_seconds",
            unit: "seconds",
          },
        ],
        lists: [
          [
            "queue",
            "Your queue, longest waiting first",
            "call_queue.waiting",
            [
              ["call_id", "Call", "text"],
              ["user_id", "User", "text"],
              ["queued_since", "Waiting since", "time"],
              ["waiting_seconds", "Waited", "seconds"],
            ],
          ],
          ["upcoming-callbacks", "Your next callbacks", "callbacks.upcoming_callbacks", CALLBACKS],
        ],
        trends: [],
      },
    };

    const ARROWS = { up: "▲", down: "▼", flat: "▶" };

    /** A free-form object as one row per key, a list as one row of its items. */
    function entries(answer, path, label) {
      const value = valueAt(answer, path);
      if (Array.isArray(value)) {
        const items = value.map((_, index) => bound(answer, `${path}.${index}`, "text"));
        return [[path, label, items.flatMap((item, index) => (index ? [", ", item] : [item]))]];
      }
      return Object.entries(value || {}).map(([key, item]) => [
        `${path}.${key}`,
        `${label}: ${key}`,
        bound(answer, `${path}.${key}`, typeof item === "number" ? "count" : "text"),
      ]);
    }

    function section(answer, [base, title, fields, empty]) {
      const id = base.replace(/_/g, "-");
      if (valueAt(answer, base) === null) return card(id, title, null, [["none", empty, ""]]);
      const rows = fields.flatMap(([key, label, kind]) =>
        kind === "entries"
          ? entries(answer, `${base}.${key}`, label)
          : [[key, label, bound(answer, `${base}.${key}`, kind)]],
      );
      return card(id, title, null, rows);
    }

    function quickActions(answer) {
      return answer.quick_actions.map((action, index) => {
        const path = `quick_actions.${index}`;
        // The routes they name do not exist in this API yet: shown, not linked.
        const enabled = action.enabled ? "" : " disabled";
        return el(
          "li",
          { class: `action action-${action.color}${enabled}`, dataset: { id: action.id }, title: action.url },
          el("span", { class: "action-title" }, bound(answer, `${path}.title`, "text")),
          "count" in action ? el("span", { class: "action-count" }, bound(answer, `${path}.count`, "count")) : null,
          el("span", { class: "action-description" }, bound(answer, `${path}.description`, "text")),
        );
      });
    }

    function alerts(answer) {
      if (!answer.alerts.length) return [el("li", { class: "alert alert-none", text: "No rule raised an alert." })];
      return answer.alerts.map((alert, index) => {
        const path = `alerts.${index}`;
        return el(
          "li",
          { class: `alert alert-${alert.type}`, dataset: { level: alert.type } },
          el(
            "p",
            { class: "alert-head" },
            el("span", { class: "alert-level" }, bound(answer, `${path}.type`, "text")),
            el("strong", {}, bound(answer, `${path}.title`, "text")),
            el("span", { class: "alert-count" }, bound(answer, `${path}.count`, "count")),
          ),
          el("p", { class: "alert-message" }, bound(answer, `${path}.message`, "text")),
          el(
            "p",
            { class: "alert-rule" },
            "rule: ",
            bound(answer, `${path}.rule`, "text"),
            " · ",
            el("span", { title: alert.action_url }, bound(answer, `${path}.action_text`, "text")),
          ),
        );
      });
    }

    function trend(answer, [path, title, kind]) {
      const growth = valueAt(answer, path);
      const most = Math.max(growth.last_7_days, growth.previous_7_days);
      const share = (value) => (most > 0 ? value / most : 0);
      const value = (key) => bound(answer, `${path}.${key}`, kind);
      return card(path.split(".").pop().replace(/_/g, "-"), title, null, [
        ["today", "Today", value("today")],
        ["week", "This week", value("week")],
        ["month", "This month", value("month")],
        [
          "trend",
          "Trend, last 7 days against the 7 before",
          el(
            "span",
            { class: `trend trend-${growth.trend}` },
            `${ARROWS[growth.trend]} `,
            bound(answer, `${path}.trend`, "text"),
          ),
        ],
        ["last_7_days", "Last 7 days", value("last_7_days"), share(growth.last_7_days)],
        ["previous_7_days", "The 7 days before", value("previous_7_days"), share(growth.previous_7_days)],
      ]);
    }

    /** Each chart's bars: a list's items, named by `name`, of `value` (`count` unless said), or `fields`. */
    function drawCharts(content, answer, charts) {
      for (const chart of charts) {
        const items = chart.list ? valueAt(answer, chart.list) : [];
        const [labels, values] = chart.list
          ? [items.map((item) => item[chart.name]), items.map((item) => item[chart.value || "count"])]
          : [chart.fields.map(([label]) => label), chart.fields.map(([, path]) => valueAt(answer, path))];
        const figure = content.querySelector(`#${chart.id}`);
        const slot = figure.querySelector(".chart");
        figure.querySelector(".empty").hidden = labels.length > 0;
        slot.hidden = labels.length === 0;
        if (labels.length) Charts.bars(slot, { labels, values, label: chart.unit, unit: chart.unit });
      }
    }

    function skeleton(page) {
      const area = (name, title, tag = "div") => [el("h3", { class: "area", text: title }), el(tag, { class: name })];
      return [
        el("p", { class: "who" }),
        el("div", { class: "tiles" }),
        ...area("actions", "Quick actions", "ul"),
        ...area("cards", "Metrics"),
        el(
          "div",
          { class: "charts" },
          page.charts.map((chart) =>
            el(
              "figure",
              { id: chart.id },
              el("figcaption", { text: chart.title }),
              el("div", { class: "chart" }),
              el("p", { class: "empty", text: "Nothing to draw yet.", hidden: "" }),
            ),
          ),
        ),
        ...area("alerts", "Alerts", "ul"),
        ...area("lists", "Recent activities and lists"),
        ...(page.trends.length ? area("trends", "Performance trends") : []),
        el("footer", { class: "meta" }),
      ];
    }

    function render(content, answer) {
      const page = PAGES[answer.dashboard_type];
      if (!page) throw new Error(`no page is declared for dashboard_type ${answer.dashboard_type}`);
      if (!content.firstChild || content.dataset.type !== answer.dashboard_type) {
        Charts.destroyIn(content);
        content.replaceChildren(...skeleton(page));
        content.dataset.type = answer.dashboard_type;
      }
      const part = (name) => content.querySelector(`.${name}`);
      const names = page.who.map((path) => bound(answer, path, "text"));
      part("who").replaceChildren(
        ...names.flatMap((name, index) => (index ? [" · ", name] : [name])),
        " ",
        el("code", {}, bound(answer, "dashboard_type", "text")),
      );
      part("tiles").replaceChildren(
        ...page.summary.map(([path, label, kind]) => tile(answer, path, label, kind)),
      );
      part("actions").replaceChildren(...quickActions(answer));
      part("cards").replaceChildren(...page.sections.map((declared) => section(answer, declared)));
      drawCharts(content, answer, page.charts);
      part("alerts").replaceChildren(...alerts(answer));
      part("lists").replaceChildren(...page.lists.map((declared) => table(answer, ...declared)));
      if (page.trends.length) part("trends").replaceChildren(...page.trends.map((declared) => trend(answer, declared)));
      part("meta").replaceChildren(
        ...metaFooter(answer, [
          ["generated_at", "page computed", "time"],
          ["data_freshness", "freshness", "text"],
        ]),
      );
    }

    return {
      id: "call-centre",
      title: "Call centre",
      hint:
        "Seed 001's comprehensive dashboard: the page of the signed-in role (admins and managers see the " +
        "workspace, a user their own account, an agent their queue). It is computed afresh on every call, " +
        "so it refreshes every 30 s, as the seed suggests. Customers' numbers show masked where the API " +
        "masks them. The quick actions name routes this API does not have yet: shown, not linked.",
      workspace: "ws_callcentre",
      roles: ["admin", "manager", "user", "agent"],
      // Never cached: each poll costs the page's 6 to 10 store reads (a cached view costs one), so
      // half as often as the cached families; the seed's own example refreshes every 30 s too.
      pollSeconds: 30,
      fields: [],
      request: () => ({ path: "/api/dashboard/comprehensive/" }),
      render,
    };
  })(),
);
