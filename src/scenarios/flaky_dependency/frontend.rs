//! The front end: two endpoints, each served by calling one dependency, with
//! every resilience pattern of the lesson as a switch.
//!
//! A request becomes a *task* that needs a thread for its whole life: from
//! the first call to the dependency until the answer, retries included. So a
//! dependency that hangs does not just make its own endpoint slow, it keeps
//! threads busy, and with one shared pool ("bulkhead" off) the other endpoint
//! runs out of threads too. The patterns, in the order a task meets them:
//!
//! - **bulkhead**: a pool per dependency, so one can only exhaust its own;
//! - **circuit breaker**: refuse at once, without a thread waiting, calls to a
//!   dependency that has been failing (see [`super::breaker`]);
//! - **timeout**: stop waiting for an attempt after a while;
//! - **retry**: try a failed attempt again, on the same thread (retries make a
//!   hanging dependency hold threads even longer; a breaker refusal is final);
//! - **fallback**: answer a failed request with degraded data, not an error.

use super::FlakyNode;
use super::breaker::{Breaker, OFF_GAUGE, Outcome, Permit, State};
use super::config::Settings;
use super::metrics::{POOL_QUEUED, POOL_REJECTED, RETRIES, TIMEOUTS, names};
use super::msg::{Answer, Ep, Msg, Timer};
use super::pool::{Admission, Pool};
use crate::scenarios::Role;
use crate::sim::{Ctx, KnobValue, Time, TimerId};
use std::collections::{BTreeMap, VecDeque};

/// Index of the shared pool in [`Frontend::pools`]; bulkhead pools follow it.
const SHARED: usize = 0;

/// The attempt a task is waiting on.
#[derive(Clone, Debug)]
struct Call {
    sent: Time,
    permit: Option<Permit>,
    timeout: Option<TimerId>,
}

#[derive(Clone, Debug)]
struct Task {
    client: usize,
    /// The client's id for the request.
    id: u64,
    ep: Ep,
    /// The pool whose thread runs (or whose queue holds) the task.
    pool: usize,
    /// Attempts made so far.
    attempts: u32,
    call: Option<Call>,
}

#[derive(Clone, Debug)]
pub struct Frontend {
    /// The dependency behind each endpoint.
    deps: [usize; 2],
    settings: Settings,
    /// The shared pool, then one bulkhead pool per dependency. All three
    /// always exist: switching the bulkhead changes where new tasks go, and
    /// tasks already placed finish where they are.
    pools: [Pool; 3],
    tasks: BTreeMap<u64, Task>,
    next_task: u64,
    /// Threads working on each endpoint, across pools.
    busy: [usize; 2],
    breakers: [Option<Breaker>; 2],
    /// (breaker generation, calls sent) of the latest HALF_OPEN episode: the
    /// front end's own count, to check the breaker keeps its limit.
    trial_sent: [(u64, usize); 2],
    /// The instant a poll timer is set for, per breaker.
    poll_armed: [Option<Time>; 2],
    /// Tasks handed a thread, to be started; a worklist rather than recursion.
    ready: VecDeque<u64>,
}

impl Frontend {
    pub fn new(deps: [usize; 2], settings: Settings) -> Frontend {
        let pools = Self::fresh_pools(&settings);
        Frontend {
            deps,
            settings,
            pools,
            tasks: BTreeMap::new(),
            next_task: 0,
            busy: [0; 2],
            breakers: [None, None],
            trial_sent: [(u64::MAX, 0); 2],
            poll_armed: [None; 2],
            ready: VecDeque::new(),
        }
    }

    fn fresh_pools(s: &Settings) -> [Pool; 3] {
        let bulkhead = || Pool::new(s.bulkhead_size, s.bulkhead_size, s.bulkhead_queue);
        [
            Pool::new(s.pool_core, s.pool_max, s.pool_queue),
            bulkhead(),
            bulkhead(),
        ]
    }

    pub fn breaker_state(&self, ep: Ep) -> Option<State> {
        self.breakers[ep.index()].as_ref().map(Breaker::state)
    }

    /// Threads working for `ep`.
    pub fn busy(&self, ep: Ep) -> usize {
        self.busy[ep.index()]
    }

