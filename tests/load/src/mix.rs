//! The mix file (`tests/load/mix.txt`): what the load test sends, one line per kind of request,
//! and the plan made of it for one server: the lines whose route that server documents, each with
//! its slots in a user's cycle of requests.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};

/// Requests in one user's cycle: the weights are apportioned to this many slots, so that the mix is
/// fixed by request counts (each user sends exactly these, in turn, over and over).
pub const CYCLE: usize = 100;

/// The class of the lines sent once before the warm-up, unmeasured.
pub const SETUP: &str = "setup";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }

    fn openapi_key(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Post => "post",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub class: String,
    /// `None` for a setup line.
    pub weight: Option<u64>,
    pub role: String,
    pub method: Method,
    /// A template, as is `body` (see [`Templates::expand`]).
    pub path: String,
    pub body: Option<String>,
}

impl Line {
    /// Reads take the weight of the lines the server does not serve yet.
    pub fn is_read(&self) -> bool {
        self.class.starts_with("read")
    }

    /// The path without its query: what `/openapi.json` lists.
    pub fn route(&self) -> &str {
        self.path.split_once('?').map_or(&self.path, |(route, _)| route)
    }

    pub fn label(&self) -> String {
        format!("{} {} ({})", self.method.as_str(), self.path, self.role)
    }
}

#[derive(Debug)]
pub struct Mix {
    /// `@name value...` lines: `{name}` takes their values in turn.
    pub lists: BTreeMap<String, Vec<String>>,
    pub lines: Vec<Line>,
}

/// Reads the mix file: `@name value...` lists, and request lines of
/// `class weight role method path [body]` (`-` as the weight of a setup line).
pub fn parse(text: &str) -> Result<Mix, String> {
    let mut mix = Mix { lists: BTreeMap::new(), lines: Vec::new() };
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let at = |reason: &str| format!("mix line {}: {reason}: {raw}", index + 1);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(list) = line.strip_prefix('@') {
            let mut words = list.split_whitespace();
            let name = words.next().ok_or_else(|| at("a list needs a name"))?;
            let values: Vec<String> = words.map(str::to_owned).collect();
            if values.is_empty() {
                return Err(at("a list needs values"));
            }
            mix.lists.insert(name.to_owned(), values);
            continue;
        }
        let mut rest = line;
        let [class, weight, role, method, path] = [(); 5].map(|()| next_word(&mut rest));
        if path.is_empty() {
            return Err(at("expected class, weight, role, method, path and an optional body"));
        }
        let weight = match (class, weight) {
            (SETUP, "-") => None,
            (SETUP, _) => return Err(at("a setup line's weight is -")),
            (_, weight) => {
                Some(weight.parse().ok().filter(|&w| w > 0).ok_or_else(|| at("a weight is a positive integer"))?)
            }
        };
        let method = match method {
            "GET" => Method::Get,
            "POST" => Method::Post,
            _ => return Err(at("the method is GET or POST")),
        };
        let body = (!rest.is_empty()).then(|| rest.to_owned());
        mix.lines.push(Line { class: class.into(), weight, role: role.into(), method, path: path.into(), body });
    }
    for line in &mix.lines {
        for template in std::iter::once(&line.path).chain(&line.body) {
            check_placeholders(template, &mix.lists).map_err(|reason| format!("{reason} in {}", line.label()))?;
        }
    }
    Ok(mix)
}

fn next_word<'a>(rest: &mut &'a str) -> &'a str {
    let (word, tail) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    *rest = tail.trim_start();
    word
}

/// Whether the server's OpenAPI document has the line's method and route (any value standing for
/// a path parameter).
pub fn documented(openapi: &Value, line: &Line) -> bool {
    let same_route = |documented: &str| {
        let (theirs, ours): (Vec<_>, Vec<_>) = (documented.split('/').collect(), line.route().split('/').collect());
        theirs.len() == ours.len()
            && theirs.iter().zip(&ours).all(|(a, b)| a == b || (a.starts_with('{') && !b.is_empty()))
    };
    openapi["paths"].as_object().is_some_and(|paths| {
        paths.iter().any(|(path, operations)| same_route(path) && operations.get(line.method.openapi_key()).is_some())
    })
}

