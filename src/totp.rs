//! Current TOTP codes from a stored otpauth URI (or a bare base32 secret).

use totp_rs::Totp;

use crate::error::{Error, Result};
use crate::model::Secret;

/// The code for `unix_time` and the seconds it stays valid.
pub fn code_at(totp: &Secret, unix_time: u64) -> Result<(String, u64)> {
    let value = totp.expose().trim();
    let uri = if value.starts_with("otpauth://") {
        zeroize::Zeroizing::new(value.to_owned())
    } else {
        // A bare base32 secret, as many sites show under "can't scan the code?".
        let cleaned: String = value.chars().filter(|c| !c.is_whitespace()).collect();
        zeroize::Zeroizing::new(format!(
            "otpauth://totp/handover?secret={}",
            cleaned.to_uppercase()
        ))
    };
    // Unchecked: real-world URIs often carry short secrets or odd labels that the
    // strict RFC checks reject, yet the services accept them.
    let generator = Totp::from_url_unchecked(uri.as_str()).map_err(|_| {
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
