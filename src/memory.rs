//! The memory budget (`--max-memory`): a run that would hold more than the
//! budget (groups of an aggregate, rows held by `sort`, records loaded by
//! the REPL) stops with a clear message instead of being killed by the
//! system. The binary counts its heap with a counting allocator and hands
//! this module a gauge; the library alone (tests, benches) has no gauge and
//! no budget.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// Reads the bytes the process has allocated on the heap now.
pub type Gauge = fn() -> usize;

static GAUGE: OnceLock<Gauge> = OnceLock::new();
static LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);
/// The heap in use when a check failed (0: none has): once set, every
/// stage and thread of the run stops making records.
static TRIPPED: AtomicUsize = AtomicUsize::new(0);

/// Used when `/proc/meminfo` cannot tell the machine's memory.
const FALLBACK_LIMIT: usize = 4 << 30;

/// Sets the gauge, once per process (the binary does, at start).
pub fn set_gauge(gauge: Gauge) {
    let _ = GAUGE.set(gauge);
}

/// Sets the budget in bytes (`usize::MAX`: none).
pub fn set_limit(limit: usize) {
    LIMIT.store(limit, Ordering::Relaxed);
}

/// The budget in bytes (`usize::MAX` when none is set).
pub fn limit() -> usize {
    LIMIT.load(Ordering::Relaxed)
}

/// The heap in use now, when a gauge is installed.
pub fn in_use() -> Option<usize> {
    GAUGE.get().map(|g| g())
}

/// The run held more memory than the budget allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exceeded {
    /// Bytes in use when the check failed.
    pub in_use: usize,
    /// The budget.
    pub limit: usize,
}

impl fmt::Display for Exceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "memory budget exceeded: the run holds {} and --max-memory is {}; \
             the groups of an aggregate, rows held for `sort`, `dedup` or `join`, \
             grow with the data: narrow the query (a search term, a `where` before \
             the aggregate, fewer group-by fields) or raise --max-memory",
            human(self.in_use),
            human(self.limit)
        )
    }
}

/// Fails when the heap in use is over the budget (or a check anywhere in
/// the run failed before), and marks the run as over it. Cheap (a few
/// atomic loads); callers check every few thousand records, or before a
/// large allocation with [`check_growth`].
pub fn check() -> Result<(), Exceeded> {
    check_growth(0)
}

/// [`check`], counting `extra` bytes about to be allocated (a buffer
/// about to double) as in use already.
pub fn check_growth(extra: usize) -> Result<(), Exceeded> {
    let limit = limit();
    if limit == usize::MAX {
        return Ok(());
    }
    if let Some(e) = tripped() {
        return Err(e);
    }
    match in_use() {
        Some(in_use) if in_use.saturating_add(extra) > limit => {
            let in_use = in_use.saturating_add(extra);
            TRIPPED.store(in_use, Ordering::Relaxed);
            Err(Exceeded { in_use, limit })
        }
        _ => Ok(()),
    }
}

/// The failed check of this run, if one failed: a single atomic load, for
/// loops that make many records (a worker's chunk, `parse ... multi`).
pub fn tripped() -> Option<Exceeded> {
    match TRIPPED.load(Ordering::Relaxed) {
        0 => None,
        in_use => Some(Exceeded {
            in_use,
            limit: limit(),
        }),
    }
}

/// Forgets a failed check (the REPL goes on to its next query).
pub fn reset() {
    TRIPPED.store(0, Ordering::Relaxed);
}

/// The error that ends an input whose line `line` outgrew the budget.
pub fn long_line(line: u64, e: Exceeded) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::OutOfMemory,
        format!(
            "line {line} is longer than the memory budget allows (--max-memory {}); reading stopped",
            human(e.limit)
        ),
    )
}

/// The default budget: half of the memory this process may use (the
/// machine's, or less under `ulimit -v` or a cgroup's `memory.max`), so
/// that sumoq and whatever runs beside it both fit, and the budget stops a
/// run before the limit kills it.
pub fn default_limit() -> usize {
    let read = |p: &str| std::fs::read_to_string(p).ok();
    let machine = read("/proc/meminfo").and_then(|t| mem_total(&t));
    let rlimit = read("/proc/self/limits").and_then(|t| address_space_limit(&t));
    let groups = read("/proc/self/cgroup").unwrap_or_default();
    let number = |t: String| t.trim().parse::<usize>().ok();
    let cgroup2 = cgroup_path(&groups, "0::")
        .and_then(|p| read(&format!("/sys/fs/cgroup{p}/memory.max")))
        .and_then(number);
    // cgroup v1: the memory controller's own hierarchy (the path inside a
    // container is often `/`, its limit at the hierarchy's root).
    let cgroup1 = cgroup_path(&groups, ":memory:").and_then(|p| {
        read(&format!("/sys/fs/cgroup/memory{p}/memory.limit_in_bytes"))
            .or_else(|| read("/sys/fs/cgroup/memory/memory.limit_in_bytes"))
            .and_then(number)
    });
    [machine, rlimit, cgroup2, cgroup1]
        .into_iter()
        .flatten()
        .min()
        .map_or(FALLBACK_LIMIT, |least| least / 2)
}

