//! Queues as the broker that keeps them sees them: how many messages wait,
//! which are out with a consumer and until when, and what a dead-letter
//! queue holds.
//!
//! A scenario with a broker reports its queues through
//! [`Node::queues`](super::Node::queues), and the layers above draw a queue
//! panel from that alone, without knowing the scenario.

use super::time::Time;

/// A message delivered to a consumer and not yet acknowledged: invisible to
/// other consumers until `until`, when it is delivered again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueLease {
    /// The message, as it should be shown (e.g. `m12 g3`).
    pub message: String,
    /// Who has it.
    pub consumer: String,
    /// When it becomes visible again if it is not acknowledged.
    pub until: Time,
    /// How many times it has been delivered, this time included.
    pub receives: u32,
}

/// A queue as its keeper sees it now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueView {
    /// The queue's name, e.g. `orders`, or `orders.dlq`.
    pub name: String,
    /// Messages waiting to be delivered.
    pub ready: usize,
    /// The first few of them, oldest first, as they should be shown.
    pub head: Vec<String>,
    /// When the oldest waiting message arrived, if any waits.
    pub oldest: Option<Time>,
    /// Messages out with consumers, oldest lease first.
    pub in_flight: Vec<QueueLease>,
    /// Whether this is a dead-letter queue: its messages are parked for a
    /// person to look at, not waiting for a consumer.
    pub dead_letter: bool,
    /// Anything else worth showing, e.g. `drained in 58.2s`.
    pub note: String,
}

impl QueueView {
    /// An empty queue called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        QueueView {
            name: name.into(),
            ready: 0,
            head: Vec::new(),
            oldest: None,
            in_flight: Vec::new(),
            dead_letter: false,
            note: String::new(),
        }
    }

    /// Messages held: waiting and out with consumers.
    pub fn depth(&self) -> usize {
        self.ready + self.in_flight.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_queue_s_depth_counts_waiting_and_leased_messages() {
        let mut q = QueueView::new("orders");
        assert_eq!(q.depth(), 0);
        q.ready = 3;
        q.in_flight.push(QueueLease {
            message: "m1".into(),
            consumer: "c1".into(),
            until: Time::secs(5),
            receives: 1,
        });
        assert_eq!(q.depth(), 4);
        assert!(!q.dead_letter);
    }
}
