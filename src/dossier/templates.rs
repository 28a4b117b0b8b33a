//! The dossier's wording and branding. Every sentence a reader sees comes from
//! `templates/<lang>.json`; a provider may override any of them, and add branding, with
//! `--template DIR` (`DIR/<lang>.json` holding only the keys to change, and
//! `DIR/branding.json`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::fsutil;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    De,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Result<Lang> {
        match s {
            "de" => Ok(Lang::De),
            "en" => Ok(Lang::En),
            other => Err(Error::Invalid(format!(
                "unknown dossier language {other:?}; use de or en"
            ))),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::De => "de",
            Lang::En => "en",
        }
    }

    fn builtin(self) -> &'static str {
        match self {
            Lang::De => include_str!("../../templates/de.json"),
            Lang::En => include_str!("../../templates/en.json"),
        }
    }
}

/// Every text of the dossier. Placeholders in braces (`{date}`) are filled in by the
/// renderer; `deny_unknown_fields` turns a misspelt override key into an error instead of
/// a silently ignored one.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Texts {
    pub language: String,
    pub date_format: String,
    pub title: String,
    pub confidential: String,
    pub page_of: String,
    pub as_of: String,
    pub client: String,
    pub provider: String,
    pub entry_count: String,
    pub fingerprint: String,
    pub signing_key: String,
    /// The cover's label for the signing key's fingerprint, in plain words.
    pub cover_signer: String,
    pub signing_key_note: String,
    pub notice_title: String,
    pub notice_text: String,
    pub handed_over: String,
    pub received: String,
    pub name_date: String,
    pub signature: String,
    pub glance_title: String,
    pub glance_intro: String,
    pub glance_call: String,
    pub glance_wifi: String,
    pub glance_wifi_qr: String,
    pub glance_ssid: String,
    pub glance_details: String,
    pub glance_frequent: String,
    pub glance_where: String,
    pub glance_bundle: String,
    pub glance_key: String,
    /// The final dossier of an offboarding (`Options::handed_over_to`): the previous
    /// provider's label and line, and the sentence that it has handed over.
    pub handover_previous: String,
    pub handover_previous_value: String,
    /// `{provider}` when the previous provider's name is unknown.
    pub handover_previous_unknown: String,
    pub handover_note: String,
    /// The cover's note on the signing key, when the bundle is handed over.
    pub handover_signing_key_note: String,
    /// The bundle handed over with the dossier, and what it replaces.
    pub glance_bundle_handed_over: String,
    pub glance_bundle_replaces: String,
    /// The offboarding rotation list: its column headers by column, what to replace
    /// (`totp`, `recovery-codes`, `field`; a password is named as the dossier names it),
    /// and why, by reason code (`workflows::rotation::Reason`).
    pub rotation_columns: BTreeMap<String, String>,
    pub rotation_secrets: BTreeMap<String, String>,
    pub rotation_reasons: BTreeMap<String, String>,
    pub glance_gone_title: String,
    pub glance_gone: Vec<String>,
    /// Replaces the second of `glance_gone` when an emergency partner is named.
    pub glance_gone_partner: String,
    pub glance_partner: String,
    pub howto_title: String,
    pub howto: Vec<String>,
    pub toc_title: String,
    pub profile_title: String,
    pub legal_name: String,
    pub address: String,
    pub notes: String,
    pub contacts_title: String,
    pub role: String,
    pub phone: String,
    pub email: String,
    pub no_contacts: String,
    pub provider_title: String,
    pub entries_title: String,
    pub path: String,
    pub kind: String,
    pub url: String,
    pub host: String,
    pub port: String,
    pub username: String,
    pub password: String,
    pub totp_secret: String,
    pub totp_uri: String,
    pub totp_qr: String,
    pub totp_unreadable: String,
    pub recovery_codes: String,
    pub owner: String,
    pub provider_knows: String,
    pub expires: String,
    pub rotated: String,
    pub tags: String,
    /// After an entry's title on the pages it runs onto.
    pub continued: String,
    pub yes: String,
    pub no: String,
    pub no_entries: String,
    pub kinds: BTreeMap<String, String>,
    /// The heading of entries whose path has no group.
    pub ungrouped_title: String,
    /// What an entry's secret is called, by kind (an SSH key is not a password); kinds
    /// not listed use `password`.
    pub secret_labels: BTreeMap<String, String>,
    pub owners: BTreeMap<String, String>,
    pub infra_title: String,
    pub networks_title: String,
    pub sys_name: String,
    pub sys_purpose: String,
    pub sys_device: String,
    pub sys_address: String,
    pub sys_location: String,
    pub sys_criticality: String,
    pub sys_warranty: String,
    pub sys_backup: String,
    pub sys_restore_test: String,
    pub sys_logins: String,
    pub categories: BTreeMap<String, String>,
    pub criticalities: BTreeMap<String, String>,
    pub net_name: String,
    pub net_gateway: String,
    pub net_notes: String,
    pub vendors_title: String,
    pub ven_provides: String,
    pub ven_hotline: String,
    pub ven_customer_number: String,
    pub ven_portal: String,
    pub ven_contract_number: String,
    pub ven_start: String,
    pub ven_term_end: String,
    pub ven_deadline: String,
    pub ven_deadline_soon: String,
    pub ven_deadline_past: String,
    pub docs_title: String,
    pub doc_kinds: BTreeMap<String, String>,
    pub decisions_title: String,
    pub dec_decision: String,
    pub dec_why: String,
    pub dec_alternatives: String,
    pub dec_by: String,
    pub dec_superseded: String,
    pub dec_superseded_by: String,
    pub entry_system: String,
    pub entry_vendor: String,
    pub entry_location: String,
    pub page_ref: String,
    pub checklist_title: String,
    pub checklist_intro: String,
    pub rotate_title: String,
    pub plan_hour: String,
    pub plan_day: String,
    pub plan_week: String,
    pub plan_remove_access: String,
    /// The entries an earlier provider still knows (after a takeover): heading, intro
    /// (`{from}`: its name) and the secrets to replace (`password`, `totp`,
    /// `recovery_codes`, `field` with `{name}`).
    pub previous_title: String,
    pub previous_intro: String,
    pub previous_secrets: BTreeMap<String, String>,
    pub transfer_title: String,
    pub expiry_title: String,
    pub expired: String,
    pub expiring: String,
    pub nothing: String,
    pub appendix_title: String,
    pub appendix_intro: String,
    pub appendix_blocking: String,
    pub appendix_warnings: String,
    pub appendix_nothing: String,
    /// One sentence per handover-check rule, by its code.
    pub findings: BTreeMap<String, String>,
    pub history_title: String,
    pub history_intro: String,
    pub history_none: String,
    /// A label per history event kind.
    pub events: BTreeMap<String, String>,
    /// Vault field names as the history page prints them (`password` → "Passwort");
    /// a name not listed is printed as it is.
    pub field_names: BTreeMap<String, String>,
    pub key_title: String,
    pub key_intro: Vec<String>,
    /// After the command: what the result is and where `age` comes from.
    pub key_after: String,
    /// Label of where the bundle is kept.
    pub key_bundle_at: String,
    pub key_bundle_latest: String,
    /// `{date}` and `{fingerprint}` of the newest bundle.
    pub key_bundle_written: String,
    pub key_bundle_none: String,
    pub key_bundle_compare: String,
    pub key_takeover: String,
    pub key_stock: String,
    pub key_recipient: String,
    pub key_secret: String,
    pub key_qr: String,
    pub index_title: String,
    /// The stock-tool check page (`sections::verification`).
    pub verify_title: String,
    pub verify_intro: String,
    pub verify_line: String,
    pub verify_qr: String,
    pub verify_vault: String,
    pub verify_bundle: String,
    /// `{fingerprint}`: what ssh-keygen must name.
    pub verify_good: String,
    /// The notice period of a contract that does not renew has passed.
    pub ven_deadline_past_no_renewal: String,
    /// Data pages (`--data-pages`).
    pub data_title: String,
    /// `{page}` of `{pages}`.
    pub data_page_of: String,
    /// `{date}`, `{fingerprint}`, `{printing}` (the id every code carries).
    pub data_printing: String,
    pub data_useless: String,
    pub data_intro: Vec<String>,
    pub data_restore: String,
    pub data_stock: String,
    /// On the cover and the emergency sheet.
    pub data_cover: String,
    pub data_key_sheet: String,
    /// Deadlines on the checklist, the vendor pages and in the appendix.
    pub deadlines: DeadlineTexts,
}

