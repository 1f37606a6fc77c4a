//! The network between nodes: a configuration per directed link (latency
//! distribution, loss, duplication), cuts for partitions, and held links,
//! with the network faults a script or a learner makes (partition, isolate,
//! cut, heal, hold, link changes) as operations on it.

use super::time::Time;
use rand::RngExt;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, Exp, Normal};
use serde::{Deserialize, Serialize};
use std::fmt;

/// How long a message takes on a link. Jitter (any spread) reorders messages.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "lowercase")]
pub enum Latency {
    Constant {
        value: Time,
    },
    Uniform {
        min: Time,
        max: Time,
    },
    /// Truncated at zero.
    Normal {
        mean: Time,
        stddev: Time,
    },
    Exponential {
        mean: Time,
    },
}

impl Latency {
    pub fn sample(&self, rng: &mut Xoshiro256PlusPlus) -> Time {
        match *self {
            Latency::Constant { value } => value,
            Latency::Uniform { min, max } => {
                if max.0 <= min.0 {
                    min
                } else {
                    Time(rng.random_range(min.0..=max.0))
                }
            }
            Latency::Normal { mean, stddev } => {
                if stddev.0 == 0 {
                    return mean;
                }
                let n = Normal::new(mean.0 as f64, stddev.0 as f64).expect("stddev is finite");
                Time(n.sample(rng).max(0.0).round() as u64)
            }
            Latency::Exponential { mean } => {
                if mean.0 == 0 {
                    return Time::ZERO;
                }
                let e = Exp::new(1.0 / mean.0 as f64).expect("rate is positive");
                Time(e.sample(rng).round() as u64)
            }
        }
    }

    /// The typical value, used to draw messages in proportion to their trip.
    pub fn mean(&self) -> Time {
        match *self {
            Latency::Constant { value } => value,
            Latency::Uniform { min, max } => Time((min.0 + max.0) / 2),
            Latency::Normal { mean, .. } | Latency::Exponential { mean } => mean,
        }
    }
}

impl Default for Latency {
    fn default() -> Self {
        Latency::Constant {
            value: Time::millis(1),
        }
    }
}

impl fmt::Display for Latency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Latency::Constant { value } => write!(f, "{value}"),
            Latency::Uniform { min, max } => write!(f, "uniform {min}..{max}"),
            Latency::Normal { mean, stddev } => write!(f, "normal {mean}±{stddev}"),
            Latency::Exponential { mean } => write!(f, "exponential mean {mean}"),
        }
    }
}

/// The behaviour of one directed link.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LinkConfig {
    pub latency: Latency,
    /// Probability in [0, 1] that a message is lost.
    pub loss: f64,
    /// Probability in [0, 1] that a message is delivered twice.
    pub duplicate: f64,
}

/// A change to some links' configuration; `None` leaves a field as it is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LinkChange {
    pub latency: Option<Latency>,
    pub loss: Option<f64>,
    pub duplicate: Option<f64>,
}

impl LinkChange {
    pub fn apply(&self, link: &mut LinkConfig) {
        if let Some(l) = self.latency {
            link.latency = l;
        }
        if let Some(p) = self.loss {
            link.loss = p.clamp(0.0, 1.0);
        }
        if let Some(p) = self.duplicate {
            link.duplicate = p.clamp(0.0, 1.0);
        }
    }
}

/// State of every directed link, indexed `from * n + to`.
#[derive(Clone, Debug)]
pub struct Network {
    n: usize,
    links: Vec<LinkConfig>,
    cut: Vec<bool>,
    held: Vec<bool>,
}

impl Network {
    pub fn new(n: usize, default: LinkConfig) -> Network {
        Network {
            n,
            links: vec![default; n * n],
            cut: vec![false; n * n],
            held: vec![false; n * n],
        }
    }

    fn at(&self, from: usize, to: usize) -> usize {
        from * self.n + to
    }

    /// Everything about one directed link at once, for the simulator's hot path.
    #[inline]
    pub(crate) fn state(&self, from: usize, to: usize) -> (&LinkConfig, bool, bool) {
        let i = self.at(from, to);
        (&self.links[i], self.cut[i], self.held[i])
    }