    fn switch_breaker_on(&mut self, ctx: &mut Ctx<'_, FlakyNode>, ep: Ep) {
        self.forget_permits(ep);
        let config = self.settings.breaker_config();
        self.breakers[ep.index()] = Some(Breaker::starting(config, ctx.now()));
        ctx.world().breaker[ep.index()] = Some(State::Closed);
        // a recovery from before the breaker existed is not this breaker's to close
        ctx.world().recovery[ep.index()].measured = true;
        ctx.gauge(names(ep).state, State::Closed.gauge());
        ctx.log(format!("breaker {}: switched on (CLOSED)", ep.key()));
    }

    /// Calls under way to `ep` no longer answer to a breaker: the one that
    /// admitted them is being replaced or removed.
    fn forget_permits(&mut self, ep: Ep) {
        for task in self.tasks.values_mut().filter(|t| t.ep == ep) {
            if let Some(call) = &mut task.call {
                call.permit = None;
            }
        }
    }

    /// A new request: find it a thread, a place in a queue, or turn it away.
    fn submit(&mut self, ctx: &mut Ctx<'_, FlakyNode>, client: usize, id: u64, ep: Ep) {
        let pool = if self.settings.bulkhead {
            1 + ep.index()
        } else {
            SHARED
        };
        let t = self.next_task;
        self.next_task += 1;
        self.tasks.insert(
            t,
            Task {
                client,
                id,
                ep,
                pool,
                attempts: 0,
                call: None,
            },
        );
        match self.pools[pool].submit(t) {
            Admission::Run => self.ready.push_back(t),
            Admission::Queued => {}
            Admission::Rejected => {
                ctx.count(POOL_REJECTED, 1);
                if ctx.logging() {
                    let p = &self.pools[pool];
                    let which = if pool == SHARED { "shared" } else { ep.key() };
                    ctx.log(format!(
                        "pool {which} rejected a request for {}: {} threads busy, {} queued",
                        ep.key(),
                        p.working(),
                        p.queued()
                    ));
                }
                self.answer(ctx, t, false);
            }
        }
    }

    /// Starts the tasks that were handed a thread.
    fn run_ready(&mut self, ctx: &mut Ctx<'_, FlakyNode>) {
        while let Some(t) = self.ready.pop_front() {
            if let Some(task) = self.tasks.get(&t) {
                self.busy[task.ep.index()] += 1;
                self.attempt(ctx, t);
            }
        }
    }

    /// One attempt: ask the breaker, then call the dependency.
    fn attempt(&mut self, ctx: &mut Ctx<'_, FlakyNode>, t: u64) {
        let Some(ep) = self.tasks.get(&t).map(|task| task.ep) else {
            return;
        };
        let i = ep.index();
        let n = names(ep);
        let mut permit = None;
        if let Some(b) = &mut self.breakers[i] {
            permit = b.try_acquire(ctx.now());
            let (state, generation, permitted) = (b.state(), b.generation(), b.permitted());
            self.breaker_moved(ctx, ep);
            if permit.is_none() {
                ctx.count(n.rejected, 1);
                self.finish(ctx, t, false);
                return;
            }
            if state == State::HalfOpen {
                let sent = &mut self.trial_sent[i];
                if sent.0 != generation {
                    *sent = (generation, 0);
                }
                sent.1 += 1;
                if sent.1 > permitted {
                    ctx.count(n.half_open_excess, 1);
                }
            }
        }
        let task = self.tasks.get_mut(&t).expect("checked above");
        task.attempts += 1;
        let attempt = task.attempts;
        ctx.send(self.deps[i], Msg::Call { task: t, attempt });
        ctx.count(n.calls, 1);
        let timeout = self
            .settings
            .timeout
            .map(|d| ctx.set_timer(d, Timer::CallTimeout { task: t, attempt }));
        task.call = Some(Call {
            sent: ctx.now(),
            permit,
            timeout,
        });
    }

    /// The pending call of task `t`, if `attempt` is the one it waits on.
    fn take_call(&mut self, t: u64, attempt: u32) -> Option<Call> {
        let task = self.tasks.get_mut(&t)?;
        if task.attempts != attempt {
            return None;
        }
        task.call.take()
    }