/// How the dossier names a deadline: `{name}` and `{date}` on the checklist, the
/// notice period and renewal on a vendor page, the dated findings of the appendix.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlineTexts {
    pub checklist_contract: String,
    pub checklist_contract_passed: String,
    pub checklist_warranty_ending: String,
    pub checklist_warranty_ended: String,
    pub ven_notice: String,
    pub ven_renewal: String,
    /// `{period}`: how long it renews by.
    pub ven_renews: String,
    pub ven_no_renewal: String,
    pub ven_logins: String,
    pub ven_systems: String,
    pub months_one: String,
    /// `{n}` months.
    pub months: String,
    pub days_one: String,
    pub days: String,
    pub and: String,
    pub finding_cancellation_passed: String,
    pub finding_cancellation_soon: String,
    pub finding_warranty_ended: String,
    pub finding_expired: String,
    pub finding_expiring: String,
}

impl DeadlineTexts {
    /// "3 Monate und 14 Tage"; `None` for a period of nothing.
    pub fn period(&self, months: u32, days: u32) -> Option<String> {
        let unit = |n: u32, one: &str, many: &str| match n {
            0 => None,
            1 => Some(one.to_owned()),
            n => Some(fill(many, &[("n", &n.to_string())])),
        };
        let parts: Vec<String> = [
            unit(months, &self.months_one, &self.months),
            unit(days, &self.days_one, &self.days),
        ]
        .into_iter()
        .flatten()
        .collect();
        (!parts.is_empty()).then(|| parts.join(&format!(" {} ", self.and)))
    }
}

