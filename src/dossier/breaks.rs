//! Where a table cell may break: between words, after a comma or a dash, and inside a
//! long word of prose at a hyphenation point (with a hyphen printed); never inside a
//! token a successor types or compares, such as an IP address, CIDR, MAC, host name,
//! date, number or e-mail address. A token wider than its column is printed whole in
//! a smaller size on a line of its own; only one too long even for that (a hostile
//! value) is broken between characters.

use super::fonts::Fonts;
use super::layout::{Style, measure, wrap_chars};

/// The smallest a token is scaled to keep it whole (8 pt becomes 4 pt, still legible
/// on paper and to a scanner's text layer).
pub const MIN_SCALE: f32 = 0.5;
/// Prose words are hyphenated only up to this length; longer ones are not words.
const MAX_HYPHENATED: usize = 64;

/// Which hyphenation patterns to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hyphenation {
    German,
    English,
}

impl Hyphenation {
    /// The patterns for a dossier in `language` (`de`, `en`).
    pub fn for_language(language: &str) -> Self {
        if language == "de" {
            Hyphenation::German
        } else {
            Hyphenation::English
        }
    }

    fn lang(self) -> hypher::Lang {
        match self {
            Hyphenation::German => hypher::Lang::German,
            Hyphenation::English => hypher::Lang::English,
        }
    }
}

/// What joins a piece of a word to the next piece when the line breaks between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Join {
    /// Nothing is added: after a comma, a dash or a slash.
    Plain,
    /// A hyphenation point: a hyphen is printed at the end of the line.
    Hyphen,
}

/// One printed line of a cell, at its own size (smaller for a token scaled to fit).
#[derive(Debug, Clone, PartialEq)]
pub struct CellLine {
    pub text: String,
    pub size: f32,
}

/// Whether `word` is a token to keep whole: anything with a digit, a dot, an at sign,
/// a colon or the like inside (addresses, numbers, dates, host and file names), and
/// lower-case words joined by hyphens (host names such as `brandt-nas`).
fn is_token(word: &str) -> bool {
    let inner = word.trim_matches(|c: char| !c.is_alphanumeric());
    if inner.chars().any(|c| {
        c.is_ascii_digit()
            || matches!(
                c,
                '.' | '@' | ':' | '_' | '\\' | '=' | '#' | '%' | '&' | '+' | '~'
            )
    }) {
        return true;
    }
    inner.contains('-') && !inner.chars().any(char::is_uppercase)
}

/// `word` cut after each comma or semicolon followed by more of the word, and, in a
/// token, after each en or em dash (the two ends of a range stay whole); in prose
/// also after each hyphen and slash. Each cut is a [`Join::Plain`].
fn plain_pieces(word: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut part_is_token = None;
    for (i, c) in word.char_indices() {
        let end = i + c.len_utf8();
        if end >= word.len() {
            break;
        }
        let token = *part_is_token.get_or_insert_with(|| {
            let part_end = word[start..]
                .find([',', ';'])
                .map_or(word.len(), |p| start + p);
            is_token(&word[start..part_end])
        });
        let cut = match c {
            ',' | ';' => true,
            '–' | '—' => true,
            '-' | '/' => !token,
            _ => false,
        };
        if cut {
            pieces.push(&word[start..end]);
            start = end;
            if matches!(c, ',' | ';') {
                part_is_token = None;
            }
        }
    }
    pieces.push(&word[start..]);
    pieces
}

/// The pieces of a word wider than its line, each with how it joins the next: the
/// plain cuts, and in each piece of prose the hyphenation points of its letters.
fn pieces(word: &str, hyph: Hyphenation) -> Vec<(&str, Join)> {
    let mut out = Vec::new();
    for piece in plain_pieces(word) {
        let start = piece.find(char::is_alphabetic).unwrap_or(piece.len());
        let end = piece.rfind(char::is_alphabetic).map_or(start, |i| {
            i + piece[i..].chars().next().map_or(1, char::len_utf8)
        });
        let letters = &piece[start..end.max(start)];
        let hyphenate = !is_token(piece)
            && letters.len() <= MAX_HYPHENATED
            && letters.chars().all(char::is_alphabetic)
            && letters.chars().count() >= 5;
        if !hyphenate {
            out.push((piece, Join::Plain));
            continue;
        }
        let mut at = start;
        let syllables: Vec<&str> = hypher::hyphenate(letters, hyph.lang()).collect();
        let n = syllables.len();
        for (k, s) in syllables.into_iter().enumerate() {
            let from = if k == 0 { 0 } else { at };
            let to = if k + 1 == n {
                piece.len()
            } else {
                at + s.len()
            };
            out.push((
                &piece[from..to],
                if k + 1 == n {
                    Join::Plain
                } else {
                    Join::Hyphen
                },
            ));
            at += s.len();
        }
    }
    out
}