#[derive(Debug, PartialEq)]
pub struct Planned {
    pub line: Line,
    /// Its requests in each user's cycle.
    pub slots: usize,
}

#[derive(Debug, PartialEq)]
pub struct Plan {
    pub setup: Vec<Line>,
    pub run: Vec<Planned>,
    /// Lines whose route the server does not document.
    pub skipped: Vec<Line>,
}

/// The lines the server serves, their weights apportioned to [`CYCLE`] slots; a skipped line's
/// weight goes to the kept reads, in proportion to theirs.
pub fn plan(lines: Vec<Line>, documented: impl Fn(&Line) -> bool) -> Result<Plan, String> {
    let (kept, skipped): (Vec<Line>, Vec<Line>) = lines.into_iter().partition(|line| documented(line));
    let (setup, weighted): (Vec<Line>, Vec<Line>) = kept.into_iter().partition(|line| line.weight.is_none());
    let weight = |line: &Line| line.weight.unwrap_or(0);
    let reads: u64 = weighted.iter().filter(|line| line.is_read()).map(weight).sum();
    let lost: u64 = skipped.iter().map(weight).sum();
    if reads == 0 {
        return Err("no read line is served: nothing to send, or to take the skipped lines' weight".into());
    }
    let effective: Vec<u64> =
        weighted.iter().map(|line| weight(line) * if line.is_read() { reads + lost } else { reads }).collect();
    let slots = apportion(&effective, CYCLE);
    let run = weighted.into_iter().zip(slots).map(|(line, slots)| Planned { line, slots }).collect();
    Ok(Plan { setup, run, skipped })
}

/// `total` slots shared in proportion to `weights` by largest remainders; every weight gets one.
fn apportion(weights: &[u64], total: usize) -> Vec<usize> {
    let sum: u64 = weights.iter().sum();
    let share = |weight: u64| (weight as u128 * total as u128 / sum as u128) as usize;
    let mut slots: Vec<usize> = weights.iter().map(|&w| share(w)).collect();
    let mut by_remainder: Vec<usize> = (0..weights.len()).collect();
    by_remainder.sort_by_key(|&i| std::cmp::Reverse(weights[i] as u128 * total as u128 % sum as u128));
    let given: usize = slots.iter().sum();
    for &i in by_remainder.iter().take(total - given) {
        slots[i] += 1;
    }
    slots.iter().map(|&s| s.max(1)).collect()
}

/// What the placeholders of the templates stand for in one run.
pub struct Templates {
    pub lists: BTreeMap<String, Vec<String>>,
    /// `{start}` and `{end}`: the last 30 days, today (UTC) included.
    pub start: String,
    pub end: String,
    /// Prefix of this run's event ids, so that no run sends another's ids.
    pub run: String,
    next_event: AtomicU64,
}

const BUILT_IN: [&str; 3] = ["start", "end", "calls"];
const OUTCOMES: [&str; 6] = ["completed", "completed", "no_answer", "busy", "refused", "voicemail"];

fn check_placeholders(template: &str, lists: &BTreeMap<String, Vec<String>>) -> Result<(), String> {
    for name in placeholders(template) {
        if !BUILT_IN.contains(&name) && !lists.contains_key(name) {
            return Err(format!("unknown placeholder {{{name}}}"));
        }
        if name == "calls" && !(lists.contains_key("campaign") && lists.contains_key("agent")) {
            return Err("{calls:N} needs the lists @campaign and @agent".into());
        }
    }
    Ok(())
}

/// Each `{name}` or `{name:N}` of `template` (a lowercase name: JSON's own braces are not one).
fn placeholders(template: &str) -> impl Iterator<Item = &str> {
    template.match_indices('{').filter_map(|(at, _)| placeholder(&template[at..]).map(|(name, _, _)| name))
}