/// Who the provider is and how the dossier is dressed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Branding {
    #[serde(default)]
    pub provider_name: Option<String>,
    /// Postal address; may span lines.
    #[serde(default)]
    pub provider_address: Option<String>,
    /// Phone, e-mail or web address, one per line.
    #[serde(default)]
    pub provider_contact: Option<String>,
    /// Who takes over when the provider is unreachable (name, phone, the arrangement);
    /// a client's own emergency partner takes precedence.
    #[serde(default)]
    pub emergency_partner: Option<String>,
    /// `#RRGGBB`, used for headings and rules.
    #[serde(default)]
    pub accent_color: Option<String>,
    /// A PNG file in the template directory, printed on the cover.
    #[serde(default)]
    pub logo: Option<String>,
}

/// A decoded logo: 8-bit RGB, composited onto white (the page is white, and this keeps
/// the PDF free of soft masks).
pub struct Logo {
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<u8>,
}

const MAX_LOGO_FILE: u64 = 5 * 1024 * 1024;
const MAX_LOGO_SIDE: u32 = 4000;

fn load_logo(path: &Path) -> Result<Logo> {
    let bad = |why: String| Error::Invalid(format!("branding logo {}: {why}", path.display()));
    let bytes = fsutil::read_regular_file(path, MAX_LOGO_FILE, "the branding logo")?;
    let mut decoder = png::Decoder::new_with_limits(
        std::io::Cursor::new(bytes),
        png::Limits {
            bytes: 64 * 1024 * 1024,
        },
    );
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder
        .read_info()
        .map_err(|e| bad(format!("it is not a readable PNG image ({e})")))?;
    let (w, h) = (reader.info().width, reader.info().height);
    if w == 0 || h == 0 || w > MAX_LOGO_SIDE || h > MAX_LOGO_SIDE {
        return Err(bad(format!(
            "it is {w}×{h} pixels; use at most {MAX_LOGO_SIDE} pixels a side"
        )));
    }
    let mut buf = vec![0; reader.output_buffer_size()];
    let frame = reader
        .next_frame(&mut buf)
        .map_err(|e| bad(format!("it is not a readable PNG image ({e})")))?;
    let channels = frame.color_type.samples();
    let pixels = &buf[..frame.buffer_size()];
    let mut rgb = Vec::with_capacity(w as usize * h as usize * 3);
    for px in pixels.chunks_exact(channels) {
        let (color, alpha): ([u8; 3], u8) = match channels {
            1 => ([px[0]; 3], 255),
            2 => ([px[0]; 3], px[1]),
            3 => ([px[0], px[1], px[2]], 255),
            _ => ([px[0], px[1], px[2]], px[3]),
        };
        for c in color {
            let a = u32::from(alpha);
            rgb.push(((u32::from(c) * a + 255 * (255 - a)) / 255) as u8);
        }
    }
    Ok(Logo {
        width: w as usize,
        height: h as usize,
        rgb,
    })
}