/// The widest piece of `text` that a line never breaks, as [`wrap_cell`] sees it: a
/// token's whole width; a word of prose counts up to `prose_cap` (past that it would
/// rather be hyphenated than widen its column).
pub fn min_width(fonts: &Fonts, style: Style, text: &str, prose_cap: f32) -> f32 {
    let mut widest: f32 = 0.0;
    for word in text.split([' ', '\n']).filter(|w| !w.is_empty()) {
        for piece in plain_pieces(word) {
            let w = measure(fonts, style.face, style.size, piece);
            widest = widest.max(if is_token(piece) { w } else { w.min(prose_cap) });
        }
    }
    widest
}

/// The width of the widest line of `text` left unbroken.
pub fn natural_width(fonts: &Fonts, style: Style, text: &str) -> f32 {
    text.split('\n')
        .map(|l| measure(fonts, style.face, style.size, l.trim()))
        .fold(0.0, f32::max)
}

/// A cell's lines at `width`: greedy, a word moved whole to the next line when it fits
/// there, broken at its pieces only when it is wider than a line.
pub fn wrap_cell(
    fonts: &Fonts,
    style: Style,
    hyph: Hyphenation,
    text: &str,
    width: f32,
) -> Vec<CellLine> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let before = lines.len();
        let mut w = Wrapper {
            fonts,
            style,
            width,
            space: measure(fonts, style.face, style.size, " "),
            hyphen: measure(fonts, style.face, style.size, "-"),
            lines: &mut lines,
            line: String::new(),
            line_w: 0.0,
        };
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            w.word(word, hyph);
        }
        w.end_line();
        // An empty paragraph is an empty line.
        if lines.len() == before {
            lines.push(CellLine {
                text: String::new(),
                size: style.size,
            });
        }
    }
    lines
}

struct Wrapper<'a> {
    fonts: &'a Fonts,
    style: Style,
    width: f32,
    space: f32,
    hyphen: f32,
    lines: &'a mut Vec<CellLine>,
    line: String,
    line_w: f32,
}

