//! `1password-csv`: 1Password's CSV export (`Title, Url, Username, Password, OTPAuth,
//! Favorite, Archived, Tags, Notes`). Column order and extra columns vary between
//! versions, so columns are found by name. 1Password 8's export has no category; a
//! `Type` or `Category` column, where a file has one, says the item's category.

use crate::error::{Error, Result};
use crate::formats::csvutil::{self, Encoding};
use crate::formats::infer::{self, Hint};
use crate::formats::naming::PathAllocator;
use crate::formats::{Imported, split_tags, totp_value};
use crate::model::{Entry, Kind, Secret};

pub fn import(data: &[u8], source_name: &str) -> Result<Imported> {
    let (text, _) = csvutil::decode(data, Encoding::Utf8, source_name)?;
    let table = csvutil::read_table(&text, b',', source_name, csvutil::Layout::EXPORT)?;
    let col = |names: &[&str]| table.column(names);
    let (Some(title), Some(password)) = (col(&["Title"]), col(&["Password"])) else {
        return Err(Error::ImportFile {
            source_name: source_name.to_owned(),
            reason: "its header is not 1Password's (Title, Url, Username, Password, OTPAuth, …); use --format csv for other spreadsheets".into(),
        });
    };
    let url = col(&["Url", "URL", "Website"]);
    let username = col(&["Username"]);
    let otp = col(&["OTPAuth", "One-time password"]);
    let (favorite, archived) = (col(&["Favorite"]), col(&["Archived"]));
    let (tags, notes) = (col(&["Tags"]), col(&["Notes", "notesPlain"]));
    let category = col(&["Type", "Category", "category"]);
    let known = [
        Some(title),
        Some(password),
        url,
        username,
        otp,
        favorite,
        archived,
        tags,
        notes,
        category,
    ];
    let mut paths = PathAllocator::default();
    let mut out = Imported::default();
    for row in &table.rows {
        let title_text = row.get(Some(title)).unwrap_or("").to_owned();
        let mut e = Entry::new("x".into(), Kind::Login);
        e.url = row.get(url).map(str::to_owned);
        e.username = row.get(username).map(str::to_owned);
        e.password = row.get(Some(password)).map(Secret::from);
        e.totp = row.get(otp).map(|t| totp_value(t, &title_text));
        e.notes = row.get(notes).map(str::to_owned);
        e.tags = row.get(tags).map(split_tags).unwrap_or_default();
        for (column, tag) in [(favorite, "favorite"), (archived, "archived")] {
            if row
                .get(column)
                .is_some_and(|v| v.eq_ignore_ascii_case("true"))
            {
                e.tags.push(tag.to_owned());
            }
        }
        e.fields = table.other_columns(row, &known);
        paths.place(&mut e, &[], title_text, None);
        let hint = row.get(category).map_or(Hint::None, category_hint);
        infer::apply(&mut e, hint, false, &mut out.inferred);
        out.entries.push(e);
    }
    Ok(out)
}

/// 1Password's categories, by the name its exports give them.
const CATEGORIES: &[(&str, Hint)] = &[
    (
        "Login",
        Hint::Generic(Kind::Login, "1Password category Login"),
    ),
    (
        "Password",
        Hint::Generic(Kind::Login, "1Password category Password"),
    ),
    (
        "Secure Note",
        Hint::Generic(Kind::Note, "1Password category Secure Note"),
    ),
    (
        "Server",
        Hint::Specific(Kind::Server, "1Password category Server"),
    ),
    (
        "Database",
        Hint::Specific(Kind::Database, "1Password category Database"),
    ),
    (
        "Wireless Router",
        Hint::Specific(Kind::Wifi, "1Password category Wireless Router"),
    ),
    (
        "Email Account",
        Hint::Specific(Kind::Email, "1Password category Email Account"),
    ),
    (
        "Software License",
        Hint::Specific(Kind::License, "1Password category Software License"),
    ),
    (
        "API Credential",
        Hint::Specific(Kind::ApiKey, "1Password category API Credential"),
    ),
    (
        "SSH Key",
        Hint::Specific(Kind::SshKey, "1Password category SSH Key"),
    ),
    (
        "Credit Card",
        Hint::Specific(Kind::Other, "1Password category Credit Card"),
    ),
    (
        "Identity",
        Hint::Specific(Kind::Other, "1Password category Identity"),
    ),
    (
        "Bank Account",
        Hint::Specific(Kind::Other, "1Password category Bank Account"),
    ),
    (
        "Document",
        Hint::Specific(Kind::Other, "1Password category Document"),
    ),
];

/// What a category cell says; an unknown category (a newer 1Password's) says nothing.
fn category_hint(cell: &str) -> Hint {
    let cell = cell.trim();
    CATEGORIES
        .iter()
        .find(|(name, _)| {
            name.eq_ignore_ascii_case(cell) || name.replace(' ', "_").eq_ignore_ascii_case(cell)
        })
        .map_or(Hint::None, |(_, hint)| *hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_sample() {
        let data = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/1password.csv"
        ))
        .unwrap();
        let got = import(&data, "t").unwrap().entries;
        assert_eq!(got.len(), 1);
        let e = &got[0];
        assert_eq!(e.path, "Steuerberater Portal");
        assert_eq!(e.password.as_ref().unwrap().expose(), "St€uer,2025");
        assert_eq!(e.username.as_deref(), Some("weber-praxis"));
        assert_eq!(e.url.as_deref(), Some("https://portal.example.de"));
        assert_eq!(e.tags, ["Finanzen"]);
        assert_eq!(e.notes.as_deref(), Some("Ansprechpartner: Fr. Klein"));
        assert!(e.totp.is_none());
        assert!(import(b"Group,Title\n", "t").is_err());
    }
}
