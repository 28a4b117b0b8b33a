//! Entry paths from foreign folders/groups and titles: sanitised into valid path
//! segments and made unique with deterministic suffixes (`name (2)`, `name (3)`, …).

use std::collections::{HashMap, HashSet};

use crate::model::{Entry, path_name, validate_path};

/// Longest segment we build from a foreign name (characters).
const MAX_SEGMENT: usize = 64;
/// Longest path we build before a suffix; `validate_path` allows 256.
const MAX_PATH: usize = 240;

/// Turns any foreign name into one valid path segment: `/` becomes `-`, control
/// characters become spaces, runs of spaces collapse, the ends are trimmed, an empty
/// name becomes `fallback`, a `.`/`..` name gets a `_` prefix, and long names are cut.
pub fn sanitize_segment(name: &str, fallback: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut last_space = true;
    for c in name.chars() {
        let c = if c == '/' {
            '-'
        } else if c.is_control() || c.is_whitespace() {
            ' '
        } else {
            c
        };
        if c == ' ' {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = false;
        }
        if out.chars().count() >= MAX_SEGMENT {
            break;
        }
    }
    let mut out = out.trim().to_owned();
    if out.is_empty() {
        out = fallback.to_owned();
    }
    if out.chars().all(|c| c == '.') {
        out.insert(0, '_');
    }
    out
}

/// The path an entry gets from its groups (outermost first) and title, before
/// de-duplication. Exporters use it to see whether an entry's path survives the trip.
pub fn derive_path(groups: &[&str], title: &str) -> String {
    let name = sanitize_segment(title, "untitled");
    let mut segments: Vec<String> = Vec::new();
    let mut len = name.chars().count();
    for group in groups {
        let g = sanitize_segment(group, "group");
        let add = g.chars().count() + 1;
        if len + add > MAX_PATH {
            break;
        }
        len += add;
        segments.push(g);
    }
    segments.push(name);
    segments.join("/")
}

/// Hands out unique paths in the order entries are read.
#[derive(Default)]
pub struct PathAllocator {
    used: HashSet<String>,
    /// The next suffix to try per base path, so that many duplicates stay linear.
    next: HashMap<String, u64>,
}

impl PathAllocator {
    /// Returns `wanted` if it is valid and free, else `wanted (2)`, `wanted (3)`, …
    /// An invalid `wanted` (only possible for a path given verbatim, e.g. our own
    /// `handover.path`) is replaced by `fallback` first.
    pub fn allocate(&mut self, wanted: &str, fallback: &str) -> String {
        let base = if validate_path(wanted).is_ok() {
            wanted.to_owned()
        } else {
            fallback.to_owned()
        };
        let mut candidate = base.clone();
        let mut n = self.next.get(&base).copied().unwrap_or(2);
        let mut tries = 0;
        while self.used.contains(&candidate) || validate_path(&candidate).is_err() {
            candidate = format!("{base} ({n})");
            n += 1;
            tries += 1;
            if tries > 1_000_000 {
                // Unreachable in practice; keeps the loop finite for any input.
                candidate = format!("entry {}", uuid::Uuid::new_v4());
                break;
            }
        }
        self.next.insert(base, n);
        self.used.insert(candidate.clone());
        candidate
    }

    /// Gives an imported entry its path — `wanted` (our own `handover.path`) if it is
    /// valid, else one derived from `groups` and `title` — and its title (the path's
    /// name if `title` is blank).
    pub fn place(&mut self, e: &mut Entry, groups: &[&str], title: String, wanted: Option<&str>) {
        let derived = derive_path(groups, &title);
        e.path = self.allocate(wanted.unwrap_or(&derived), &derived);
        e.title = if title.trim().is_empty() {
            path_name(&e.path).to_owned()
        } else {
            title
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_valid() {
        assert_eq!(sanitize_segment("a/b", "x"), "a-b");
        assert_eq!(sanitize_segment("  ", "x"), "x");
        assert_eq!(sanitize_segment("..", "x"), "_..");
        assert_eq!(sanitize_segment("a\n\tb", "x"), "a b");
        assert_eq!(sanitize_segment("Büro WLAN", "x"), "Büro WLAN");
        for hostile in ["/", "a//b", "\u{0}", ".", " . ", &"ä".repeat(500)] {
            validate_path(&sanitize_segment(hostile, "x")).unwrap();
        }
    }

    #[test]
    fn derived_paths_are_valid_and_unique() {
        assert_eq!(
            derive_path(&["Server", "Linux"], "srv1"),
            "Server/Linux/srv1"
        );
        assert_eq!(derive_path(&[], "a/b"), "a-b");
        let deep: Vec<String> = (0..100)
            .map(|i| format!("group {i} {}", "x".repeat(30)))
            .collect();
        let deep: Vec<&str> = deep.iter().map(String::as_str).collect();
        let p = derive_path(&deep, "title");
        validate_path(&p).unwrap();
        assert!(p.ends_with("/title"));

        let mut a = PathAllocator::default();
        assert_eq!(a.allocate("x/y", "f"), "x/y");
        assert_eq!(a.allocate("x/y", "f"), "x/y (2)");
        assert_eq!(a.allocate("x/y", "f"), "x/y (3)");
        assert_eq!(a.allocate("../bad", "f"), "f");
        assert_eq!(a.allocate("../bad", "f"), "f (2)");
    }
}