/// The soft "Max address space" of `/proc/self/limits`, when set.
fn address_space_limit(limits: &str) -> Option<usize> {
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max address space"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// The path after `tag` in `/proc/self/cgroup` (`0::` for cgroup v2,
/// `:memory:` for v1's memory controller).
fn cgroup_path(cgroup: &str, tag: &str) -> Option<String> {
    cgroup
        .lines()
        .find_map(|l| l.find(tag).map(|i| &l[i + tag.len()..]))
        .map(|p| p.trim_end_matches('/').to_string())
}

/// `MemTotal` of `/proc/meminfo`, in bytes.
fn mem_total(meminfo: &str) -> Option<usize> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// Parses a size: bytes, or a number with `K`, `M`, `G` or `T` (powers of
/// 1024, optionally followed by `B` or `iB`); `0` or `none` means no budget.
pub fn parse_size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("none") || t == "0" {
        return Ok(usize::MAX);
    }
    let digits = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(digits);
    let unit = unit.trim().to_ascii_uppercase();
    let unit = unit
        .strip_suffix("IB")
        .or_else(|| unit.strip_suffix('B'))
        .unwrap_or(&unit);
    let scale: f64 = match unit {
        "" => 1.0,
        "K" => 1024.0,
        "M" => 1024.0 * 1024.0,
        "G" => 1024.0 * 1024.0 * 1024.0,
        "T" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return Err(format!("`{text}`: unknown unit (use K, M, G or T)")),
    };
    let n: f64 = num
        .parse()
        .map_err(|_| format!("`{text}`: not a size (such as 512M or 4G)"))?;
    let bytes = n * scale;
    if !bytes.is_finite() || bytes < 1.0 {
        return Err(format!("`{text}`: not a size (such as 512M or 4G)"));
    }
    // Saturating float-to-int: a budget past the address space is no budget.
    Ok(bytes as usize)
}

/// A size for people: `1.5 GiB`, `300 MiB`, `12 KiB`, `100 B`.
pub fn human(bytes: usize) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else if v < 10.0 {
        format!("{v:.1} {}", UNITS[u])
    } else {
        format!("{v:.0} {}", UNITS[u])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512"), Ok(512));
        assert_eq!(parse_size("4K"), Ok(4096));
        assert_eq!(parse_size("1.5G"), Ok(3 << 29));
        assert_eq!(parse_size("200MiB"), Ok(200 << 20));
        assert_eq!(parse_size("200 mb"), Ok(200 << 20));
        assert_eq!(parse_size("none"), Ok(usize::MAX));
        assert_eq!(parse_size("0"), Ok(usize::MAX));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("5X").is_err());
        assert!(parse_size("-1G").is_err());
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human(100), "100 B");
        assert_eq!(human(3 << 29), "1.5 GiB");
        assert_eq!(human(300 << 20), "300 MiB");
    }

    #[test]
    fn meminfo() {
        let t = "MemTotal:       24522108 kB\nMemFree:  1 kB\n";
        assert_eq!(mem_total(t), Some(24_522_108 * 1024));
        assert_eq!(mem_total("nothing"), None);
    }

    #[test]
    fn process_limits() {
        let limits = "Limit                     Soft Limit           Hard Limit           Units\n\
                      Max address space         4096000000           unlimited            bytes\n";
        assert_eq!(address_space_limit(limits), Some(4_096_000_000));
        let unlimited =
            "Max address space         unlimited            unlimited            bytes\n";
        assert_eq!(address_space_limit(unlimited), None);
        let v2 = "0::/user.slice/x.scope\n";
        assert_eq!(cgroup_path(v2, "0::"), Some("/user.slice/x.scope".into()));
        assert_eq!(cgroup_path("0::/\n", "0::"), Some(String::new()));
        let v1 = "5:devices:/\n4:memory:/api/4c3d\n0::/\n";
        assert_eq!(cgroup_path(v1, ":memory:"), Some("/api/4c3d".into()));
        assert!(default_limit() > 0);
    }

    #[test]
    fn no_gauge_no_budget() {
        assert_eq!(check(), Ok(()));
    }
}
