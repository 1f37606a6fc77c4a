//! Knobs: a scenario's parameters. [`KnobKind`] and [`KnobSpec`] are what
//! lesson files, the command line and the interface see; [`knobs!`](crate::knobs) declares
//! a scenario's typed settings so that each knob is written once, giving its
//! spec, its default and the field that holds its value.

use crate::sim::{KnobValue, Time};
use std::marker::PhantomData;
use std::ops::RangeInclusive;

/// The type and range of a knob.
#[derive(Clone, Debug, PartialEq)]
pub enum KnobKind {
    /// `on` / `off`.
    Switch,
    Int {
        min: i64,
        max: i64,
    },
    Float {
        min: f64,
        max: f64,
    },
    Duration {
        min: Time,
        max: Time,
    },
    /// A duration, or `off`.
    DurationOrOff {
        min: Time,
        max: Time,
    },
    Choice(Vec<String>),
}

impl KnobKind {
    /// The word a lesson file uses for this kind.
    pub fn name(&self) -> &'static str {
        match self {
            KnobKind::Switch => "switch",
            KnobKind::Int { .. } => "int",
            KnobKind::Float { .. } => "float",
            KnobKind::Duration { .. } => "duration",
            KnobKind::DurationOrOff { .. } => "duration-or-off",
            KnobKind::Choice(_) => "choice",
        }
    }

    /// Reads a value written as text (`on`, `3`, `0.5`, `250ms`, `off`, `quorum`).
    pub fn parse(&self, text: &str) -> Result<KnobValue, String> {
        let t = text.trim();
        match self {
            KnobKind::Switch => match t {
                "on" | "true" | "yes" => Ok(KnobValue::Bool(true)),
                "off" | "false" | "no" => Ok(KnobValue::Bool(false)),
                _ => Err(format!("expected on or off, found `{t}`")),
            },
            KnobKind::Int { min, max } => {
                let v: i64 = t
                    .parse()
                    .map_err(|_| format!("expected a whole number, found `{t}`"))?;
                if v < *min || v > *max {
                    return Err(format!("{v} is out of range {min}..={max}"));
                }
                Ok(KnobValue::Int(v))
            }
            KnobKind::Float { min, max } => {
                let v: f64 = t
                    .parse()
                    .map_err(|_| format!("expected a number, found `{t}`"))?;
                if !(v >= *min && v <= *max) {
                    return Err(format!("{v} is out of range {min}..={max}"));
                }
                Ok(KnobValue::Float(v))
            }
            KnobKind::Duration { min, max } | KnobKind::DurationOrOff { min, max } => {
                if t == "off" {
                    return match self {
                        KnobKind::DurationOrOff { .. } => Ok(KnobValue::Off),
                        _ => Err("this knob cannot be off: give a duration such as 250ms".into()),
                    };
                }
                let v = Time::parse(t)?;
                if v < *min || v > *max {
                    return Err(format!("{v} is out of range {min}..={max}"));
                }
                Ok(KnobValue::Duration(v))
            }
            KnobKind::Choice(choices) => {
                if choices.iter().any(|c| c == t) {
                    Ok(KnobValue::Choice(t.to_string()))
                } else {
                    Err(format!(
                        "expected one of {}, found `{t}`",
                        choices.join(", ")
                    ))
                }
            }
        }
    }

    /// Whether `other` (a lesson's narrowing of this knob) stays within this kind.
    pub fn contains(&self, other: &KnobKind) -> bool {
        match (self, other) {
            (KnobKind::Switch, KnobKind::Switch) => true,
            (KnobKind::Int { min, max }, KnobKind::Int { min: a, max: b }) => min <= a && b <= max,
            (KnobKind::Float { min, max }, KnobKind::Float { min: a, max: b }) => {
                min <= a && b <= max
            }
            (KnobKind::Duration { min, max }, KnobKind::Duration { min: a, max: b })
            | (KnobKind::DurationOrOff { min, max }, KnobKind::DurationOrOff { min: a, max: b })
            | (KnobKind::DurationOrOff { min, max }, KnobKind::Duration { min: a, max: b }) => {
                min <= a && b <= max
            }
            (KnobKind::Choice(all), KnobKind::Choice(some)) => some.iter().all(|c| all.contains(c)),
            _ => false,
        }
    }

    /// A human description of the accepted values.
    pub fn accepted(&self) -> String {
        match self {
            KnobKind::Switch => "on or off".into(),
            KnobKind::Int { min, max } => format!("a whole number in {min}..={max}"),
            KnobKind::Float { min, max } => format!("a number in {min}..={max}"),
            KnobKind::Duration { min, max } => format!("a duration in {min}..={max}"),
            KnobKind::DurationOrOff { min, max } => format!("off or a duration in {min}..={max}"),
            KnobKind::Choice(c) => format!("one of {}", c.join(", ")),
        }
    }
}

