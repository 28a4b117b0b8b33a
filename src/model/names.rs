//! How a person names a record: a name typed as people say it (any case, "Gaeste" for
//! "Gäste") finds the one record it can only mean, a mistyped one gets the closest
//! names back, and a name we put into a suggested command is quoted for the shell.
//!
//! This is the one place where names are matched, so that client ids, entry paths,
//! systems, networks, vendors, documents and decisions all answer alike.

/// Lower case, and the accents a German or French name carries spelled out or
/// dropped, so that "gaeste", "Gäste" and "GÄSTE" are the same, and "strasse" finds
/// "Straße".
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' | 'æ' => out.push_str("ae"),
            'ö' | 'œ' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            'à' | 'á' | 'â' | 'ã' | 'å' => out.push('a'),
            'ç' => out.push('c'),
            'è' | 'é' | 'ê' | 'ë' => out.push('e'),
            'ì' | 'í' | 'î' | 'ï' => out.push('i'),
            'ñ' => out.push('n'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ø' => out.push('o'),
            'ù' | 'ú' | 'û' => out.push('u'),
            'ý' | 'ÿ' => out.push('y'),
            c => out.push(c),
        }
    }
    out
}

/// How many names a "did you mean" offers at most.
pub const MAX_SUGGESTIONS: usize = 3;

/// Below this similarity (0 to 1, over the folded names) a name is not offered.
const MIN_SIMILARITY: f64 = 0.6;

/// How far below the best name another may score and still be offered.
const MAX_SHORTFALL: f64 = 0.2;

/// The item `typed` names among `items`: the one whose name is exactly `typed`, else
/// the only one whose name is the same but for case, else the only one whose name is
/// the same when folded (case and accents aside). When
/// none is, or several are, the names to offer instead, best first (empty when
/// nothing is close).
pub fn resolve<'a, T>(
    items: &'a [T],
    typed: &str,
    name: impl Fn(&'a T) -> &'a str,
) -> Result<&'a T, Vec<String>> {
    if let Some(exact) = items.iter().find(|i| name(i) == typed) {
        return Ok(exact);
    }
    // Case first: "gäste" means "Gäste" even beside a "Gaeste".
    let lower = typed.to_lowercase();
    if let [one] = matching(items, |i| name(i).to_lowercase() == lower).as_slice() {
        return Ok(one);
    }
    let wanted = fold(typed);
    match matching(items, |i| fold(name(i)) == wanted).as_slice() {
        [one] => Ok(one),
        [] => Err(closest(typed, items.iter().map(&name))),
        several => {
            let mut names: Vec<String> = several.iter().map(|i| name(i).to_owned()).collect();
            names.sort();
            Err(names)
        }
    }
}

fn matching<'a, T>(items: &'a [T], pred: impl Fn(&'a T) -> bool) -> Vec<&'a T> {
    items.iter().filter(|i| pred(i)).collect()
}

/// The names most like `typed`, best first, at most [`MAX_SUGGESTIONS`]: those that
/// contain it or that it contains (a path's last part, a name without its suffix),
/// then those within a few edits of it; none far behind the best.
pub fn closest<'a>(typed: &str, names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let wanted = fold(typed);
    let mut scored: Vec<(f64, &str)> = names
        .map(|n| (similarity(&wanted, &fold(n)), n))
        .filter(|(score, _)| *score >= MIN_SIMILARITY)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    // A near miss alone rather than beside names that are merely alike.
    let best = scored.first().map_or(0.0, |s| s.0);
    scored
        .into_iter()
        .take_while(|(score, _)| *score >= best - MAX_SHORTFALL)
        .take(MAX_SUGGESTIONS)
        .map(|(_, n)| n.to_owned())
        .collect()
}

/// Edit similarity of two folded names, raised for one that contains the other (at
/// least three characters of it, so that "a" is not close to everything).
fn similarity(wanted: &str, name: &str) -> f64 {
    let edits = strsim::normalized_damerau_levenshtein(wanted, name);
    let (short, long) = match wanted.len() <= name.len() {
        true => (wanted, name),
        false => (name, wanted),
    };
    if short.chars().count() >= 3 && long.contains(short) {
        return edits.max(0.8 + 0.2 * edits);
    }
    edits
}

/// ` (did you mean "a"?)` or ` (did you mean "a", "b" or "c"?)` for the names
/// [`resolve`] offers; nothing when it offers none.
pub fn did_you_mean(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => format!(" (did you mean {one}?)"),
        [first @ .., last] => format!(" (did you mean {} or {last}?)", first.join(", ")),
    }
}

