//! Stage timings for profiling a build: with `DANGJIAN_TIMINGS=1` in the environment, each stage
//! of the pipeline prints how long it took, and the process's memory then (resident and peak, on
//! Linux), to standard error. Off by default, and free when off.

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
            "timing: {label:<28} {:>7.1} ms  (total {:>7.1} ms){}",
            (now - self.last).as_secs_f64() * 1e3,
            (now - self.started).as_secs_f64() * 1e3,
            memory()
        );
        self.last = now;
    }
}

/// "  rss 312 MB, peak 455 MB" from /proc/self/status, or nothing where that does not exist.
fn memory() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    };
    match (field("VmRSS:"), field("VmHWM:")) {
        (Some(rss), Some(peak)) => format!("  rss {} MB, peak {} MB", rss / 1024, peak / 1024),
        _ => String::new(),
    }
}
