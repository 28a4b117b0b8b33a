//! Tables never break a token (issue 20): a table with the cells a real client has
//! (IP lists, CIDRs, DHCP ranges, host names, MACs, e-mail addresses, long German and
//! English words), set in both languages and on both paper sizes, read back from the
//! PDF word by word with their positions (`pdftotext -bbox`): every word of a cell is
//! printed whole, or broken only after a comma or dash, or at a hyphenation point of
//! the dossier's language with a hyphen printed.

use std::path::Path;
use std::process::Command;

use crate::common::{Env, require_tool};

const COLUMNS: [&str; 6] = ["Gerät", "Adressen", "DHCP", "MAC", "Kontakt", "Hinweis"];

const ROWS: [[&str; 6]; 4] = [
    [
        "Multifunktionsdrucker im Empfang",
        "192.168.178.40, 192.168.178.41, 192.168.178.0/24",
        "192.168.178.100–192.168.178.200",
        "00:1A:2B:3C:4D:5E",
        "buchhaltung@baeckerei-brandt.de",
        "Datensicherungsfestplatte im Tresor, Wiederherstellungsschlüssel beim Geschäftsführer",
    ],
    [
        "brandt-nas",
        "192.168.178.10,192.168.178.11, 10.20.30.0/23",
        "10.20.30.10-10.20.30.250",
        "a4:5e:60:c2:11:0f",
        "it-support@baeckerei-brandt.de",
        "Kassensystemaktualisierung am 2026-10-01 um 22:00 Uhr; Gewährleistungsverlängerung beantragt",
    ],
    [
        "Uninterruptible power supply",
        "nas01.brandt.lan, fe80::1ff:fe23:4567:890a, 2001:db8:1234::/48",
        "",
        "",
        "Telekom-Geschäftskundenservice",
        "Telecommunications responsibilities, notwithstanding internationalization",
    ],
    [
        "Datensicherungsfestplatte",
        "kasse-01.brandt.lan, kasse-02.brandt.lan",
        "",
        "",
        "",
        "Aufbewahrungsfrist 1.250,00 EUR Jahresgebühr",
    ],
];