impl Branding {
    pub fn accent(&self) -> Result<(u8, u8, u8)> {
        let Some(hex) = &self.accent_color else {
            return Ok((0x1f, 0x4e, 0x79));
        };
        let bad = || {
            Error::Invalid(format!(
                "branding: accent_color {hex:?} is not a colour like \"#1f4e79\""
            ))
        };
        let digits = hex.strip_prefix('#').ok_or_else(bad)?;
        if digits.len() != 6 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let byte = |i: usize| u8::from_str_radix(&digits[i..i + 2], 16).map_err(|_| bad());
        Ok((byte(0)?, byte(2)?, byte(4)?))
    }
}

pub struct Template {
    pub texts: Texts,
    pub branding: Branding,
    pub logo: Option<Logo>,
}

const MAX_TEMPLATE_FILE: u64 = 1024 * 1024;

fn read_json(path: &Path) -> Result<Option<serde_json::Value>> {
    let bytes = match fsutil::read_regular_file(path, MAX_TEMPLATE_FILE, "the template file") {
        Ok(b) => b,
        Err(e) if fsutil::is_not_found(&e) => return Ok(None),
        Err(e) => return Err(e),
    };
    serde_json::from_slice(&bytes).map(Some).map_err(|e| {
        Error::Invalid(format!(
            "{} is not valid JSON (line {}, column {}); fix it or remove it",
            path.display(),
            e.line(),
            e.column()
        ))
    })
}

impl Template {
    /// The built-in texts, nothing merged: read straight into `Texts`, not through a
    /// JSON tree first (half the cost of loading them).
    fn builtin(lang: Lang) -> Result<Template> {
        let texts: Texts = serde_json::from_str(lang.builtin())
            .map_err(|e| Error::Invalid(format!("built-in template is broken: {e}")))?;
        Ok(Template {
            texts,
            branding: Branding::default(),
            logo: None,
        })
    }

