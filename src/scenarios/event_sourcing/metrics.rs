//! The metrics the scenario records.

use crate::scenarios::MetricSpec;
use crate::sim::MetricKind;

pub const HEAD: &str = "log.head";
pub const DONE: &str = "commands.done";
pub const REJECTED: &str = "commands.rejected";
pub const TIMED_OUT: &str = "commands.timed_out";
pub const LATENCY: &str = "commands.latency";
pub const WITHDRAWALS: &str = "withdrawals";
pub const REFUSED: &str = "appends.refused";
pub const STALE_APPENDS: &str = "appends.stale";
pub const OVERDRAFTS: &str = "overdrafts";
pub const BALANCE: &str = "balance.account";
pub const READ_BALANCE: &str = "balance.read_model";
pub const POSITION: &str = "projection.position";
pub const REBUILD: &str = "rebuild.position";
pub const REBUILDS: &str = "rebuilds.done";
pub const SNAPSHOT: &str = "snapshot.version";
pub const REPLAY_TIME: &str = "replay.time";
pub const REPLAY_EVENTS: &str = "replay.events";
pub const ANSWERED: &str = "queries.answered";
pub const STALE_READS: &str = "queries.stale";
pub const WRONG: &str = "queries.wrong";
pub const NOT_YET: &str = "queries.not_yet";
pub const QUERY_WAIT: &str = "queries.wait";
pub const MODEL_WRONG: &str = "readmodel.wrong";

pub fn specs() -> Vec<MetricSpec> {
    use MetricKind::*;
    vec![
        MetricSpec::new(HEAD, Gauge, "Events in the log: the offset the next one gets."),
        MetricSpec::new(DONE, Counter, "Commands whose event was appended and acknowledged."),
        MetricSpec::new(
            REJECTED,
            Counter,
            "Withdrawals refused because the balance the handler decided on did not cover them.",
        ),
        MetricSpec::new(
            TIMED_OUT,
            Counter,
            "Commands a client had no answer to within 2 s (a handler down or replaying).",
        ),
        MetricSpec::new(
            LATENCY,
            Histogram,
            "Time from a client sending a command to its answer.",
        ),
        MetricSpec::new(WITHDRAWALS, Counter, "Withdrawal events appended."),
        MetricSpec::new(
            REFUSED,
            Counter,
            "Appends the store refused because the stream had moved past the expected version.",
        ),
        MetricSpec::new(
            STALE_APPENDS,
            Counter,
            "Appends taken although another event had been appended since the version their \
             command was decided on.",
        ),
        MetricSpec::new(
            OVERDRAFTS,
            Counter,
            "Withdrawals appended that took the balance below zero.",
        ),
        MetricSpec::new(BALANCE, Gauge, "The account's balance: the fold of the whole log."),
        MetricSpec::new(
            READ_BALANCE,
            Gauge,
            "The balance in the read model that answers queries.",
        ),
        MetricSpec::new(
            POSITION,
            Gauge,
            "Events the read model that answers queries has applied: its position in the log.",
        ),
        MetricSpec::new(
            REBUILD,
            Gauge,
            "Events the rebuild's fresh read model has applied (−1 when no rebuild runs).",
        ),
        MetricSpec::new(REBUILDS, Counter, "Rebuilds finished and switched over to."),
        MetricSpec::new(
            SNAPSHOT,
            Gauge,
            "The version of the latest snapshot in the store (−1: none yet).",
        ),
        MetricSpec::new(
            REPLAY_TIME,
            Histogram,
            "Time from a handler starting to its having replayed the account.",
        ),
        MetricSpec::new(
            REPLAY_EVENTS,
            Gauge,
            "Events the latest handler to start replayed after its snapshot.",
        ),
        MetricSpec::new(ANSWERED, Counter, "Queries answered with a balance."),
        MetricSpec::new(
            STALE_READS,
            Counter,
            "Queries answered from a read model that had not yet applied the asking client's \
             own last acknowledged write.",
        ),
        MetricSpec::new(
            WRONG,
            Counter,
            "Queries answered from a read model that differs from the fold of the log up to its \
             position.",
        ),
        MetricSpec::new(
            NOT_YET,
            Counter,
            "Queries the projection gave up on because its read model did not reach the \
             client's version within 2 s.",
        ),
        MetricSpec::new(
            QUERY_WAIT,
            Histogram,
            "Time from a client sending a query to its answer.",
        ),
        MetricSpec::new(
            MODEL_WRONG,
            Gauge,
            "1 while the read model that answers queries differs from the fold of the log up \
             to its position, 0 while it matches.",
        ),
    ]
}
