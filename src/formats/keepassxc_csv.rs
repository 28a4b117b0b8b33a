//! `keepassxc-csv`: what KeePassXC writes with "Export → CSV" or
//! `keepassxc-cli export --format csv`: `Group, Title, Username, Password, URL, Notes,
//! TOTP, Icon, Last Modified, Created` (newer versions add columns such as `Tags`).

use crate::error::{Error, Result};
use crate::formats::csvutil::{self, Encoding};
use crate::formats::infer::{self, Hint};
use crate::formats::naming::PathAllocator;
use crate::formats::{Imported, parse_time, split_tags, totp_value};
use crate::model::{Entry, Kind, Secret};

/// Names KeePass and KeePassXC give the recycle bin, in the languages our users have.
pub(crate) const RECYCLE_BIN_NAMES: &[&str] = &["Recycle Bin", "Papierkorb"];

pub fn import(data: &[u8], source_name: &str) -> Result<Imported> {
    let (text, _) = csvutil::decode(data, Encoding::Utf8, source_name)?;
    let table = csvutil::read_table(&text, b',', source_name, csvutil::Layout::EXPORT)?;
    let col = |name: &str| table.column(&[name]);
    let (Some(group), Some(title), Some(username), Some(password)) =
        (col("Group"), col("Title"), col("Username"), col("Password"))
    else {
        return Err(Error::ImportFile {
            source_name: source_name.to_owned(),
            reason: "its header is not KeePassXC's (Group, Title, Username, Password, URL, Notes, TOTP, …); use --format csv for other spreadsheets".into(),
        });
    };
    let (url, notes, totp) = (col("URL"), col("Notes"), col("TOTP"));
    let (modified, created, tags) = (col("Last Modified"), col("Created"), col("Tags"));
    let known = [
        Some(group),
        Some(title),
        Some(username),
        Some(password),
        url,
        notes,
        totp,
        modified,
        created,
        tags,
        col("Icon"),
    ];
    let mut paths = PathAllocator::default();
    let mut out = Imported::default();
    let mut skipped = 0;
    for row in &table.rows {
        let Some(groups) = groups_below_root(row.get(Some(group)).unwrap_or("")) else {
            skipped += 1;
            continue;
        };
        let title_text = row.get(Some(title)).unwrap_or("").to_owned();
        let mut e = Entry::new("x".into(), Kind::Login);
        e.username = row.get(Some(username)).map(str::to_owned);
        e.password = row.get(Some(password)).map(Secret::from);
        e.url = row.get(url).map(str::to_owned);
        e.notes = row.get(notes).map(str::to_owned);
        e.totp = row.get(totp).map(|t| totp_value(t, &title_text));
        e.tags = row.get(tags).map(split_tags).unwrap_or_default();
        // Times are informational: one in a format we do not know is left out rather
        // than refusing the file.
        e.created = row.get(created).and_then(parse_time);
        e.updated = row.get(modified).and_then(parse_time);
        e.fields = table.other_columns(row, &known);
        paths.place(&mut e, &groups, title_text, None);
        infer::apply(&mut e, Hint::None, false, &mut out.inferred);
        out.entries.push(e);
    }
    if skipped > 0 {
        out.warnings.push(format!(
            "{skipped} entries in the recycle bin were not imported"
        ));
    }
    Ok(out)
}

/// The groups of a `Group` cell below the first, the database's root group (the same
/// for every entry); None for an entry in the recycle bin.
fn groups_below_root(group_path: &str) -> Option<Vec<&str>> {
    let groups: Vec<&str> = group_path.split('/').skip(1).collect();
    if groups
        .first()
        .is_some_and(|g| RECYCLE_BIN_NAMES.contains(g))
    {
        return None;
    }
    Some(groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_real_export() {
        let data = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/keepassxc-2.7.4.csv"
        ))
        .unwrap();
        let got = import(&data, "t").unwrap().entries;
        let paths: Vec<&str> = got.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            ["DNS Provider", "Server/Drucker Büro", "Server/Linux/srv1"]
        );
        assert_eq!(got[0].password.as_ref().unwrap().expose(), "DNS;Zone,Edit");
        assert_eq!(got[2].password.as_ref().unwrap().expose(), "r00t-Pässwort!");
        assert_eq!(
            got[2].notes.as_deref(),
            Some("Debian 12\nBackup nachts 02:00, \"restic\"")
        );
        assert!(got[0].created.is_some());
        assert!(import(b"a,b\n1,2\n", "t").is_err());
    }

    #[test]
    fn recycle_bin_and_duplicates() {
        let data = "\"Group\",\"Title\",\"Username\",\"Password\"\n\
                    \"Root/Recycle Bin\",\"old\",\"u\",\"p\"\n\
                    \"Root/A\",\"x/y\",\"u\",\"p\"\n\
                    \"Root/A\",\"x/y\",\"u\",\"p\"\n";
        let got = import(data.as_bytes(), "t").unwrap();
        let paths: Vec<&str> = got.entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["A/x-y", "A/x-y (2)"]);
        assert_eq!(got.entries[0].title, "x/y");
        assert_eq!(got.warnings.len(), 1);
    }
}
