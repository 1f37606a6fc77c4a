//! A thread pool with the admission rule of Java's `ThreadPoolExecutor`.
//!
//! A new task is placed by the first rule that applies:
//!
//! 1. fewer than `core` threads are working: start a thread for it;
//! 2. the queue has room: queue it;
//! 3. fewer than `max` threads are working: start a thread for it;
//! 4. otherwise: reject it.
//!
//! The surprise is rule 2 before rule 3: the pool only grows past `core` once
//! the queue is full, so a pool with a long queue rarely uses its extra threads.
//!
//! A thread that finishes its task takes the oldest queued task; if there is
//! none it retires at once. Idle threads are not modelled (a keep-alive of
//! zero): a thread exists exactly while it has a task, and "a free core
//! thread" is the same as "fewer than `core` threads working".
//!
//! The pool tracks task ids only; what a task does is the front end's business.

use std::collections::VecDeque;

/// Where a submitted task went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    /// A thread took it: start it now.
    Run,
    Queued,
    Rejected,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pool {
    core: usize,
    max: usize,
    queue_cap: usize,
    working: usize,
    queue: VecDeque<u64>,
}

impl Pool {
    /// A pool of `core` to `max` threads with room for `queue` waiting tasks.
    pub fn new(core: usize, max: usize, queue: usize) -> Pool {
        let mut pool = Pool {
            core: 0,
            max: 0,
            queue_cap: 0,
            working: 0,
            queue: VecDeque::new(),
        };
        pool.set_sizes(core, max, queue);
        pool
    }

    /// Threads working on a task.
    pub fn working(&self) -> usize {
        self.working
    }

    /// Tasks waiting for a thread.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    pub fn core(&self) -> usize {
        self.core
    }

    pub fn max(&self) -> usize {
        self.max
    }

    pub fn queue_capacity(&self) -> usize {
        self.queue_cap
    }

    /// Places a new task by the four rules above.
    pub fn submit(&mut self, task: u64) -> Admission {
        if self.working < self.core {
            self.working += 1;
            Admission::Run
        } else if self.queue.len() < self.queue_cap {
            self.queue.push_back(task);
            Admission::Queued
        } else if self.working < self.max {
            self.working += 1;
            Admission::Run
        } else {
            Admission::Rejected
        }
    }

    /// A thread finished its task: it takes the next queued task (returned,
    /// to be started now) or retires.
    pub fn finish(&mut self) -> Option<u64> {
        match self.queue.pop_front() {
            Some(next) => Some(next),
            None => {
                self.working = self.working.saturating_sub(1);
                None
            }
        }
    }

    /// Resizes the pool. Threads already working keep their tasks even if
    /// there are now more of them than `max`. A larger `core` starts threads
    /// for queued tasks at once (returned, to be started now); tasks beyond a
    /// smaller queue stay queued.
    pub fn set_sizes(&mut self, core: usize, max: usize, queue: usize) -> Vec<u64> {
        self.core = core.max(1);
        self.max = max.max(self.core);
        self.queue_cap = queue;
        let mut start = Vec::new();
        while self.working < self.core {
            let Some(task) = self.queue.pop_front() else {
                break;
            };
            self.working += 1;
            start.push(task);
        }
        start
    }

    /// Drops every task, as when the process dies.
    pub fn clear(&mut self) {
        self.working = 0;
        self.queue.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_core_then_queue_then_grows_to_max_then_rejects() {
        let mut p = Pool::new(2, 4, 3);
        let placed: Vec<Admission> = (0..10).map(|t| p.submit(t)).collect();
        use Admission::*;
        assert_eq!(
            placed,
            [
                Run, Run, Queued, Queued, Queued, Run, Run, Rejected, Rejected, Rejected
            ]
        );
        assert_eq!((p.working(), p.queued()), (4, 3));
    }

    #[test]
    fn a_finishing_thread_takes_the_oldest_queued_task_or_retires() {
        let mut p = Pool::new(1, 1, 2);
        p.submit(0);
        p.submit(1);
        p.submit(2);
        assert_eq!(p.finish(), Some(1));
        assert_eq!(p.finish(), Some(2));
        assert_eq!(p.working(), 1);
        assert_eq!(p.finish(), None);
        assert_eq!(p.working(), 0);
    }

    #[test]
    fn an_unbounded_looking_queue_keeps_the_pool_at_core() {
        let mut p = Pool::new(2, 50, 100);
        for t in 0..60 {
            p.submit(t);
        }
        assert_eq!(p.working(), 2, "grew past core before the queue was full");
    }

    #[test]
    fn a_larger_core_starts_queued_tasks() {
        let mut p = Pool::new(1, 1, 5);
        for t in 0..4 {
            p.submit(t);
        }
        assert_eq!(p.set_sizes(3, 3, 5), vec![1, 2]);
        assert_eq!((p.working(), p.queued()), (3, 1));
    }
}
