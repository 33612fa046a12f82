//! Stage timings for profiling a build: with `DANGJIAN_TIMINGS=1` in the environment, each stage
//! of the pipeline prints how long it took to standard error. Off by default, and free when off.

use std::time::Instant;

/// Marks the end of each stage and, when enabled, prints its duration.
pub struct StageTimer {
    enabled: bool,
    started: Instant,
    last: Instant,
}

impl StageTimer {
    /// A timer that prints only when `DANGJIAN_TIMINGS` is set to something other than `0`.
    pub fn from_env() -> StageTimer {
        let enabled = std::env::var_os("DANGJIAN_TIMINGS").is_some_and(|v| v != "0");
        let now = Instant::now();
        StageTimer {
            enabled,
            started: now,
            last: now,
        }
    }

    /// Ends the stage called `label`: prints the time since the previous mark and since the start.
    pub fn mark(&mut self, label: &str) {
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        eprintln!(
            "timing: {label:<28} {:>7.1} ms  (total {:>7.1} ms)",
            (now - self.last).as_secs_f64() * 1e3,
            (now - self.started).as_secs_f64() * 1e3
        );
        self.last = now;
    }
}