    /// An attempt ended: tell the breaker, then answer or retry.
    fn attempt_over(&mut self, ctx: &mut Ctx<'_, FlakyNode>, t: u64, call: Call, outcome: Outcome) {
        let Some(task) = self.tasks.get(&t) else {
            return;
        };
        let (ep, attempts) = (task.ep, task.attempts);
        if let (Some(b), Some(p)) = (&mut self.breakers[ep.index()], call.permit) {
            b.on_result(ctx.now(), p, outcome, ctx.now() - call.sent);
            self.breaker_moved(ctx, ep);
        }
        if outcome == Outcome::Success {
            self.finish(ctx, t, true);
        } else if attempts <= self.settings.retries {
            ctx.count(RETRIES, 1);
            self.attempt(ctx, t);
        } else {
            self.finish(ctx, t, false);
        }
    }

    /// The task is over: answer, and free its thread for the next queued task.
    fn finish(&mut self, ctx: &mut Ctx<'_, FlakyNode>, t: u64, ok: bool) {
        let Some(task) = self.tasks.get(&t) else {
            return;
        };
        let (ep, pool) = (task.ep, task.pool);
        self.answer(ctx, t, ok);
        self.busy[ep.index()] = self.busy[ep.index()].saturating_sub(1);
        if let Some(next) = self.pools[pool].finish() {
            self.ready.push_back(next);
        }
    }

    /// Replies to the client and forgets the task.
    fn answer(&mut self, ctx: &mut Ctx<'_, FlakyNode>, t: u64, ok: bool) {
        let Some(task) = self.tasks.remove(&t) else {
            return;
        };
        let answer = match (ok, self.settings.fallback) {
            (true, _) => Answer::Success,
            (false, true) => Answer::Degraded,
            (false, false) => Answer::Error,
        };
        ctx.send(
            task.client,
            Msg::Reply {
                id: task.id,
                answer,
            },
        );
    }

    /// Logs, counts and mirrors the breaker's transitions since last time.
    fn breaker_moved(&mut self, ctx: &mut Ctx<'_, FlakyNode>, ep: Ep) {
        let i = ep.index();
        let Some(b) = &mut self.breakers[i] else {
            return;
        };
        let moves = b.take_transitions();
        if moves.is_empty() {
            self.arm_poll(ctx, ep);
            return;
        }
        let n = names(ep);
        let now = ctx.now();
        for m in &moves {
            ctx.log(format!(
                "breaker {}: {} -> {} ({})",
                ep.key(),
                m.from,
                m.to,
                m.reason
            ));
            match m.to {
                State::Open => ctx.count(n.opened, 1),
                State::Closed => {
                    let r = &mut ctx.world().recovery[i];
                    if let (Some(at), false) = (r.at, r.measured) {
                        r.measured = true;
                        ctx.observe(n.recovery_close, now - at);
                    }
                }
                State::HalfOpen => {}
            }
        }
        let state = b.state();
        ctx.gauge(n.state, state.gauge());
        ctx.world().breaker[i] = Some(state);
        self.arm_poll(ctx, ep);
    }

    /// Sets a timer for when the breaker of `ep` next needs a poll (the end
    /// of its wait, say), unless one is set for that instant already.
    fn arm_poll(&mut self, ctx: &mut Ctx<'_, FlakyNode>, ep: Ep) {
        let i = ep.index();
        let next = self.breakers[i].as_ref().and_then(Breaker::next_poll);
        if let Some(at) = next
            && self.poll_armed[i] != Some(at)
        {
            self.poll_armed[i] = Some(at);
            let after = at.saturating_sub(ctx.now());
            ctx.set_timer(after, Timer::BreakerPoll { ep, at });
        }
    }

    fn gauges(&self, ctx: &mut Ctx<'_, FlakyNode>) {
        ctx.gauge(names(Ep::A).busy, self.busy[0] as f64);
        ctx.gauge(names(Ep::B).busy, self.busy[1] as f64);
        let queued: usize = self.pools.iter().map(Pool::queued).sum();
        ctx.gauge(POOL_QUEUED, queued as f64);
    }
}