/// The placeholder `text` starts with: its name, its argument and its length.
fn placeholder(text: &str) -> Option<(&str, Option<usize>, usize)> {
    let close = text.find('}')?;
    let inner = &text[1..close];
    let (name, argument) = match inner.split_once(':') {
        Some((name, argument)) => (name, Some(argument.parse().ok()?)),
        None => (inner, None),
    };
    let is_name = !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    is_name.then_some((name, argument, close + 1))
}

impl Templates {
    pub fn new(lists: BTreeMap<String, Vec<String>>) -> Self {
        let today = Utc::now().date_naive();
        Templates {
            lists,
            start: (today - chrono::Days::new(29)).to_string(),
            end: today.to_string(),
            run: format!("load-{}", Utc::now().timestamp_millis()),
            next_event: AtomicU64::new(0),
        }
    }

    /// `template` for the `n`th request of its line: `{list}` is the list's value at `n` (in turn),
    /// `{start}` and `{end}` the last 30 days, `{calls:N}` a JSON array of N new `call.completed`
    /// events of that request's `{campaign}`, ended in the last 10 minutes, with ids never sent.
    pub fn expand(&self, template: &str, n: usize) -> String {
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            rest = &rest[open..];
            match placeholder(rest) {
                Some((name, argument, length)) => {
                    out.push_str(&self.value(name, argument, n));
                    rest = &rest[length..];
                }
                None => {
                    out.push('{');
                    rest = &rest[1..];
                }
            }
        }
        out.push_str(rest);
        out
    }

    fn value(&self, name: &str, argument: Option<usize>, n: usize) -> String {
        match name {
            "start" => self.start.clone(),
            "end" => self.end.clone(),
            "calls" => self.calls(argument.unwrap_or(1), &self.pick("campaign", n)).to_string(),
            list => self.pick(list, n),
        }
    }

    fn pick(&self, list: &str, n: usize) -> String {
        let values = &self.lists[list];
        values[n % values.len()].clone()
    }

    fn calls(&self, count: usize, campaign: &str) -> Value {
        let now = Utc::now();
        let events = (0..count).map(|_| {
            let id = format!("{}-{}", self.run, self.next_event.fetch_add(1, Ordering::Relaxed));
            let outcome = OUTCOMES[fastrand::usize(..OUTCOMES.len())];
            let duration = if matches!(outcome, "no_answer" | "busy") { 0 } else { fastrand::u32(5..900) };
            let ended = now - chrono::Duration::seconds(fastrand::i64(0..600));
            json!({
                "id": id,
                "type": "call.completed",
                "occurred_at": ended.to_rfc3339_opts(SecondsFormat::Secs, true),
                "data": {
                    "call_id": id,
                    "campaign_id": campaign,
                    "contact_id": format!("{campaign}-p{:05}", fastrand::u32(..1000)),
                    "agent_id": self.pick("agent", fastrand::usize(..)),
                    "call_type": "outbound",
                    "outcome": outcome,
                    "duration_s": duration,
                },
            })
        });
        Value::Array(events.collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIX: &str = "\
# a comment
@campaign cmp_a cmp_b
@agent agent_x
setup         -  service POST /api/v1/events {\"events\": {calls:2}}
read_cached   30 viewer  GET  /api/campaigns/{campaign}/stats
read_uncached 10 viewer  GET  /api/campaigns/{campaign}/stats?start={start}&end={end}
ingest        15 service POST /api/v1/events {\"events\": {calls:100}}
export        5  manager POST /api/v1/dashboard/export {\"format\": \"csv\"}
";

    fn openapi() -> Value {
        json!({"paths": {
            "/api/campaigns/{campaign_id}/stats": {"get": {}},
            "/api/v1/events": {"post": {}},
        }})
    }

    #[test]
    fn a_line_is_documented_when_its_method_and_route_are_with_any_value_for_a_parameter() {
        let mix = parse(MIX).expect("parses");
        let documented: Vec<bool> = mix.lines.iter().map(|line| documented(&openapi(), line)).collect();
        assert_eq!(documented, [true, true, true, true, false]);
        let get_ingest = Line { method: Method::Get, ..mix.lines[3].clone() };
        assert!(!super::documented(&openapi(), &get_ingest), "the method counts too");
    }

    #[test]
    fn skipped_lines_give_their_weight_to_the_reads_in_proportion() {
        let mix = parse(MIX).expect("parses");
        let plan = plan(mix.lines, |line| documented(&openapi(), line)).expect("plans");
        assert_eq!(plan.setup.len(), 1);
        assert_eq!(plan.skipped.iter().map(|line| line.class.as_str()).collect::<Vec<_>>(), ["export"]);
        // Of 60 served or skipped: the reads 40 plus the export's 5, shared 3 to 1; ingest 15 (25 %).
        let slots: Vec<(&str, usize)> = plan.run.iter().map(|p| (p.line.class.as_str(), p.slots)).collect();
        assert_eq!(slots, [("read_cached", 56), ("read_uncached", 19), ("ingest", 25)]);
    }

    #[test]
    fn with_every_line_served_the_slots_are_the_weights_shares() {
        let mix = parse(MIX).expect("parses");
        let plan = plan(mix.lines, |_| true).expect("plans");
        let slots: Vec<usize> = plan.run.iter().map(|p| p.slots).collect();
        assert_eq!(slots, [50, 17, 25, 8]);
        assert_eq!(slots.iter().sum::<usize>(), CYCLE);
    }

    #[test]
    fn a_plan_without_reads_is_refused() {
        let mix = parse(MIX).expect("parses");
        assert!(plan(mix.lines, |line| !line.is_read()).is_err());
    }

    #[test]
    fn templates_take_list_values_in_turn_and_leave_json_braces_alone() {
        let mix = parse(MIX).expect("parses");
        let templates = Templates::new(mix.lists);
        assert_eq!(templates.expand("/c/{campaign}/stats", 0), "/c/cmp_a/stats");
        assert_eq!(templates.expand("/c/{campaign}/stats", 3), "/c/cmp_b/stats");
        let range = templates.expand("{\"date_range\": {\"start\": \"{start}\", \"end\": \"{end}\"}}", 0);
        let range: Value = serde_json::from_str(&range).expect("JSON");
        assert_eq!(range["date_range"]["end"], Utc::now().date_naive().to_string());
        assert_eq!(range["date_range"]["start"], (Utc::now().date_naive() - chrono::Days::new(29)).to_string());
    }

    #[test]
    fn call_events_are_new_each_time_and_of_the_requests_campaign() {
        let mix = parse(MIX).expect("parses");
        let templates = Templates::new(mix.lists);
        let batch =
            |n| -> Value { serde_json::from_str(&templates.expand("{\"events\": {calls:3}}", n)).expect("JSON") };
        let (first, second) = (batch(1), batch(1));
        let ids = |batch: &Value| -> Vec<String> {
            batch["events"]
                .as_array()
                .expect("events")
                .iter()
                .map(|e| e["id"].as_str().expect("id").to_owned())
                .collect()
        };
        assert_eq!(ids(&first).len(), 3);
        assert!(ids(&first).iter().all(|id| !ids(&second).contains(id)));
        let event = &first["events"][0];
        assert_eq!(event["type"], "call.completed");
        assert_eq!(event["data"]["campaign_id"], "cmp_b");
        assert_eq!(event["data"]["agent_id"], "agent_x");
        assert!(event["occurred_at"].as_str().expect("time").ends_with('Z'));
    }

    #[test]
    fn bad_lines_are_refused_naming_the_line() {
        for bad in [
            "read 0 viewer GET /a",
            "read x viewer GET /a",
            "setup 5 service POST /a",
            "read 5 viewer PUT /a",
            "read 5 viewer GET",
            "read 5 viewer GET /a/{nowhere}",
            "@empty",
        ] {
            let error = parse(bad).expect_err(bad);
            assert!(error.starts_with("mix line 1") || error.contains("nowhere"), "{error}");
        }
    }
}
