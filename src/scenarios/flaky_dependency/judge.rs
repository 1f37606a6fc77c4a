//! What the lesson measures from outside the nodes: when a dependency was
//! told to recover, and each breaker's state, so the front end can time how
//! long a breaker takes to close once its dependency is healthy again.

use super::breaker::State;
use crate::sim::Time;

/// A `recover` command and whether its breaker close has been measured yet.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Recovery {
    pub at: Option<Time>,
    pub measured: bool,
}

/// Observer-only state shared by the nodes, used to measure, never to decide.
#[derive(Clone, Debug, Default)]
pub struct Judge {
    /// The last `recover` command per dependency.
    pub recovery: [Recovery; 2],
    /// The front end's breaker state per dependency (`None` while off).
    pub breaker: [Option<State>; 2],
}