/// A knob as the scenario defines it; a lesson may narrow its range and change
/// its default and description.
#[derive(Clone, Debug)]
pub struct KnobSpec {
    pub name: &'static str,
    pub kind: KnobKind,
    pub default: KnobValue,
    pub description: &'static str,
}

/// A Rust type a knob's value can be read into.
pub trait FromKnob: Sized {
    /// The value, or `None` if `value` is not of this type (the setting
    /// then keeps what it had).
    fn from_knob(value: &KnobValue) -> Option<Self>;
}

impl FromKnob for bool {
    fn from_knob(value: &KnobValue) -> Option<bool> {
        match value {
            KnobValue::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

macro_rules! whole_numbers {
    ($($t:ty),*) => {$(
        impl FromKnob for $t {
            fn from_knob(value: &KnobValue) -> Option<$t> {
                match value {
                    KnobValue::Int(i) => <$t>::try_from(*i).ok(),
                    _ => None,
                }
            }
        }
    )*};
}
whole_numbers!(i64, u32, u64, usize);

impl FromKnob for f64 {
    /// A float, or a whole number read as one (a rate declared as `int`).
    fn from_knob(value: &KnobValue) -> Option<f64> {
        match value {
            KnobValue::Float(f) => Some(*f),
            KnobValue::Int(i) => Some(*i as f64),
            _ => None,
        }
    }
}

impl FromKnob for Time {
    fn from_knob(value: &KnobValue) -> Option<Time> {
        value.as_duration()
    }
}

impl FromKnob for Option<Time> {
    /// A duration, or `None` for `off`.
    fn from_knob(value: &KnobValue) -> Option<Option<Time>> {
        match value {
            KnobValue::Duration(t) => Some(Some(*t)),
            KnobValue::Off => Some(None),
            _ => None,
        }
    }
}

/// An enum a `choice` knob picks a variant of; declare one with [`choices!`](crate::choices).
pub trait Choice: Copy + PartialEq + 'static {
    /// Every variant with the word that names it, in the order shown.
    const ALL: &'static [(&'static str, Self)];

    /// The word that names this variant.
    fn word(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, v)| *v == self)
            .map_or("", |(w, _)| w)
    }
}

/// One knob's declaration: its kind, default and description, for a setting
/// of type `T`. Made by [`switch`], [`int`], [`float`], [`duration`],
/// [`duration_or_off`] or [`choice`], and used by [`knobs!`](crate::knobs).
pub struct Knob<T> {
    pub kind: KnobKind,
    pub default: KnobValue,
    pub description: &'static str,
    setting: PhantomData<fn() -> T>,
}

impl<T: FromKnob> Knob<T> {
    fn new(kind: KnobKind, default: KnobValue, description: &'static str) -> Knob<T> {
        Knob {
            kind,
            default,
            description,
            setting: PhantomData,
        }
    }

    /// The spec lessons and the command line see, under `name`.
    pub fn spec(self, name: &'static str) -> KnobSpec {
        KnobSpec {
            name,
            kind: self.kind,
            default: self.default,
            description: self.description,
        }
    }

    /// The default, typed.
    pub fn default_value(&self) -> T {
        T::from_knob(&self.default).expect("a knob's default is of its own type")
    }
}

/// `on` / `off`.
pub fn switch(default: bool, description: &'static str) -> Knob<bool> {
    Knob::new(KnobKind::Switch, KnobValue::Bool(default), description)
}

/// A whole number in `range`, read into any integer type (or `f64`).
pub fn int<T: FromKnob>(
    default: i64,
    range: RangeInclusive<i64>,
    description: &'static str,
) -> Knob<T> {
    let (min, max) = range.into_inner();
    Knob::new(
        KnobKind::Int { min, max },
        KnobValue::Int(default),
        description,
    )
}

