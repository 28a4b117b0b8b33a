//! `1password-csv`: 1Password's CSV export (`Title, Url, Username, Password, OTPAuth,
//! Favorite, Archived, Tags, Notes`). Column order and extra columns vary between
//! versions, so columns are found by name.

use crate::error::{Error, Result};
use crate::formats::csvutil::{self, Encoding};
use crate::formats::naming::PathAllocator;
use crate::formats::{Imported, infer_kind, split_tags, totp_value};
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
        e.kind = infer_kind(&e);
        out.entries.push(e);
    }
    Ok(out)
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