    /// The built-in wording for `lang`, with overrides and branding from `dir`.
    pub fn load(lang: Lang, dir: Option<&Path>) -> Result<Template> {
        if dir.is_none() {
            return Template::builtin(lang);
        }
        let mut base: serde_json::Value = serde_json::from_str(lang.builtin())
            .map_err(|e| Error::Invalid(format!("built-in template is broken: {e}")))?;
        let mut branding = Branding::default();
        let mut logo = None;
        if let Some(dir) = dir {
            if !dir.is_dir() {
                return Err(Error::Invalid(format!(
                    "template directory {} does not exist",
                    dir.display()
                )));
            }
            let file = dir.join(format!("{}.json", lang.code()));
            if let Some(overrides) = read_json(&file)? {
                let (Some(base), serde_json::Value::Object(overrides)) =
                    (base.as_object_mut(), overrides)
                else {
                    return Err(Error::Invalid(format!(
                        "{} must hold a JSON object of texts",
                        file.display()
                    )));
                };
                for (key, value) in overrides {
                    base.insert(key, value);
                }
            }
            let file = dir.join("branding.json");
            if let Some(value) = read_json(&file)? {
                branding = serde_json::from_value(value).map_err(|e| {
                    Error::Invalid(format!(
                        "{}: {e}; known keys: provider_name, provider_address, provider_contact, emergency_partner, accent_color, logo",
                        file.display()
                    ))
                })?;
                branding.accent()?;
                if let Some(name) = &branding.logo {
                    logo = Some(load_logo(&dir.join(name))?);
                }
            }
        }
        let texts: Texts = serde_json::from_value(base).map_err(|e| {
            Error::Invalid(format!(
                "the {} template texts are not usable: {e}",
                lang.code()
            ))
        })?;
        Ok(Template {
            texts,
            branding,
            logo,
        })
    }
}

/// Replaces `{name}` placeholders.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    let mut placeholder = String::new();
    for (name, value) in values {
        placeholder.clear();
        placeholder.push('{');
        placeholder.push_str(name);
        placeholder.push('}');
        // One after the other, as before: a value may hold a later placeholder.
        if out.contains(placeholder.as_str()) {
            out = out.replace(placeholder.as_str(), value);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_templates_are_complete() {
        for lang in [Lang::De, Lang::En] {
            let t = Template::load(lang, None).unwrap();
            for kind in crate::model::Kind::ALL {
                assert!(t.texts.kinds.contains_key(kind.as_str()), "{kind:?}");
            }
            for owner in ["client", "provider", "third-party"] {
                assert!(t.texts.owners.contains_key(owner));
            }
            for code in crate::workflows::check::Code::ALL {
                assert!(t.texts.findings.contains_key(code.as_str()), "{code:?}");
            }
            for kind in crate::model::EventKind::ALL {
                assert!(t.texts.events.contains_key(kind.as_str()), "{kind:?}");
            }
            // Every field name a history event can carry is printed in words.
            for name in crate::workflows::knowledge::SYSTEM_CLEARABLE
                .iter()
                .chain(&[
                    "category",
                    "cidr",
                    "criticality",
                    "decided_by",
                    "decision",
                    "dhcp_range",
                    "dns",
                    "gateway",
                    "hotline",
                    "provides",
                    "why",
                    "body",
                    "contract",
                    "status",
                    "customer_number",
                    "alternatives",
                    "superseded_by",
                    "address",
                    "legal_name",
                    "password",
                    "totp",
                    "username",
                    "group_titles",
                ])
            {
                assert!(t.texts.field_names.contains_key(*name), "{lang:?} {name}");
            }
        }
        let de = Template::load(Lang::De, None).unwrap().texts.field_names;
        let en = Template::load(Lang::En, None).unwrap().texts.field_names;
        assert!(de.keys().eq(en.keys()));
    }

    #[test]
    fn overrides_and_branding() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("de.json"), r#"{"title": "Notfallmappe"}"#).unwrap();
        std::fs::write(
            dir.path().join("branding.json"),
            r##"{"provider_name": "IT-Service Süd", "accent_color": "#aa0000"}"##,
        )
        .unwrap();
        let t = Template::load(Lang::De, Some(dir.path())).unwrap();
        assert_eq!(t.texts.title, "Notfallmappe");
        assert_eq!(t.texts.confidential, "Vertraulich");
        assert_eq!(t.branding.accent().unwrap(), (0xaa, 0, 0));

        std::fs::write(dir.path().join("de.json"), r#"{"titel": "x"}"#).unwrap();
        let err = Template::load(Lang::De, Some(dir.path())).err().unwrap();
        assert!(err.to_string().contains("titel"), "{err}");
        std::fs::write(dir.path().join("de.json"), "{").unwrap();
        let err = Template::load(Lang::De, Some(dir.path())).err().unwrap();
        assert!(err.to_string().contains("line 1"), "{err}");
    }
}
