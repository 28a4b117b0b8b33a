//! The dossier's wording as a client and a successor read it (issue 20): the cover in
//! plain words with the signature details on the technical page, sentences instead of
//! bracketed keywords, and never two brackets in a row. Read from the demo's PDFs with
//! poppler's `pdftotext`, as a person would read them.

use crate::common::{Env, assert_success, pdf_text};

/// The demo's dossiers in German and English, each as its pages' text with every run
/// of white space as one space.
fn demo_pages() -> [(&'static str, Vec<String>); 2] {
    let env = Env::bare();
    let dir = env.dir.path().join("demo");
    let out = env
        .cmd(&["demo", dir.to_str().unwrap()])
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .output()
        .unwrap();
    assert_success(&out, &["demo"]);
    ["de", "en"].map(|lang| {
        let text = pdf_text(&dir.join(format!("dossier-{lang}.pdf")));
        let pages = text
            .split('\x0c')
            .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        (lang, pages)
    })
}

fn page_with<'a>(pages: &'a [String], marker: &str) -> &'a str {
    pages
        .iter()
        .find(|p| p.contains(marker))
        .unwrap_or_else(|| panic!("no page says {marker:?}"))
}

/// The value printed after `label` up to the next white space.
fn after<'a>(page: &'a str, label: &str) -> &'a str {
    let at = page
        .find(label)
        .unwrap_or_else(|| panic!("{label:?} not in {page}"));
    page[at + label.len()..].split_whitespace().next().unwrap()
}

#[test]
fn the_cover_speaks_plainly_and_the_technical_page_has_the_details() {
    for (lang, pages) in demo_pages() {
        let cover = &pages[0];
        let (mark, sentence, jargon, technical): (_, _, &[&str], _) = match lang {
            "de" => (
                "Echtheitsmerkmal ",
                "Mit diesem Merkmal kann ein neuer IT-Dienstleister prüfen, dass die digitale Kopie dieser Dokumentation echt ist",
                &["ssh-keygen", "Signatur", "SSH", ".sig"],
                "Signaturen ohne handover prüfen",
            ),
            _ => (
                "Authenticity mark ",
                "With this mark, a new IT provider can check that the digital copy of this dossier is genuine",
                // "Signature" is the line the client signs on; the jargon is the rest.
                &["ssh-keygen", "signing key", "SSH", ".sig"],
                "Checking signatures without handover",
            ),
        };
        assert!(cover.contains(sentence), "{lang}: {cover}");
        for word in jargon {
            assert!(
                !cover.contains(word),
                "{lang}: {word:?} on the cover: {cover}"
            );
        }
        // The mark is the signing key's fingerprint that the technical page prints,
        // with the command that checks it.
        let key = after(cover, mark);
        assert!(key.starts_with("SHA256:"), "{lang}: {key}");
        let page = page_with(&pages[1..], "ssh-keygen -Y verify");
        assert!(page.contains(technical), "{lang}: {page}");
        assert!(page.contains(key), "{lang}: {page}");
    }
}

#[test]
fn the_checklist_is_explained_in_sentences_not_in_brackets() {
    for (lang, pages) in demo_pages() {
        let all = pages.join(" ");
        // From "Checkliste" on: poppler joins a word hyphenated at a line's end.
        let (sentence, checklist_heading) = match lang {
            "de" => (
                "Checkliste sagt, welche Passwörter und Schlüssel der bisherige Dienstleister kannte und daher geändert werden müssen, welche Konten auf seinen Namen laufen und übertragen werden müssen",
                "Verlängern oder kündigen – fällig in 90 Tagen oder schon verstrichen",
            ),
            _ => (
                "The takeover checklist says which secrets the previous provider knew and must therefore be changed, which accounts are in the provider's name and must be transferred",
                "Renew or cancel – due within 90 days or already passed",
            ),
        };
        assert!(all.contains(sentence), "{lang}: {all}");
        for bracket in [
            "(ändern)",
            "(übertragen)",
            "(verlängern)",
            "(change them)",
            "(transfer it)",
            "(renew it)",
        ] {
            assert!(!all.contains(bracket), "{lang}: {bracket}");
        }
        assert!(all.contains(checklist_heading), "{lang}");
    }
}

#[test]
fn never_two_brackets_in_a_row_and_no_kind_the_title_already_says() {
    for (lang, pages) in demo_pages() {
        let all = pages.join(" ");
        assert!(!all.contains(") ("), "{lang}: {}", {
            let at = all.find(") (").unwrap();
            &all[at.saturating_sub(80)..(at + 40).min(all.len())]
        });
        // A page reference or path joins the bracket the title ends in.
        let (page, other, overview) = match lang {
            "de" => (
                "NAS SSH-Schlüssel (Wartung, Seite ",
                "(Sonstiges)",
                "(Übersicht)",
            ),
            _ => ("NAS SSH-Schlüssel (Wartung, page ", "(Other)", "(Overview)"),
        };
        assert!(all.contains(page), "{lang}");
        assert!(all.contains("Domain mueller-bau.example (INWX, domain/registrar)"));
        // "Netzwerk im Überblick" is an overview, "WLAN Access Point Büro" an access
        // point, and "other" says nothing.
        assert!(all.contains("Netzwerk im Überblick"), "{lang}");
        for bracket in [overview, other, "(WLAN-Zugangspunkt)", "(access point)"] {
            assert!(!all.contains(bracket), "{lang}: {bracket}");
        }
    }
}

#[test]
fn each_language_quotes_in_its_own_marks() {
    let [(_, de), (_, en)] = demo_pages();
    let (de, en) = (de.join(" "), en.join(" "));
    assert!(
        de.contains("Abgelöst durch „Backup-Ziel: Synology C2 zusätzlich zur USB-Platte“"),
        "{de}"
    );
    assert!(
        en.contains("Superseded by “Backup-Ziel: Synology C2 zusätzlich zur USB-Platte”"),
        "{en}"
    );
    assert!(!en.contains('„'));
    assert!(!en.contains("this documentation"));
}
