//! Latency statistics: exact nearest-rank percentiles over every recorded
//! latency of a phase (no histogram buckets, no sampling).

use std::time::Duration;

/// Summary of one phase's successful requests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Successful requests per second of phase wall time.
    pub ops_per_sec: f64,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl Summary {
    /// Summarises `latencies` (any order; sorted in place) completed over `elapsed`.
    pub fn new(latencies: &mut [Duration], elapsed: Duration) -> Summary {
        latencies.sort_unstable();
        let secs = elapsed.as_secs_f64();
        Summary {
            ops_per_sec: if secs > 0.0 {
                latencies.len() as f64 / secs
            } else {
                0.0
            },
            p50: percentile(latencies, 50.0),
            p99: percentile(latencies, 99.0),
            max: latencies.last().copied().unwrap_or_default(),
        }
    }
}

/// Nearest-rank percentile of an ascending slice: the smallest value such
/// that at least `p` percent of the values are `<=` it. Zero for an empty slice.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Milliseconds with fractional part, for printing.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(values: impl IntoIterator<Item = u64>) -> Vec<Duration> {
        values.into_iter().map(Duration::from_millis).collect()
    }

    #[test]
    fn nearest_rank_over_one_to_hundred() {
        let sorted = millis(1..=100);
        assert_eq!(percentile(&sorted, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&sorted, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&sorted, 100.0), Duration::from_millis(100));
        assert_eq!(percentile(&sorted, 0.0), Duration::from_millis(1));
    }

    #[test]
    fn small_and_empty_lists() {
        assert_eq!(percentile(&[], 50.0), Duration::ZERO);
        let sorted = millis([7]);
        assert_eq!(percentile(&sorted, 50.0), Duration::from_millis(7));
        assert_eq!(percentile(&sorted, 99.0), Duration::from_millis(7));
        // Ten values: p50 is the 5th, p99 rounds up to the 10th.
        let sorted = millis(1..=10);
        assert_eq!(percentile(&sorted, 50.0), Duration::from_millis(5));
        assert_eq!(percentile(&sorted, 99.0), Duration::from_millis(10));
    }

    #[test]
    fn summary_sorts_and_counts() {
        let mut lat = millis([30, 10, 20, 40]);
        let s = Summary::new(&mut lat, Duration::from_secs(2));
        assert_eq!(s.ops_per_sec, 2.0);
        assert_eq!(s.p50, Duration::from_millis(20));
        assert_eq!(s.p99, Duration::from_millis(40));
        assert_eq!(s.max, Duration::from_millis(40));
        assert_eq!(ms(s.p50), 20.0);
    }
}
