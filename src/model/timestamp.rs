//! Timestamps as the vault writes them: RFC 3339 in UTC with `Z` and as many fraction
//! digits as needed (0, 3, 6 or 9), exactly as chrono's `Serialize` writes them, but
//! without going through `core::fmt` character by character (that was 3% of a
//! dossier export, which serialises every entry's two timestamps twice).

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::{Serialize, Serializer};

pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; 32];
    match write(t, &mut buf) {
        Some(len) => s.serialize_str(std::str::from_utf8(&buf[..len]).unwrap_or_default()),
        // Years outside 0..=9999 and leap seconds: chrono's own form.
        None => t.serialize(s),
    }
}

pub fn option<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => serialize(t, s),
        None => s.serialize_none(),
    }
}

/// The text into `buf`, and its length; `None` where chrono's form is not this one.
fn write(t: &DateTime<Utc>, buf: &mut [u8; 32]) -> Option<usize> {
    let naive = t.naive_utc();
    let year = u32::try_from(naive.year()).ok().filter(|y| *y <= 9999)?;
    let nano = naive.nanosecond();
    if nano >= 1_000_000_000 {
        return None;
    }
    let mut at = 0;
    put(buf, &mut at, year, 4);
    for (sep, value) in [
        (b'-', naive.month()),
        (b'-', naive.day()),
        (b'T', naive.hour()),
        (b':', naive.minute()),
        (b':', naive.second()),
    ] {
        buf[at] = sep;
        at += 1;
        put(buf, &mut at, value, 2);
    }
    let (value, digits) = if nano == 0 {
        (0, 0)
    } else if nano.is_multiple_of(1_000_000) {
        (nano / 1_000_000, 3)
    } else if nano.is_multiple_of(1_000) {
        (nano / 1_000, 6)
    } else {
        (nano, 9)
    };
    if digits > 0 {
        buf[at] = b'.';
        at += 1;
        put(buf, &mut at, value, digits);
    }
    buf[at] = b'Z';
    Some(at + 1)
}

/// `value` as `digits` decimal digits, zero-padded, at `at`.
fn put(buf: &mut [u8; 32], at: &mut usize, mut value: u32, digits: usize) {
    for i in (0..digits).rev() {
        buf[*at + i] = b'0' + (value % 10) as u8;
        value /= 10;
    }
    *at += digits;
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};

    #[derive(Serialize)]
    struct Ours(#[serde(serialize_with = "serialize")] DateTime<Utc>);

    #[test]
    fn written_as_chrono_writes_them() {
        let mut times = vec![
            Utc.timestamp_opt(0, 0).unwrap(),
            Utc::now(),
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MAX_UTC,
        ];
        for nano in [
            0,
            1,
            7,
            10,
            999,
            1_000,
            1_500,
            120_000,
            999_999,
            1_000_000,
            5_000_000,
            123_456_789,
            999_999_999,
            1_000_000_000,
            1_999_999_999,
        ] {
            for (y, m, d) in [
                (0, 1, 1),
                (1, 2, 3),
                (1999, 12, 31),
                (2026, 11, 24),
                (9999, 12, 31),
            ] {
                let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
                if let Some(time) = date.and_hms_nano_opt(23, 59, 59, nano) {
                    times.push(Utc.from_utc_datetime(&time));
                }
                if let Some(time) = date.and_hms_nano_opt(4, 5, 6, nano) {
                    times.push(Utc.from_utc_datetime(&time));
                }
            }
        }
        times.push(
            Utc.from_utc_datetime(
                &NaiveDate::from_ymd_opt(-1, 1, 1)
                    .unwrap()
                    .and_hms_opt(0, 0, 0)
                    .unwrap(),
            ),
        );
        times.push(
            Utc.from_utc_datetime(
                &NaiveDate::from_ymd_opt(10000, 1, 1)
                    .unwrap()
                    .and_hms_opt(0, 0, 0)
                    .unwrap(),
            ),
        );
        for t in times {
            assert_eq!(
                serde_json::to_string(&Ours(t)).unwrap(),
                serde_json::to_string(&t).unwrap(),
                "{t:?}"
            );
        }
    }
}