impl Wrapper<'_> {
    fn measure(&self, text: &str) -> f32 {
        measure(self.fonts, self.style.face, self.style.size, text)
    }

    fn gap(&self) -> f32 {
        if self.line.is_empty() {
            0.0
        } else {
            self.space
        }
    }

    fn push(&mut self, text: &str, w: f32, gap: f32) {
        if gap > 0.0 {
            self.line.push(' ');
        }
        self.line.push_str(text);
        self.line_w += gap + w;
    }

    fn end_line(&mut self) {
        if !self.line.is_empty() {
            self.lines.push(CellLine {
                text: std::mem::take(&mut self.line),
                size: self.style.size,
            });
        }
        self.line_w = 0.0;
    }

    fn word(&mut self, word: &str, hyph: Hyphenation) {
        let w = self.measure(word);
        let gap = self.gap();
        if self.line_w + gap + w <= self.width {
            self.push(word, w, gap);
            return;
        }
        if w <= self.width {
            self.end_line();
            self.push(word, w, 0.0);
            return;
        }
        // Wider than a line: break it at its pieces, filling this line first.
        let pieces = pieces(word, hyph);
        let mut gap = gap;
        let mut last_join = Join::Plain;
        for (piece, join) in pieces {
            let pw = self.measure(piece);
            let extra = if join == Join::Hyphen {
                self.hyphen
            } else {
                0.0
            };
            if self.line_w + gap + pw + extra > self.width && !self.line.is_empty() {
                if last_join == Join::Hyphen {
                    self.line.push('-');
                }
                self.end_line();
                gap = 0.0;
            }
            let alone = pw + extra > self.width;
            if alone {
                // A syllable too wide on its own keeps its hyphen.
                if join == Join::Hyphen {
                    let text = format!("{piece}-");
                    self.too_wide(&text, pw + extra);
                } else {
                    self.too_wide(piece, pw);
                }
                gap = 0.0;
            } else {
                self.push(piece, pw, gap);
                gap = 0.0;
            }
            // A piece set alone carries its own hyphen, if any.
            last_join = if alone { Join::Plain } else { join };
        }
    }

    /// A piece wider than the line on its own: whole and smaller on a line of its
    /// own, or, past the smallest size, broken between characters.
    fn too_wide(&mut self, piece: &str, w: f32) {
        self.end_line();
        let scale = self.width / w;
        if scale >= MIN_SCALE {
            self.lines.push(CellLine {
                text: piece.to_owned(),
                size: self.style.size * scale * 0.999,
            });
            return;
        }
        let mut parts = wrap_chars(self.fonts, self.style, piece, self.width);
        let last = parts.pop().unwrap_or_default();
        for p in parts {
            self.lines.push(CellLine {
                text: p.to_string(),
                size: self.style.size,
            });
        }
        self.line_w = self.measure(&last);
        self.line = last.to_string();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dossier::fonts::Face;
    use crate::dossier::layout::BLACK;

    const STYLE: Style = Style::new(Face::Sans, 8.0, BLACK);

    fn texts(lines: &[CellLine]) -> Vec<&str> {
        lines.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn tokens_are_kept_whole_and_prose_is_not() {
        for t in [
            "192.168.178.10",
            "192.168.178.0/24",
            "00:1A:2B:3C:4D:5E",
            "brandt-nas",
            "nas.brandt.lan",
            "2026-10-01",
            "1.250,00",
            "buchhaltung@baeckerei-brandt.de",
            "fe80::1",
        ] {
            assert!(is_token(t), "{t}");
        }
        for w in [
            "Multifunktionsdrucker",
            "WLAN-Passwort",
            "Router/Firewall",
            "(Büro)",
        ] {
            assert!(!is_token(w), "{w}");
        }
        assert_eq!(
            plain_pieces("192.168.10.100–192.168.10.199"),
            ["192.168.10.100–", "192.168.10.199"]
        );
        assert_eq!(
            plain_pieces("10.0.0.1,10.0.0.2,brandt-nas"),
            ["10.0.0.1,", "10.0.0.2,", "brandt-nas"]
        );
        assert_eq!(
            plain_pieces("Drucker-/Scanner-Anschluss"),
            ["Drucker-", "/", "Scanner-", "Anschluss"]
        );
    }

    #[test]
    fn long_words_break_at_hyphenation_points_with_a_hyphen() {
        let fonts = Fonts::get();
        let word = "Datensicherungsfestplatte";
        let w = measure(fonts, STYLE.face, STYLE.size, word);
        let lines = wrap_cell(fonts, STYLE, Hyphenation::German, word, w * 0.6);
        assert!(lines.len() >= 2, "{lines:?}");
        let points: Vec<usize> = hypher::hyphenate(word, hypher::Lang::German)
            .scan(0, |at, s| {
                *at += s.len();
                Some(*at)
            })
            .collect();
        let mut at = 0;
        for (i, l) in lines.iter().enumerate() {
            let last = i + 1 == lines.len();
            let text = if last {
                l.text.as_str()
            } else {
                l.text.strip_suffix('-').expect("hyphen printed")
            };
            assert_eq!(&word[at..at + text.len()], text);
            at += text.len();
            if !last {
                assert!(points.contains(&at), "{at} in {points:?}");
            }
            assert!(measure(fonts, STYLE.face, l.size, &l.text) <= w * 0.6 + 0.01);
        }
        assert_eq!(at, word.len());
    }

    #[test]
    fn a_token_wider_than_the_column_is_printed_whole_and_smaller() {
        let fonts = Fonts::get();
        let cell = "NAS 192.168.178.10, 192.168.178.11";
        let ip = measure(fonts, STYLE.face, STYLE.size, "192.168.178.10,");
        let lines = wrap_cell(fonts, STYLE, Hyphenation::German, cell, ip * 0.8);
        assert_eq!(texts(&lines), ["NAS", "192.168.178.10,", "192.168.178.11"]);
        assert!(lines[1].size < STYLE.size && lines[1].size >= STYLE.size * MIN_SCALE);
        // Past the smallest size: broken between characters, nothing lost.
        let long = "x.".repeat(200);
        let lines = wrap_cell(fonts, STYLE, Hyphenation::English, &long, 50.0);
        assert_eq!(texts(&lines).concat(), long);
        // Words that fit move whole to the next line.
        let lines = wrap_cell(fonts, STYLE, Hyphenation::English, "a b c 2026-10-01", 30.0);
        assert!(texts(&lines).contains(&"2026-10-01"), "{lines:?}");
    }
}
