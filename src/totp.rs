//! Current TOTP codes from a stored otpauth URI (or a bare base32 secret).

use totp_rs::Totp;

use crate::error::{Error, Result};
use crate::model::Secret;
use zeroize::Zeroizing;

/// The code for `unix_time` and the seconds it stays valid.
pub fn code_at(totp: &Secret, unix_time: u64) -> Result<(String, u64)> {
    let uri = self::uri(totp.expose(), "handover");
    // Unchecked: real-world URIs often carry short secrets or odd labels that the
    // strict RFC checks reject, yet the services accept them.
    let generator = Totp::from_url_unchecked(uri.expose().trim()).map_err(|_| {
        Error::Invalid(
            "the stored TOTP value is neither a valid otpauth:// URI nor a base32 secret; fix it with `handover edit`"
                .into(),
        )
    })?;
    // The crate panics on these; a stored value must never crash us.
    if !(1..=9).contains(&generator.digits()) || generator.step() == 0 {
        return Err(Error::Invalid(
            "the stored TOTP URI has an unusable digits or period parameter".into(),
        ));
    }
    let code = generator.generate(unix_time).to_string();
    let remaining = generator.step() - unix_time % generator.step();
    Ok((code, remaining))
}

/// A TOTP value as an otpauth URI: an `otpauth://` URI is kept exactly; a bare base32
/// secret (spaces allowed) becomes `otpauth://totp/<label>?secret=<SECRET>`; anything
/// else is returned unchanged (and [`code_at`] will call it unusable).
pub fn uri(value: &str, label: &str) -> Secret {
    let trimmed = value.trim();
    if trimmed.starts_with("otpauth://") || trimmed.is_empty() {
        return Secret::from(value);
    }
    let cleaned: Zeroizing<String> = Zeroizing::new(
        trimmed
            .chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_uppercase)
            .collect(),
    );
    if !cleaned
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '=')
    {
        // Not base32 either: kept as it is, `handover totp` will say it is unusable.
        return Secret::from(value);
    }
    let label: String = label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-._~".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let label = if label.is_empty() {
        "handover".to_owned()
    } else {
        label
    };
    Secret::from(Zeroizing::new(format!(
        "otpauth://totp/{label}?secret={}",
        cleaned.trim_end_matches('=')
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_vector() {
        // RFC 6238 test secret "12345678901234567890", SHA1, 8 digits, T=59 → 94287082.
        let uri = "otpauth://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=8&period=30";
        let (code, remaining) = code_at(&Secret::from(uri), 59).unwrap();
        assert_eq!(code, "94287082");
        assert_eq!(remaining, 1);
        let (code, _) =
            code_at(&Secret::from("gezd gnbv gy3t qojq gezd gnbv gy3t qojq"), 59).unwrap();
        assert_eq!(code, "287082");
        assert!(code_at(&Secret::from("not base32!"), 59).is_err());
        assert!(
            code_at(
                &Secret::from("otpauth://totp/x?secret=GEZDGNBV&digits=12"),
                59
            )
            .is_err()
        );
    }
}
