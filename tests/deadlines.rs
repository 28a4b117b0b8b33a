//! Deadlines where a successor looks: the checklist's renew section, the vendor pages
//! and the appendix print each contract deadline, warranty and expiry with its date.

use crate::common;

use std::path::{Path, PathBuf};

use common::{Env, pdf_text};

/// 2026-01-01 00:00 UTC: the dossier's "today".
const AS_OF: &str = "1767225600";

/// A bakery with a contract to cancel within 30 days (Telekom, renews), one within 60
/// (Kasse, does not renew), one whose notice period has passed (Wartung, renews), a
/// NAS whose warranty ended, and a login that expires in February.
fn bakery(env: &Env) {
    env.client_with(
        "baeckerei",
        r#"[{"path":"telekom/portal","kind":"login","username":"kunde","password":"Pw-1-abcdefgh",
            "url":"https://telekom.de"},
           {"path":"cert/shop","kind":"login","username":"shop","password":"Pw-2-abcdefgh",
            "url":"https://shop.example","expires":"2026-02-15"}]"#,
    );
    let vendor = |name: &str, args: &[&str]| {
        let mut all = vec!["vendor", "add", "baeckerei", name, "--hotline", "0800 1"];
        all.extend_from_slice(args);
        env.ok(&all);
    };
    vendor(
        "Telekom",
        &[
            "--term-end",
            "2026-04-30",
            "--notice-months",
            "3",
            "--renews-months",
            "12",
        ],
    );
    vendor(
        "Kasse",
        &["--term-end", "2026-03-16", "--notice-days", "14"],
    );
    vendor(
        "Wartung",
        &[
            "--term-end",
            "2026-06-30",
            "--notice-months",
            "9",
            "--renews-months",
            "12",
        ],
    );
    env.ok(&[
        "system",
        "add",
        "baeckerei",
        "NAS",
        "--vendor",
        "Telekom",
        "--warranty-until",
        "2025-10-01",
    ]);
    env.ok(&["link", "baeckerei", "telekom/portal", "--vendor", "Telekom"]);
}

fn dossier(env: &Env, lang: &str) -> PathBuf {
    let out = env.dir.path().join(format!("bakery-{lang}.pdf"));
    let mut c = env.cmd(&[
        "dossier",
        "baeckerei",
        "-o",
        out.to_str().unwrap(),
        "--lang",
        lang,
    ]);
    let done = c.env("SOURCE_DATE_EPOCH", AS_OF).output().unwrap();
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    out
}

/// The text between `from` and the next `to` (a page's or section's end), with lines
/// joined by spaces, so that a wrapped item still reads as one.
fn between(all: &str, from: &str, to: &str) -> String {
    let start = all
        .rfind(from)
        .unwrap_or_else(|| panic!("{from:?} not in:\n{all}"));
    let rest = &all[start..];
    let end = rest.find(to).unwrap_or(rest.len());
    rest[..end].split_whitespace().collect::<Vec<_>>().join(" ")
}

fn text(pdf: &Path) -> String {
    pdf_text(pdf)
}

/// The text with every run of white space as one space.
fn flat(pdf: &Path) -> String {
    pdf_text(pdf)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_checklist_lists_every_deadline_with_its_date() {
    let env = Env::new();
    bakery(&env);
    let cases = [
        (
            "de",
            "Verlängern oder kündigen – fällig in 90 Tagen oder schon verstrichen",
            [
                "Wartung — Kündigungsfrist am 30.09.2025 verstrichen",
                "Telekom — Vertrag kündigen bis 31.01.2026",
                "Kasse — Vertrag kündigen bis 02.03.2026",
                "NAS — Garantie endete am 01.10.2025",
                "läuft ab am 15.02.2026",
            ],
        ),
        (
            "en",
            "Renew or cancel – due within 90 days or already passed",
            [
                "Wartung — notice period passed on 2025-09-30",
                "Telekom — cancel the contract by 2026-01-31",
                "Kasse — cancel the contract by 2026-03-02",
                "NAS — warranty ended on 2025-10-01",
                "expires on 2026-02-15",
            ],
        ),
    ];
    for (lang, title, items) in cases {
        let all = text(&dossier(&env, lang));
        let section = between(&all, title, "\u{c}");
        for item in items {
            assert!(section.contains(item), "{lang}: {item:?} not in {section}");
        }
        // Most urgent first: the passed deadline, then by date.
        let at = |s: &str| section.find(s).unwrap();
        assert!(
            at(items[0]) < at(items[1]) && at(items[1]) < at(items[2]),
            "{section}"
        );
        assert!(!section.contains("Nichts zu tun") && !section.contains("Nothing to do"));
    }
}

#[test]
fn vendor_pages_print_notice_renewal_and_what_belongs_to_the_vendor() {
    let env = Env::new();
    bakery(&env);
    let de = flat(&dossier(&env, "de"));
    let telekom = between(&de, "Telekom Hotline", "Wartung Hotline");
    for want in [
        "Kündigungsfrist 3 Monate",
        "Verlängerung verlängert sich um 12 Monate, wenn nicht rechtzeitig gekündigt",
        "Laufzeit bis 30.04.2026",
        "Kündigen bis 31.01.2026",
        "Zugänge portal (Seite",
        "Systeme NAS (Seite",
    ] {
        assert!(telekom.contains(want), "{want:?} not in {telekom}");
    }
    let kasse = between(&de, "Kasse Hotline", "Telekom Hotline");
    assert!(kasse.contains("Kündigungsfrist 14 Tage"), "{kasse}");
    assert!(
        kasse.contains("Verlängerung keine – endet mit der Laufzeit"),
        "{kasse}"
    );
    let en = flat(&dossier(&env, "en"));
    let telekom = between(&en, "Telekom Hotline", "Wartung Hotline");
    assert!(telekom.contains("Notice period 3 months"), "{telekom}");
    assert!(
        telekom.contains("Renewal renews by 12 months unless cancelled in time"),
        "{telekom}"
    );
}

#[test]
fn the_appendix_names_the_date_and_whether_it_passed() {
    let env = Env::new();
    bakery(&env);
    let de = text(&dossier(&env, "de"))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for want in [
        "Wartung: die Kündigungsfrist des Vertrags ist am 30.09.2025 verstrichen",
        "Telekom: der Vertrag kann nur noch bis 31.01.2026 gekündigt werden",
        "NAS: die Garantie endete am 01.10.2025",
    ] {
        assert!(de.contains(want), "{want:?} not in {de}");
    }
    assert!(!de.contains("in den nächsten 90 Tagen oder ist verstrichen"));
    let en = text(&dossier(&env, "en"))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for want in [
        "Wartung: the contract's notice period passed on 2025-09-30",
        "Kasse: the contract can only be cancelled until 2026-03-02",
        "NAS: the warranty ended on 2025-10-01",
    ] {
        assert!(en.contains(want), "{want:?} not in {en}");
    }
}

#[test]
fn history_times_say_utc() {
    let env = Env::new();
    bakery(&env);
    let de = text(&dossier(&env, "de"));
    let history = between(&de, "Letzte Änderungen", "\u{c}");
    assert!(history.contains("mit Uhrzeit in UTC"), "{history}");
}