/// The table as a Markdown document, with a word after it that marks its end.
fn markdown() -> String {
    let mut md = String::from("# Netzplan\n\n");
    md.push_str(&format!("| {} |\n", COLUMNS.join(" | ")));
    md.push_str(&format!("|{}\n", "---|".repeat(COLUMNS.len())));
    for row in ROWS {
        md.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    md.push_str("\nTABELLENENDE\n");
    md
}

/// A word as `pdftotext -bbox` reports it.
struct Word {
    x: f32,
    y: f32,
    text: String,
}

fn attr(tag: &str, name: &str) -> f32 {
    let start = tag.find(&format!("{name}=\"")).expect(name) + name.len() + 2;
    let end = start + tag[start..].find('"').expect("closing quote");
    tag[start..end].parse().expect("a number")
}

/// The height and the words of each page.
fn pages(pdf: &Path) -> Vec<(f32, Vec<Word>)> {
    require_tool("pdftotext");
    let out = Command::new("pdftotext")
        .args(["-bbox", pdf.to_str().unwrap(), "-"])
        .output()
        .expect("run pdftotext");
    assert!(out.status.success());
    let html = String::from_utf8(out.stdout).unwrap();
    html.split("<page ")
        .skip(1)
        .map(|page| {
            let height = attr(page.split_once('>').unwrap().0, "height");
            let words = page
                .split("<word ")
                .skip(1)
                .map(|w| {
                    let (tag, rest) = w.split_once('>').unwrap();
                    let text = rest.split_once("</word>").unwrap().0;
                    Word {
                        x: attr(tag, "xMin"),
                        y: attr(tag, "yMin"),
                        text: text
                            .replace("&lt;", "<")
                            .replace("&gt;", ">")
                            .replace("&quot;", "\"")
                            .replace("&amp;", "&"),
                    }
                })
                .collect();
            (height, words)
        })
        .collect()
}

/// The printed words of each column, top to bottom, from the pages holding the table.
fn columns_printed(pdf: &Path) -> Vec<Vec<String>> {
    let mut columns: Vec<Vec<String>> = vec![Vec::new(); COLUMNS.len()];
    // The table's pages: each starts with its header (repeated on a new page).
    for (height, page) in pages(pdf) {
        let Some(head) = page.iter().find(|w| w.text == "Adressen") else {
            continue;
        };
        let head_y = head.y;
        // The end of the table: the word after it, or the body's bottom (24 mm above
        // the page's) if the table runs onto the next page.
        let end_y = page
            .iter()
            .find(|w| w.text == "TABELLENENDE")
            .map_or(height - 24.0 * 72.0 / 25.4, |w| w.y);
        let starts: Vec<f32> = COLUMNS
            .iter()
            .map(|c| {
                page.iter()
                    .find(|w| w.text == *c && (w.y - head_y).abs() < 1.0)
                    .unwrap_or_else(|| panic!("column title {c} whole on one line"))
                    .x
            })
            .collect();
        let mut cells: Vec<Vec<&Word>> = vec![Vec::new(); COLUMNS.len()];
        for w in page
            .iter()
            .filter(|w| w.y > head_y + 1.0 && w.y < end_y - 1.0)
        {
            let col = starts.iter().rposition(|s| *s <= w.x + 1.0).unwrap();
            cells[col].push(w);
        }
        for (col, mut words) in cells.into_iter().enumerate() {
            words.sort_by(|a, b| (a.y, a.x).partial_cmp(&(b.y, b.x)).unwrap());
            columns[col].extend(words.into_iter().map(|w| w.text.clone()));
        }
    }
    columns
}

/// Whether a word is a token that must never be broken at all (except after a
/// comma or a range's dash): anything with a digit, a dot, an at sign or a colon.
fn is_token(word: &str) -> bool {
    word.chars()
        .any(|c| c.is_ascii_digit() || matches!(c, '.' | '@' | ':'))
}

/// Where `word` may be broken without a hyphen added (after a comma, semicolon or
/// en dash; in prose after a hyphen or slash), and where with one (hyphenation
/// points of `lang`'s patterns, in prose words), as byte offsets.
fn breaks(word: &str, lang: hypher::Lang) -> (Vec<usize>, Vec<usize>) {
    let mut plain = Vec::new();
    for (i, c) in word.char_indices() {
        let end = i + c.len_utf8();
        let token = is_token(word) || (word.contains('-') && word == word.to_lowercase());
        if matches!(c, ',' | ';' | '–') || (!token && matches!(c, '-' | '/')) {
            plain.push(end);
        }
    }
    let mut hyphen = Vec::new();
    if !is_token(word) {
        let mut start = 0;
        for part in word.split_inclusive(['-', '/']) {
            let letters = part.trim_end_matches(['-', '/', ',', ';']);
            let mut at = start;
            for s in hypher::hyphenate(letters, lang) {
                at += s.len();
                hyphen.push(at);
            }
            hyphen.pop();
            start += part.len();
        }
    }
    (plain, hyphen)
}

/// Checks that the printed words of a column are its cells' words, each whole or
/// broken only where allowed; returns how many breaks were hyphenations.
fn check_column(col: usize, printed: &[String], lang: hypher::Lang, what: &str) -> usize {
    let mut printed = printed.iter().map(String::as_str);
    let mut hyphenated = 0;
    let words = ROWS
        .iter()
        .flat_map(|r| r[col].split_whitespace())
        .collect::<Vec<_>>();
    for word in words {
        let (plain, hyphen) = breaks(word, lang);
        let mut at = 0;
        while at < word.len() {
            let p = printed
                .next()
                .unwrap_or_else(|| panic!("{what}: {word:?} missing in column {col}"));
            if word[at..].starts_with(p)
                && (at + p.len() == word.len() || plain.contains(&(at + p.len())))
            {
                at += p.len();
                continue;
            }
            let piece = p.strip_suffix('-').unwrap_or_else(|| {
                panic!(
                    "{what}: {word:?} broken without a hyphen after {:?}+{p:?}",
                    &word[..at]
                )
            });
            assert!(
                word[at..].starts_with(piece) && hyphen.contains(&(at + piece.len())),
                "{what}: {word:?} broken at {:?}, not a hyphenation point ({hyphen:?})",
                &word[..at + piece.len().min(word.len() - at)]
            );
            assert!(!is_token(word), "{what}: token {word:?} hyphenated");
            at += piece.len();
            hyphenated += 1;
        }
    }
    assert_eq!(
        printed.next(),
        None,
        "{what}: column {col} has more than its cells"
    );
    hyphenated
}

#[test]
fn no_token_is_split_and_words_break_at_hyphenation_points() {
    let env = Env::new();
    env.ok(&["client", "new", "brandt", "--name", "Bäckerei Brandt"]);
    env.ok_stdin(
        &[
            "doc",
            "add",
            "brandt",
            "netzplan",
            "--kind",
            "procedure",
            "--title",
            "Netzplan",
            "--stdin",
        ],
        markdown().as_bytes(),
    );
    let mut hyphenated = 0;
    for (lang, patterns) in [("de", hypher::Lang::German), ("en", hypher::Lang::English)] {
        for paper in ["a4", "letter"] {
            let pdf = env.dir.path().join(format!("{lang}-{paper}.pdf"));
            env.ok(&[
                "dossier",
                "brandt",
                "--lang",
                lang,
                "--paper",
                paper,
                "-o",
                pdf.to_str().unwrap(),
            ]);
            let what = format!("{lang} {paper}");
            for (col, printed) in columns_printed(&pdf).iter().enumerate() {
                hyphenated += check_column(col, printed, patterns, &what);
            }
        }
    }
    // The narrow columns did make the long words break, in every run.
    assert!(hyphenated >= 4, "{hyphenated}");
}

/// The checker itself finds a token cut in two and a word cut off a hyphenation point.
#[test]
fn the_checker_catches_split_tokens_and_bad_hyphens() {
    let split = std::panic::catch_unwind(|| {
        check_column(
            2,
            &["192.168.178.".into(), "0/24".into()],
            hypher::Lang::German,
            "t",
        )
    });
    assert!(split.is_err());
    let (_, hyphen) = breaks("Datensicherungsfestplatte", hypher::Lang::German);
    assert!(hyphen.contains(&"Datensicherungs".len()), "{hyphen:?}");
    assert!(!hyphen.contains(&"Datensic".len()), "{hyphen:?}");
}