impl Role<FlakyNode> for Frontend {
    fn name(&self) -> &str {
        "frontend"
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, FlakyNode>) {
        self.pools = Self::fresh_pools(&self.settings);
        for ep in Ep::BOTH {
            ctx.gauge(names(ep).state, OFF_GAUGE);
            self.breakers[ep.index()] = None;
            if self.settings.breaker {
                self.switch_breaker_on(ctx, ep);
            }
        }
        self.gauges(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, FlakyNode>, from: usize, msg: Msg) {
        match msg {
            Msg::Request { id, ep } => self.submit(ctx, from, id, ep),
            Msg::CallReply { task, attempt, ok } => {
                if let Some(call) = self.take_call(task, attempt) {
                    if let Some(t) = call.timeout {
                        ctx.cancel_timer(t);
                    }
                    let outcome = if ok {
                        Outcome::Success
                    } else {
                        Outcome::Failure
                    };
                    self.attempt_over(ctx, task, call, outcome);
                }
            }
            _ => {}
        }
        self.run_ready(ctx);
        self.gauges(ctx);
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, FlakyNode>, timer: Timer) {
        match timer {
            Timer::CallTimeout { task, attempt } => {
                if let Some(call) = self.take_call(task, attempt) {
                    ctx.count(TIMEOUTS, 1);
                    self.attempt_over(ctx, task, call, Outcome::Failure);
                }
            }
            Timer::BreakerPoll { ep, at } => {
                if self.poll_armed[ep.index()] == Some(at) {
                    self.poll_armed[ep.index()] = None;
                }
                if let Some(b) = &mut self.breakers[ep.index()]
                    && b.next_poll() == Some(at)
                {
                    b.poll(ctx.now());
                    self.breaker_moved(ctx, ep);
                }
            }
            _ => {}
        }
        self.run_ready(ctx);
        self.gauges(ctx);
    }

    /// Everything is volatile: tasks, pools and breakers die with the process.
    fn on_crash(&mut self, ctx: &mut Ctx<'_, FlakyNode>) {
        self.tasks.clear();
        self.ready.clear();
        self.pools.iter_mut().for_each(Pool::clear);
        self.busy = [0; 2];
        self.poll_armed = [None; 2];
        for ep in Ep::BOTH {
            self.breakers[ep.index()] = None;
            ctx.world().breaker[ep.index()] = None;
            ctx.gauge(names(ep).state, OFF_GAUGE);
        }
        self.gauges(ctx);
    }

    fn on_knob(&mut self, ctx: &mut Ctx<'_, FlakyNode>, name: &str, value: &KnobValue) {
        if !self.settings.set(name, value) {
            return;
        }
        let s = self.settings.clone();
        match name {
            "breaker" => {
                for ep in Ep::BOTH {
                    match (s.breaker, self.breakers[ep.index()].is_some()) {
                        (true, false) => self.switch_breaker_on(ctx, ep),
                        (false, true) => {
                            self.forget_permits(ep);
                            self.breakers[ep.index()] = None;
                            ctx.world().breaker[ep.index()] = None;
                            ctx.gauge(names(ep).state, OFF_GAUGE);
                            ctx.log(format!("breaker {}: switched off", ep.key()));
                        }
                        _ => {}
                    }
                }
            }
            n if n.starts_with("breaker_") => {
                let config = s.breaker_config();
                for ep in Ep::BOTH {
                    if let Some(b) = &mut self.breakers[ep.index()] {
                        b.set_config(ctx.now(), config.clone());
                        self.arm_poll(ctx, ep);
                    }
                }
            }
            "pool_core" | "pool_max" | "pool_queue" => {
                let start = self.pools[SHARED].set_sizes(s.pool_core, s.pool_max, s.pool_queue);
                self.ready.extend(start);
            }
            "bulkhead_size" | "bulkhead_queue" => {
                let (size, queue) = (s.bulkhead_size, s.bulkhead_queue);
                for p in &mut self.pools[1..] {
                    let start = p.set_sizes(size, size, queue);
                    self.ready.extend(start);
                }
            }
            _ => {}
        }
        self.run_ready(ctx);
        self.gauges(ctx);
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        let breaker = |ep: Ep| {
            self.breaker_state(ep)
                .map_or("off".to_string(), |s| s.name().to_string())
        };
        let queued: usize = self.pools.iter().map(Pool::queued).sum();
        let pools = if self.settings.bulkhead {
            "bulkhead"
        } else {
            "shared"
        };
        // Most telling first: a map shows only the first facts.
        vec![
            (
                "threads",
                format!("a {} b {} q {queued}", self.busy[0], self.busy[1]),
            ),
            ("breaker a", breaker(Ep::A)),
            ("breaker b", breaker(Ep::B)),
            ("pools", pools.to_string()),
        ]
    }
}
