//! Virtual time: integer microseconds since the start of a run.
//!
//! One type serves for instants and for spans of time. It never touches the
//! wall clock; the simulator moves it forward as events are processed.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// Microseconds of virtual time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(pub u64);

impl Time {
    pub const ZERO: Time = Time(0);
    pub const MAX: Time = Time(u64::MAX);

    pub const fn micros(us: u64) -> Time {
        Time(us)
    }
    pub const fn millis(ms: u64) -> Time {
        Time(ms * 1_000)
    }
    pub const fn secs(s: u64) -> Time {
        Time(s * 1_000_000)
    }
    pub fn from_secs_f64(s: f64) -> Time {
        Time((s.max(0.0) * 1e6).round() as u64)
    }
    pub const fn as_micros(self) -> u64 {
        self.0
    }
    pub fn as_millis_f64(self) -> f64 {
        self.0 as f64 / 1e3
    }
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }
    pub fn saturating_sub(self, other: Time) -> Time {
        Time(self.0.saturating_sub(other.0))
    }
    pub fn mul_f64(self, factor: f64) -> Time {
        Time((self.0 as f64 * factor).round().max(0.0) as u64)
    }

    /// Parses a duration written like `90s`, `1500ms`, `2m`, `250us`, `1.5s`, `1h`.
    pub fn parse(text: &str) -> Result<Time, String> {
        let t = text.trim();
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| format!("`{t}` has no unit: write it like 90s, 1500ms, 2m or 250us"))?;
        let (num, unit) = t.split_at(split);
        let value: f64 = match num.parse() {
            Ok(v) => v,
            Err(_) if num.is_empty() => {
                return Err(format!(
                    "`{t}` does not start with a number: write it like 90s, 1500ms or 2m"
                ));
            }
            Err(_) => {
                return Err(format!(
                    "`{num}` in `{t}` is not a number: write it like 90s, 1.5s or 1500ms"
                ));
            }
        };
        let scale = match unit.trim() {
            "us" | "µs" => 1.0,
            "ms" => 1e3,
            "s" => 1e6,
            "m" | "min" => 60e6,
            "h" => 3600e6,
            other => {
                return Err(format!(
                    "`{other}` is not a unit of time in `{t}`: use us, ms, s, m or h"
                ));
            }
        };
        let us = value * scale;
        if !us.is_finite() || us > 1e15 {
            return Err(format!("`{t}` is too long a duration"));
        }
        Ok(Time(us.round() as u64))
    }
}

impl Add for Time {
    type Output = Time;
    fn add(self, rhs: Time) -> Time {
        Time(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign for Time {
    fn add_assign(&mut self, rhs: Time) {
        self.0 = self.0.saturating_add(rhs.0);
    }
}

impl Sub for Time {
    type Output = Time;
    fn sub(self, rhs: Time) -> Time {
        Time(self.0.saturating_sub(rhs.0))
    }
}

/// Prints the shortest exact form: `0s`, `250us`, `1.5ms`, `12.034s`, `90s`, `2m`.
impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let us = self.0;
        if us == 0 {
            return f.write_str("0s");
        }
        if us < 1_000 {
            return write!(f, "{us}us");
        }
        if us < 1_000_000 {
            return write!(f, "{}ms", trim_fraction(us, 1_000));
        }
        if us.is_multiple_of(60_000_000) {
            return write!(f, "{}m", us / 60_000_000);
        }
        write!(f, "{}s", trim_fraction(us, 1_000_000))
    }
}

fn trim_fraction(value: u64, unit: u64) -> String {
    let whole = value / unit;
    let frac = value % unit;
    if frac == 0 {
        return whole.to_string();
    }
    let width = unit.ilog10() as usize;
    let digits = format!("{frac:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

impl serde::Serialize for Time {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Time {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Time, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Time;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as \"90s\", \"1500ms\" or \"2m\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Time, E> {
                Time::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_forms() {
        assert_eq!(Time::parse("90s"), Ok(Time::secs(90)));
        assert_eq!(Time::parse("1500ms"), Ok(Time::millis(1500)));
        assert_eq!(Time::parse("2m"), Ok(Time::secs(120)));
        assert_eq!(Time::parse("250us"), Ok(Time::micros(250)));
        assert_eq!(Time::parse("1.5s"), Ok(Time::millis(1500)));
        assert_eq!(Time::parse("1h"), Ok(Time::secs(3600)));
    }

    #[test]
    fn rejects_what_is_not_a_duration() {
        assert!(Time::parse("90").unwrap_err().contains("no unit"));
        assert!(Time::parse("ten s").unwrap_err().contains("number"));
        assert!(Time::parse("5 parsecs").unwrap_err().contains("not a unit"));
        assert!(Time::parse("").is_err());
    }

    #[test]
    fn prints_back_what_it_parses() {
        for text in ["0s", "250us", "1.5ms", "12.034s", "2m", "90s", "90ms"] {
            assert_eq!(Time::parse(text).unwrap().to_string(), text);
        }
    }
}
