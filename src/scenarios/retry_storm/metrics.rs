//! The metrics the scenario records.

use crate::scenarios::MetricSpec;
use crate::sim::MetricKind;

// The contest (backoff and jitter).
pub const WRITES: &str = "writes";
pub const CONFLICTS: &str = "conflicts";
pub const WRITER_TIMEOUTS: &str = "writes.unanswered";
pub const CONTEST_TIME: &str = "contest.time";
pub const CONTESTS: &str = "contests";
pub const CONTEST_CALLS: &str = "contest.writes";
pub const CALLS_MEAN: &str = "contest.writes_mean";
pub const CONTEST_DONE: &str = "contest.done";
pub const CONTEST_WRITES: &str = "contest.writes_so_far";
pub const CONTEST_ELAPSED: &str = "contest.elapsed";
pub const SLEEP: &str = "backoff.sleep";
pub const BACKOFF: [&str; 4] = ["backoff.w1", "backoff.w2", "backoff.w3", "backoff.w4"];

// The three tiers (amplification).
pub const REQUESTS: &str = "requests";
pub const USERS_OK: &str = "goodput";
pub const USERS_FAILED: &str = "requests.failed";
pub const USERS_LATENCY: &str = "goodput.latency";
/// Calls arriving at front and service (users' own requests are `requests`).
pub const CALLS: [&str; 3] = ["calls.users", "calls.front", "calls.service"];
pub const CALLS_DB: &str = "calls.db";
pub const RETRIES: [&str; 3] = ["retries.users", "retries.front", "retries.service"];
pub const TIMEOUTS: [&str; 3] = ["timeouts.users", "timeouts.front", "timeouts.service"];
pub const EXPIRED: [&str; 3] = ["expired.users", "expired.front", "expired.service"];
pub const THROTTLED: [&str; 3] = ["throttled.users", "throttled.front", "throttled.service"];
pub const BUDGET_DENIED: [&str; 3] = [
    "budget_denied.users",
    "budget_denied.front",
    "budget_denied.service",
];
pub const INFLIGHT: [&str; 3] = ["open.users", "open.front", "open.service"];
pub const SLEEPING: [&str; 3] = ["sleeping.users", "sleeping.front", "sleeping.service"];
pub const TOKENS: [&str; 3] = ["tokens.users", "tokens.front", "tokens.service"];
pub const LAYER_SLEEP: [&str; 3] = ["sleep.users", "sleep.front", "sleep.service"];
pub const DB_QUEUE: &str = "db.queue";
pub const DB_AMPLIFICATION: &str = "db.amplification";
pub const DB_REJECTED: &str = "db.rejected";
pub const DB_SKIPPED: &str = "db.skipped";
pub const DB_SERVED: &str = "db.served";
pub const DB_WASTED: &str = "db.wasted";

const LAYERS: [&str; 3] = ["users", "front", "service"];

pub fn specs() -> Vec<MetricSpec> {
    use MetricKind::*;
    let mut v = vec![
        MetricSpec::new(
            WRITES,
            Counter,
            "Conditional writes the writers sent (the AWS blog's calls).",
        ),
        MetricSpec::new(
            CONFLICTS,
            Counter,
            "Conditional writes refused because another writer got there first.",
        ),
        MetricSpec::new(
            WRITER_TIMEOUTS,
            Counter,
            "Writer requests that got no answer within a second (lost, or the database down).",
        ),
        MetricSpec::new(
            CONTEST_TIME,
            Histogram,
            "How long each contest took: from the start until the last writer succeeded.",
        ),
        MetricSpec::new(CONTESTS, Counter, "Contests finished."),
        MetricSpec::new(
            CONTEST_CALLS,
            Counter,
            "Conditional writes of each finished contest, counted when it finishes (over \
             `contests`: writes per contest).",
        ),
        MetricSpec::new(
            CALLS_MEAN,
            Gauge,
            "Mean conditional writes per contest, over the contests finished since `clients`, \
             `backoff`, `base` or `cap` last changed.",
        ),
        MetricSpec::new(
            CONTEST_DONE,
            Gauge,
            "Writers that have succeeded in the current contest.",
        ),
        MetricSpec::new(
            CONTEST_WRITES,
            Gauge,
            "Conditional writes so far in the current contest.",
        ),
        MetricSpec::new(
            CONTEST_ELAPSED,
            Gauge,
            "Seconds since the current contest started (at its end: how long it took).",
        ),
        MetricSpec::new(SLEEP, Histogram, "Each backoff sleep of a writer."),
        MetricSpec::new(
            REQUESTS,
            Counter,
            "User requests (each counted once, however often it is retried).",
        ),
        MetricSpec::new(
            USERS_OK,
            Counter,
            "User requests answered successfully: the goodput.",
        ),
        MetricSpec::new(
            USERS_FAILED,
            Counter,
            "User requests that ended in failure (the users gave up).",
        ),
        MetricSpec::new(
            USERS_LATENCY,
            Histogram,
            "Time from a user's request to its success, retries included.",
        ),
        MetricSpec::new(
            CALLS_DB,
            Counter,
            "Calls arriving at the database; over `requests`, the amplification.",
        ),
        MetricSpec::new(DB_QUEUE, Gauge, "Calls waiting at the database or being served."),
        MetricSpec::new(
            DB_AMPLIFICATION,
            Gauge,
            "Calls arriving at the database per user request, over the last 5 s.",
        ),
        MetricSpec::new(
            DB_REJECTED,
            Counter,
            "Calls the database answered overloaded at once (queue full).",
        ),
        MetricSpec::new(
            DB_SKIPPED,
            Counter,
            "Calls the database skipped because their deadline had passed.",
        ),
        MetricSpec::new(DB_SERVED, Counter, "Calls the database served."),
        MetricSpec::new(
            DB_WASTED,
            Counter,
            "Calls the database served for a user request already given up on.",
        ),
    ];
    for (i, b) in BACKOFF.iter().enumerate() {
        v.push(MetricSpec::new(
            *b,
            Gauge,
            format!("Writer {}'s current backoff sleep in ms (0 when awake).", i + 1),
        ));
    }
    for (i, l) in LAYERS.iter().enumerate() {
        if i > 0 {
            v.push(MetricSpec::new(
                CALLS[i],
                Counter,
                format!("Calls arriving at {l}, retries of the layer above included."),
            ));
        }
        v.extend([
            MetricSpec::new(RETRIES[i], Counter, format!("Retries {l} sent.")),
            MetricSpec::new(
                TIMEOUTS[i],
                Counter,
                format!("Attempts of {l} that timed out."),
            ),
            MetricSpec::new(
                EXPIRED[i],
                Counter,
                format!("Work {l} dropped because its deadline had passed."),
            ),
            MetricSpec::new(
                THROTTLED[i],
                Counter,
                format!("Calls {l} refused locally (adaptive throttling)."),
            ),
            MetricSpec::new(
                BUDGET_DENIED[i],
                Counter,
                format!("Retries {l} did not send because its retry budget was spent."),
            ),
            MetricSpec::new(INFLIGHT[i], Gauge, format!("Requests {l} is working on.")),
            MetricSpec::new(
                SLEEPING[i],
                Gauge,
                format!("Requests {l} holds in a backoff sleep."),
            ),
            MetricSpec::new(
                TOKENS[i],
                Gauge,
                format!("Tokens in {l}'s retry budget (retries only above 5)."),
            ),
            MetricSpec::new(LAYER_SLEEP[i], Histogram, format!("Each backoff sleep of {l}.")),
        ]);
    }
    v
}