    pub fn link(&self, from: usize, to: usize) -> &LinkConfig {
        &self.links[self.at(from, to)]
    }

    pub fn link_mut(&mut self, from: usize, to: usize) -> &mut LinkConfig {
        let i = self.at(from, to);
        &mut self.links[i]
    }

    pub fn is_cut(&self, from: usize, to: usize) -> bool {
        self.cut[self.at(from, to)]
    }

    pub fn is_held(&self, from: usize, to: usize) -> bool {
        self.held[self.at(from, to)]
    }

    pub fn set_cut(&mut self, from: usize, to: usize, cut: bool) {
        let i = self.at(from, to);
        self.cut[i] = cut;
    }

    pub fn set_held(&mut self, from: usize, to: usize, held: bool) {
        let i = self.at(from, to);
        self.held[i] = held;
    }

    /// Cuts every link between nodes of different groups, both ways. Nodes
    /// in no group keep their links.
    pub fn partition(&mut self, groups: &[Vec<usize>]) {
        for (gi, a) in groups.iter().enumerate() {
            for b in &groups[gi + 1..] {
                for &x in a {
                    for &y in b {
                        if x != y {
                            self.set_cut(x, y, true);
                            self.set_cut(y, x, true);
                        }
                    }
                }
            }
        }
    }

    /// Cuts node `i` off from every other node, both ways.
    pub fn isolate(&mut self, i: usize) {
        for j in (0..self.n).filter(|&j| j != i) {
            self.set_cut(i, j, true);
            self.set_cut(j, i, true);
        }
    }

    /// Removes every cut. Held links are released by the simulator.
    pub fn heal(&mut self) {
        self.cut.iter_mut().for_each(|c| *c = false);
    }

    /// Applies `change` to every link from a node of `from` to a node of `to`.
    pub fn change_links(&mut self, from: &[usize], to: &[usize], change: &LinkChange) {
        for &a in from {
            for &b in to {
                change.apply(self.link_mut(a, b));
            }
        }
    }

    /// Every directed link that is held, as (from, to), in order.
    pub fn held_links(&self) -> Vec<(usize, usize)> {
        (0..self.n * self.n)
            .filter(|&i| self.held[i])
            .map(|i| (i / self.n, i % self.n))
            .collect()
    }

    /// Every directed link that is cut, as (from, to).
    pub fn cuts(&self) -> Vec<(usize, usize)> {
        (0..self.n * self.n)
            .filter(|&i| self.cut[i])
            .map(|i| (i / self.n, i % self.n))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn mean_and_spread(l: Latency) -> (f64, f64, f64) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
        let v: Vec<f64> = (0..20_000).map(|_| l.sample(&mut rng).0 as f64).collect();
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let min = v.iter().copied().fold(f64::MAX, f64::min);
        let max = v.iter().copied().fold(0.0, f64::max);
        (mean, min, max)
    }

    #[test]
    fn each_distribution_has_the_shape_it_claims() {
        let ms = Time::millis;
        assert_eq!(
            mean_and_spread(Latency::Constant { value: ms(5) }),
            (5000.0, 5000.0, 5000.0)
        );
        let (mean, min, max) = mean_and_spread(Latency::Uniform {
            min: ms(2),
            max: ms(4),
        });
        assert!(
            (mean - 3000.0).abs() < 30.0 && min >= 2000.0 && max <= 4000.0,
            "{mean} {min} {max}"
        );
        let (mean, min, _) = mean_and_spread(Latency::Normal {
            mean: ms(10),
            stddev: ms(2),
        });
        assert!((mean - 10_000.0).abs() < 60.0 && min >= 0.0, "{mean} {min}");
        let (mean, min, max) = mean_and_spread(Latency::Exponential { mean: ms(4) });
        assert!(
            (mean - 4000.0).abs() < 120.0 && min >= 0.0 && max > 16_000.0,
            "{mean} {min} {max}"
        );
        // A normal latency never goes below zero, however wide.
        let (_, min, _) = mean_and_spread(Latency::Normal {
            mean: ms(1),
            stddev: ms(5),
        });
        assert!(min >= 0.0);
    }
}
