//! A role: one kind of node in a scenario (a replica, a client, a lock
//! server). Each role is its own type implementing [`Role`], which has a
//! do-nothing default for every event it does not care about; [`roles!`](crate::roles)
//! ties a scenario's roles into the one node type the simulator runs.

use crate::sim::{Ctx, KnobValue, LockView, Node, QueueView};

/// One kind of node of the scenario whose node type is `N`. Every handler
/// has a default that ignores the event; a role writes only those it needs.
pub trait Role<N: Node> {
    /// The role's name now, e.g. `primary`; scripts select nodes by it.
    fn name(&self) -> &str;

    /// At the start of the run and again after each restart.
    fn on_start(&mut self, _ctx: &mut Ctx<'_, N>) {}

    fn on_message(&mut self, _ctx: &mut Ctx<'_, N>, _from: usize, _msg: N::Msg) {}

    fn on_timer(&mut self, _ctx: &mut Ctx<'_, N>, _timer: N::Timer) {}

    /// The node has crashed: drop everything volatile, keep what is durable.
    /// Nothing sent from here leaves the node.
    fn on_crash(&mut self, _ctx: &mut Ctx<'_, N>) {}

    fn on_knob(&mut self, _ctx: &mut Ctx<'_, N>, _name: &str, _value: &KnobValue) {}

    fn on_command(&mut self, _ctx: &mut Ctx<'_, N>, _command: &str) {}

    /// A few facts for display, e.g. `[("epoch", "3")]`.
    fn facts(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    /// The locks this node keeps, for lock tables and wait-for graphs.
    fn locks(&self) -> Vec<LockView> {
        Vec::new()
    }

    /// The queues this node keeps, for queue panels.
    fn queues(&self) -> Vec<QueueView> {
        Vec::new()
    }
}

/// The node type of a scenario: an enum with one variant per role, each
/// holding a type that implements [`Role`] (boxed, so the enum stays small
/// whatever the roles' sizes), the [`Node`] implementation that hands every
/// event to the role, a `From` for each role, and an accessor per variant
/// that returns the role when the node has it.
///
/// ```ignore
/// roles! {
///     /// A node of the deadlock cluster.
///     pub enum DeadlockNode { msg: Msg, timer: Timer, world: Judge }
///     Bank(Bank) as_bank,
///     Worker(Worker) as_worker,
/// }
/// ```
#[macro_export]
macro_rules! roles {
    (
        $(#[$meta:meta])*
        $vis:vis enum $node:ident { msg: $msg:ty, timer: $timer:ty, world: $world:ty }
        $( $(#[$vmeta:meta])* $variant:ident($role:ty) $as:ident ),+ $(,)?
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug)]
        $vis enum $node {
            $( $(#[$vmeta])* $variant(Box<$role>), )+
        }

        $(
            impl From<$role> for $node {
                fn from(role: $role) -> Self {
                    $node::$variant(Box::new(role))
                }
            }
        )+

        impl $node {
            $(
                #[allow(unreachable_patterns)]
                pub fn $as(&self) -> Option<&$role> {
                    match self {
                        $node::$variant(r) => Some(r),
                        _ => None,
                    }
                }
            )+
        }

        impl $crate::sim::Node for $node {
            type Msg = $msg;
            type Timer = $timer;
            type World = $world;

            fn on_start(&mut self, ctx: &mut $crate::sim::Ctx<'_, Self>) {
                use $crate::scenarios::Role;
                match self { $( $node::$variant(r) => r.on_start(ctx), )+ }
            }

            fn on_message(&mut self, ctx: &mut $crate::sim::Ctx<'_, Self>, from: usize, msg: $msg) {
                use $crate::scenarios::Role;
                match self { $( $node::$variant(r) => r.on_message(ctx, from, msg), )+ }
            }

            fn on_timer(&mut self, ctx: &mut $crate::sim::Ctx<'_, Self>, timer: $timer) {
                use $crate::scenarios::Role;
                match self { $( $node::$variant(r) => r.on_timer(ctx, timer), )+ }
            }

            fn on_crash(&mut self, ctx: &mut $crate::sim::Ctx<'_, Self>) {
                use $crate::scenarios::Role;
                match self { $( $node::$variant(r) => r.on_crash(ctx), )+ }
            }

            fn on_knob(
                &mut self,
                ctx: &mut $crate::sim::Ctx<'_, Self>,
                name: &str,
                value: &$crate::sim::KnobValue,
            ) {
                use $crate::scenarios::Role;
                match self { $( $node::$variant(r) => r.on_knob(ctx, name, value), )+ }
            }

            fn on_command(&mut self, ctx: &mut $crate::sim::Ctx<'_, Self>, command: &str) {
                use $crate::scenarios::Role;
                match self { $( $node::$variant(r) => r.on_command(ctx, command), )+ }
            }

            fn role(&self) -> &str {
                use $crate::scenarios::Role;
                match self { $( $node::$variant(r) => r.name(), )+ }
            }

            fn facts(&self) -> Vec<(&'static str, String)> {
                use $crate::scenarios::Role;
                match self { $( $node::$variant(r) => r.facts(), )+ }
            }

            fn locks(&self) -> Vec<$crate::sim::LockView> {
                use $crate::scenarios::Role;
                match self { $( $node::$variant(r) => r.locks(), )+ }
            }

            fn queues(&self) -> Vec<$crate::sim::QueueView> {
                use $crate::scenarios::Role;
                match self { $( $node::$variant(r) => r.queues(), )+ }
            }
        }
    };
}
