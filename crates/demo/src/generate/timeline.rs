//! The timeline: when events happen (the daily cycle, bursts) and who acts.

use super::rng::{mix, Rng};
use super::world::World;
use super::DemoConfig;

pub(super) const DAY_MS: i64 = 86_400_000;

pub(super) struct Slot {
    pub(super) time_ms: i64,
    pub(super) principal: u32,
    /// 0 = ordinary, otherwise the burst's kind.
    pub(super) burst: BurstKind,
    /// The event's region when the caller decides it (the demo buckets' region folders);
    /// `None`: the plan draws it.
    pub(super) region: Option<&'static str>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum BurstKind {
    None,
    /// A scripted run: many calls by one principal in a few minutes.
    Run,
    /// A leaked key being tried from an unknown address: mostly failures.
    Attack,
}

/// Activity by hour of the day in China Standard Time (UTC+8), in percent of the peak.
pub(super) const HOURLY: [u32; 24] = [
    8, 5, 4, 3, 3, 4, 8, 20, 55, 85, 100, 95, 60, 75, 100, 100, 95, 80, 50, 35, 30, 25, 18, 12,
];

pub(super) fn timeline(cfg: &DemoConfig, world: &World) -> Vec<Slot> {
    let mut rng = Rng::new(mix(cfg.seed, 0x71AE_11AE));
    let start = cfg.start_ms();
    let span = (cfg.end_ms - start).max(1);
    let days = cfg.span_days.max(1) as usize;
    let mut slots: Vec<Slot> = Vec::with_capacity(cfg.count);

    // Bursts: about one scripted run a day and an attack every ten days, together ~10% of events.
    let runs = days;
    let attacks = days.div_ceil(10);
    let run_share = cfg.count / 12;
    let attack_size = (cfg.count / 1500).max(3);
    let mut burst_budget = run_share + attack_size * attacks;
    if burst_budget > cfg.count / 2 {
        burst_budget = cfg.count / 2;
    }
    let mut bursts: Vec<(i64, i64, u32, BurstKind, usize)> = Vec::new();
    for b in 0..runs + attacks {
        let attack = b >= runs;
        let len_ms = if attack {
            60_000 * (5 + rng.below(20)) as i64
        } else {
            60_000 * (2 + rng.below(25)) as i64
        };
        let at = if attack {
            start + rng.below(span as usize) as i64
        } else {
            working_time(&mut rng, start, span)
        };
        let who = if attack {
            world.attacker
        } else {
            *rng.pick(&world.bursty)
        };
        let size = if attack {
            attack_size
        } else {
            (run_share / runs.max(1)).max(1) * (1 + rng.below(3)) / 2 + 1
        };
        bursts.push((
            at,
            len_ms,
            who as u32,
            if attack {
                BurstKind::Attack
            } else {
                BurstKind::Run
            },
            size,
        ));
    }
    for &(at, len_ms, who, kind, size) in &bursts {
        for _ in 0..size {
            if slots.len() >= burst_budget {
                break;
            }
            let t = (at + rng.below(len_ms as usize) as i64).clamp(start, cfg.end_ms - 1);
            slots.push(Slot {
                time_ms: t,
                principal: who,
                burst: kind,
                region: None,
            });
        }
    }

    while slots.len() < cfg.count {
        let p = rng.weighted(&world.weights);
        let t = if world.principals[p].around_the_clock {
            // Scripts: steady, with a mild daily swell.
            if rng.chance(0.7) {
                start + rng.below(span as usize) as i64
            } else {
                working_time(&mut rng, start, span)
            }
        } else {
            working_time(&mut rng, start, span)
        };
        slots.push(Slot {
            time_ms: t,
            principal: p as u32,
            burst: BurstKind::None,
            region: None,
        });
    }
    slots.truncate(cfg.count);
    for s in &mut slots {
        // `eventTime` has whole seconds: keep `time_ms` equal to it, and never at or past the end.
        s.time_ms = s.time_ms.div_euclid(1000) * 1000;
        if s.time_ms >= cfg.end_ms {
            s.time_ms = (cfg.end_ms - 1).div_euclid(1000) * 1000;
        }
        if s.time_ms < start {
            s.time_ms = start.div_euclid(1000) * 1000 + 1000;
        }
    }
    // Deterministic: ties keep their slot order (stable sort).
    slots.sort_by_key(|s| s.time_ms);
    slots
}

/// A time in the range, drawn by the daily cycle (working hours, quieter weekends).
pub(super) fn working_time(rng: &mut Rng, start: i64, span: i64) -> i64 {
    for _ in 0..64 {
        let t = start + rng.below(span as usize) as i64;
        let local = t.div_euclid(1000) + 8 * 3600;
        let hour = (local.div_euclid(3600) % 24) as usize;
        // 1970-01-01 was a Thursday: day 0 -> weekday 3 (Mon = 0).
        let weekday = (local.div_euclid(86_400) + 3) % 7;
        let mut p = f64::from(HOURLY[hour]) / 100.0;
        if weekday >= 5 {
            p *= 0.3;
        }
        if rng.chance(p) {
            return t;
        }
    }
    start + rng.below(span as usize) as i64
}