/// `s` as one word for a POSIX shell: as is when that is safe, else single-quoted.
/// Every command we suggest is built from these words, so that it can be pasted as
/// it is printed. (The front end escapes control characters when it prints.)
pub fn shell_word(s: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+:,=@%".contains(c);
    if !s.is_empty() && s.chars().all(plain) {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The command line `handover WORDS…` in backticks, each word [`shell_word`]-quoted:
/// what a message suggests, with the real client, path or name in it.
pub fn command(words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| shell_word(w)).collect();
    format!("`handover {}`", quoted.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick<'a>(names: &'a [&'a str], typed: &str) -> Result<&'a str, Vec<String>> {
        resolve(names, typed, |n| n).copied()
    }

    #[test]
    fn exact_then_unique_folded_match() {
        let names = ["Drucker/Kyocera Büro", "m365/global-admin", "Netz/Gäste"];
        assert_eq!(pick(&names, "m365/global-admin"), Ok("m365/global-admin"));
        assert_eq!(pick(&names, "M365/Global-Admin"), Ok("m365/global-admin"));
        assert_eq!(pick(&names, "netz/gaeste"), Ok("Netz/Gäste"));
        assert_eq!(
            pick(&names, "drucker/kyocera buero"),
            Ok("Drucker/Kyocera Büro")
        );
    }

    #[test]
    fn exact_wins_over_folded_and_ambiguous_lists_both() {
        let names = ["wlan", "WLAN", "Wlan"];
        assert_eq!(pick(&names, "WLAN"), Ok("WLAN"));
        assert_eq!(
            pick(&names, "wLan"),
            Err(vec!["WLAN".into(), "Wlan".into(), "wlan".into()])
        );
        let names = ["Gäste", "Gaeste"];
        assert_eq!(pick(&names, "gäste"), Ok("Gäste"));
        assert_eq!(
            pick(&names, "GAESTE"),
            Ok("Gaeste"),
            "case alone decides first"
        );
        assert_eq!(
            pick(&names, "gæste"),
            Err(vec!["Gaeste".into(), "Gäste".into()])
        );
    }

    #[test]
    fn closest_names_for_a_typo_or_a_part() {
        let names = [
            "Drucker/Kyocera Büro",
            "m365/global-admin",
            "m365/billing-admin",
            "firewall/admin",
        ];
        assert_eq!(
            pick(&names, "m365/global-admn"),
            Err(vec!["m365/global-admin".into()])
        );
        assert_eq!(
            pick(&names, "kyocera"),
            Err(vec!["Drucker/Kyocera Büro".into()])
        );
        assert_eq!(pick(&names, "router/root"), Err(vec![]));
        assert_eq!(pick(&[] as &[&str], "x"), Err(vec![]));
    }

    #[test]
    fn at_most_three_suggestions_best_first() {
        let names = ["srv-1", "srv-2", "srv-3", "srv-4", "srv-10"];
        let Err(offered) = pick(&names, "srv-") else {
            panic!("no match expected")
        };
        assert_eq!(offered.len(), MAX_SUGGESTIONS);
        assert!(offered.iter().all(|o| o.starts_with("srv-")), "{offered:?}");
    }

    #[test]
    fn did_you_mean_reads_as_a_sentence() {
        assert_eq!(did_you_mean(&[]), "");
        assert_eq!(did_you_mean(&["a b".into()]), " (did you mean \"a b\"?)");
        assert_eq!(
            did_you_mean(&["a".into(), "b".into(), "c".into()]),
            " (did you mean \"a\", \"b\" or \"c\"?)"
        );
    }

    #[test]
    fn shell_words_paste_as_printed() {
        assert_eq!(shell_word("baeckerei-brandt"), "baeckerei-brandt");
        assert_eq!(shell_word("m365/global-admin"), "m365/global-admin");
        assert_eq!(shell_word("Drucker/Kyocera Büro"), "'Drucker/Kyocera Büro'");
        assert_eq!(shell_word("Bob's PC"), "'Bob'\\''s PC'");
        assert_eq!(shell_word(""), "''");
        assert_eq!(shell_word("$HOME"), "'$HOME'");
        assert_eq!(
            command(&[
                "show",
                "baeckerei-brandt",
                "Drucker/Kyocera Büro",
                "--reveal"
            ]),
            "`handover show baeckerei-brandt 'Drucker/Kyocera Büro' --reveal`"
        );
    }
}
