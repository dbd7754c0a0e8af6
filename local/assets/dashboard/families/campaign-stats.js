// The survey campaign stats family (seed 003): GET /api/campaigns/{campaign_id}/stats, as cards
// (contacts by state, call attempts by outcome, rates, durations), charts of the hourly and daily
// series, and the answer's meta. No route lists a workspace's campaigns yet, so the campaign is
// typed; the local runtime's three demo campaigns are suggested.
"use strict";

Dashboard.register(
  (() => {
    const { el, format, card, metaFooter } = Dashboard;

    const CONTACTS = [
      ["pending", "Pending"],
      ["in_progress", "In progress"],
      ["completed", "Completed"],
      ["refused", "Refused"],
      ["not_reached", "Not reached"],
      ["excluded", "Excluded"],
    ];
    const OUTCOMES = [
      ["completed", "Completed"],
      ["refused", "Refused"],
      ["no_answer", "No answer"],
      ["busy", "Busy"],
      ["failed", "Failed"],
      ["other", "Other"],
    ];
    const RATES = [
      ["completion_rate", "Completion", "completed contacts / all contacts"],
      ["refusal_rate", "Refusal", "refused contacts / all contacts"],
      ["not_reached_rate", "Not reached", "not reached contacts / all contacts"],
      ["answer_rate", "Answer", "attempts picked up / all attempts"],
    ];
    const DURATIONS = [
      ["average_seconds", "Average"],
      ["min_seconds", "Shortest"],
      ["max_seconds", "Longest"],
      ["total_seconds", "Total talk time"],
    ];

    function cards(answer) {
      const { contacts, calls, rates, duration } = answer;
      const of = (part, whole) => (whole > 0 ? part / whole : 0);
      return [
        card(
          "contacts",
          "Contacts by state",
          ["contacts", format.count(contacts.total)],
          CONTACTS.map(([key, label]) => [key, label, format.count(contacts[key]), of(contacts[key], contacts.total)]),
        ),
        card(
          "calls",
          "Call attempts by outcome",
          ["attempts", format.count(calls.total_attempts)],
          OUTCOMES.map(([key, label]) => [key, label, format.count(calls[key]), of(calls[key], calls.total_attempts)]),
        ),
        card(
          "rates",
          "Rates",
          null,
          RATES.map(([key, label, note]) => [key, label, format.percent(rates[key]), rates[key], note]),
        ),
        card(
          "durations",
          "Call durations",
          null,
          DURATIONS.map(([key, label]) => [key, label, format.seconds(duration[key])]),
        ),
      ];
    }

    const hourLabel = (x) => `${new Date(x * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC`;
    const dayLabel = (x) => new Date(x * 1000).toISOString().slice(0, 10);

    /** The series' charts: call outcomes and talk time, per hour and per day. */
    function drawCharts(content, series) {
      const hours = series.hourly.map((point) => Date.parse(point.hour) / 1000);
      // A local date drawn at that date's UTC midnight, so that UTC labels print the date itself.
      const days = series.daily.map((point) => Date.parse(`${point.date}T00:00:00Z`) / 1000);
      const outcomes = (points) => [
        { label: "Attempts", values: points.map((point) => point.total_attempts) },
        ...OUTCOMES.map(([key, label]) => ({ label, values: points.map((point) => point[key]) })),
      ];
      const talk = (points) => [
        { label: "Talk time (s)", values: points.map((point) => point.total_duration_seconds) },
      ];
      const chart = (id) => content.querySelector(`#${id} .chart`);
      Charts.line(chart("hourly-calls"), {
        xs: hours,
        xLabel: hourLabel,
        series: outcomes(series.hourly),
        unit: "calls",
      });
      Charts.line(chart("daily-calls"), { xs: days, xLabel: dayLabel, series: outcomes(series.daily), unit: "calls" });
      Charts.line(chart("hourly-talk"), { xs: hours, xLabel: hourLabel, series: talk(series.hourly), unit: "seconds" });
      Charts.line(chart("daily-talk"), { xs: days, xLabel: dayLabel, series: talk(series.daily), unit: "seconds" });
    }

    function skeleton() {
      const figure = (id, title) =>
        el("figure", { id }, el("figcaption", { text: title }), el("div", { class: "chart" }));
      return [
        el("p", { class: "campaign" }),
        el("div", { class: "cards" }),
        el(
          "div",
          { class: "charts" },
          figure("hourly-calls", "Call attempts per hour (last 24 UTC hours)"),
          figure("daily-calls", "Call attempts per day (workspace's local days)"),
          figure("hourly-talk", "Talk time per hour"),
          figure("daily-talk", "Talk time per day"),
        ),
        el("footer", { class: "meta" }),
      ];
    }

    return {
      id: "campaign-stats",
      title: "Campaign stats",
      hint:
        "No route lists a workspace's campaigns yet: type a campaign id (the demo's are suggested). " +
        "Without dates, the daily series is the last 30 local days.",
      fields: [
        {
          name: "campaign",
          label: "Campaign",
          value: "cmp_csat_q4",
          required: true,
          suggestions: ["cmp_csat_q4", "cmp_nps_followup", "cmp_product_feedback"],
        },
        { name: "start", label: "From", type: "date" },
        { name: "end", label: "To", type: "date" },
      ],
      request({ campaign, start, end }) {
        const query = new URLSearchParams(Object.entries({ start, end }).filter(([, value]) => value));
        const suffix = query.toString() ? `?${query}` : "";
        return { path: `/api/campaigns/${encodeURIComponent(campaign)}/stats${suffix}` };
      },
      render(content, answer) {
        if (!content.firstChild) content.append(...skeleton());
        const name = answer.campaign_name || "(no name yet)";
        content
          .querySelector(".campaign")
          .replaceChildren(
            el("span", { class: "campaign-name", text: name }),
            " ",
            el("code", { class: "campaign-id", text: answer.campaign_id }),
          );
        content.querySelector(".cards").replaceChildren(...cards(answer));
        const charts = content.querySelector(".charts");
        charts.hidden = !answer.time_series;
        if (answer.time_series) drawCharts(content, answer.time_series);
        content.querySelector(".meta").replaceChildren(...metaFooter(answer));
      },
    };
  })(),
);
