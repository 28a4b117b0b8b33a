//! RFC 5545 iCalendar output: all-day events for a provider's calendar. Written by
//! hand because it is a few lines of text rules (CRLF, folding at 75 octets, TEXT
//! escaping); a crate would add more than it saves.

use chrono::{DateTime, NaiveDate, Utc};

/// One all-day event.
pub struct AllDayEvent {
    /// Stable across runs, so that a re-imported calendar updates instead of
    /// duplicating.
    pub uid: String,
    pub date: NaiveDate,
    pub summary: String,
    pub description: String,
}

/// The calendar holding `events`, stamped `now`.
pub fn calendar(events: &[AllDayEvent], now: DateTime<Utc>) -> String {
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//handover//due//EN",
        "CALSCALE:GREGORIAN",
    ] {
        push(&mut out, line);
    }
    for e in events {
        let next = e.date.succ_opt().unwrap_or(e.date);
        push(&mut out, "BEGIN:VEVENT");
        push(&mut out, &format!("UID:{}", text(&e.uid)));
        push(&mut out, &format!("DTSTAMP:{stamp}"));
        push(
            &mut out,
            &format!("DTSTART;VALUE=DATE:{}", e.date.format("%Y%m%d")),
        );
        push(
            &mut out,
            &format!("DTEND;VALUE=DATE:{}", next.format("%Y%m%d")),
        );
        push(&mut out, &format!("SUMMARY:{}", text(&e.summary)));
        push(&mut out, &format!("DESCRIPTION:{}", text(&e.description)));
        push(&mut out, "TRANSP:TRANSPARENT");
        push(&mut out, "END:VEVENT");
    }
    push(&mut out, "END:VCALENDAR");
    out
}

/// TEXT escaping (RFC 5545 3.3.11): backslash, semicolon, comma and newlines.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `line`, folded so that no line exceeds 75 octets (continuations start
/// with a space, which counts), never inside a UTF-8 character, ended by CRLF.
fn push(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_at_75_octets_escapes_text_and_ends_lines_with_crlf() {
        let e = AllDayEvent {
            uid: "a@b".into(),
            date: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
            summary: "Müller, Söhne; C:\\x\nzwei".into(),
            description: "ä".repeat(60),
        };
        let now = DateTime::from_timestamp(0, 0).unwrap();
        let ics = calendar(&[e], now);
        assert!(ics.contains("SUMMARY:Müller\\, Söhne\\; C:\\\\x\\nzwei\r\n"));
        assert!(ics.contains("DTSTART;VALUE=DATE:20261231\r\nDTEND;VALUE=DATE:20270101\r\n"));
        assert!(ics.contains("DTSTAMP:19700101T000000Z\r\n"));
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{line:?}");
            assert!(!line.contains('\n') && !line.contains('\r'));
        }
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("DESCRIPTION:{}\r\n", "ä".repeat(60))));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
    }
}