/// A number in `range`.
pub fn float(default: f64, range: RangeInclusive<f64>, description: &'static str) -> Knob<f64> {
    let (min, max) = range.into_inner();
    Knob::new(
        KnobKind::Float { min, max },
        KnobValue::Float(default),
        description,
    )
}

/// A duration in `range`.
pub fn duration(
    default: Time,
    range: RangeInclusive<Time>,
    description: &'static str,
) -> Knob<Time> {
    let (min, max) = range.into_inner();
    Knob::new(
        KnobKind::Duration { min, max },
        KnobValue::Duration(default),
        description,
    )
}

/// A duration in `range`, or `off` (`None`).
pub fn duration_or_off(
    default: Option<Time>,
    range: RangeInclusive<Time>,
    description: &'static str,
) -> Knob<Option<Time>> {
    let (min, max) = range.into_inner();
    Knob::new(
        KnobKind::DurationOrOff { min, max },
        default.map_or(KnobValue::Off, KnobValue::Duration),
        description,
    )
}

/// One of the variants of `T`.
pub fn choice<T: Choice + FromKnob>(default: T, description: &'static str) -> Knob<T> {
    Knob::new(
        KnobKind::Choice(T::ALL.iter().map(|(w, _)| w.to_string()).collect()),
        KnobValue::Choice(default.word().to_string()),
        description,
    )
}

/// An enum for a `choice` knob: each variant with the word that names it.
/// Implements [`Choice`] and [`FromKnob`] for it.
///
/// ```ignore
/// choices! {
///     /// In which order a transfer takes its two locks.
///     #[derive(Clone, Copy, Debug, PartialEq, Eq)]
///     pub enum Order { Request = "request", Global = "global" }
/// }
/// ```
#[macro_export]
macro_rules! choices {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $word:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $crate::scenarios::knob::Choice for $name {
            const ALL: &'static [(&'static str, Self)] = &[ $( ($word, $name::$variant), )+ ];
        }

        impl $crate::scenarios::knob::FromKnob for $name {
            fn from_knob(value: &$crate::sim::KnobValue) -> Option<Self> {
                match value {
                    $( $crate::sim::KnobValue::Choice(c) if c == $word => Some($name::$variant), )+
                    _ => None,
                }
            }
        }
    };
}

/// A scenario's settings: a struct with one field per knob, each declared
/// once with what makes its spec and default. The knob's name is the
/// field's. Generates `knobs()` (the specs, in field order), `set(name,
/// value)` (false for a name that is not a knob), `from_setup(setup)` and
/// `Default` (every knob at its default).
///
/// ```ignore
/// knobs! {
///     #[derive(Clone, Copy, Debug)]
///     pub struct Config {
///         pub order: Order = choice(Order::Request, "Which account is locked first."),
///         pub permits: u32 = int(4, 1..=8, "Permits of the connection pool."),
///     }
/// }
/// ```
#[macro_export]
macro_rules! knobs {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$fmeta:meta])* $fvis:vis $field:ident : $ty:ty = $knob:expr ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $( $(#[$fmeta])* $fvis $field: $ty, )+
        }

        impl $name {
            /// Every knob's spec, in declaration order.
            pub fn knobs() -> Vec<$crate::scenarios::KnobSpec> {
                vec![ $( {
                    let knob: $crate::scenarios::knob::Knob<$ty> = $knob;
                    knob.spec(stringify!($field))
                }, )+ ]
            }

            /// Sets knob `name`; false if there is no such knob. A value of
            /// the wrong type leaves the setting as it was.
            pub fn set(&mut self, name: &str, value: &$crate::sim::KnobValue) -> bool {
                use $crate::scenarios::knob::FromKnob;
                match name {
                    $( stringify!($field) => {
                        if let Some(v) = <$ty as FromKnob>::from_knob(value) {
                            self.$field = v;
                        }
                        true
                    } )+
                    _ => false,
                }
            }

            /// The defaults, changed by the knob values `setup` gives.
            pub fn from_setup(setup: &$crate::scenarios::Setup) -> Self {
                let mut settings = Self::default();
                for (name, value) in &setup.knobs {
                    settings.set(name, value);
                }
                settings
            }
        }

        impl Default for $name {
            /// Every knob at its default.
            fn default() -> Self {
                $name { $( $field: {
                    let knob: $crate::scenarios::knob::Knob<$ty> = $knob;
                    knob.default_value()
                }, )+ }
            }
        }
    };
}
