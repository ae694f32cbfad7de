//! Normalisation of the keys customers and contacts are matched on: phones to E.164, emails,
//! names.
//!
//! * Phones go through `phonenumber` (Google's libphonenumber metadata) with a default region
//!   (US unless configured): `347-469-9543`, `(657) 626-4396`, `2019449536`, `19855508474` and
//!   `+12085551234` all become `+1NXXNXXXXXX`; extensions (`x12`, `ext. 12`) are dropped; anything
//!   the library does not accept as a valid number (`1681381XXXX`, `n/a`) gives `None`, never a
//!   panic. Results are cached per raw string: exports repeat the same numbers many times.
//! * Emails are trimmed and lower-cased; a field may hold several, separated by commas,
//!   semicolons or whitespace; tokens without `local@domain.tld` are not emails.
//! * Names use the shared core (`callduck_metrics::fuzzy::name_parts`): case-folded, punctuation
//!   and legal suffixes stripped, nicknames made formal, `|`-separated parts kept apart, so the
//!   browser's customer search and this matcher score alike.

use std::collections::HashMap;

use phonenumber::country;

pub use callduck_metrics::fuzzy::{name_parts, normalize_name};

/// Turns raw phone strings into E.164, with a default region for national numbers.
#[derive(Debug)]
pub struct PhoneNormalizer {
    region: country::Id,
    cache: HashMap<String, Option<String>>,
}

/// A default region that is not an ISO 3166 code phonenumber knows.
#[derive(Debug, thiserror::Error)]
#[error("unknown phone region {0:?}: give a two-letter ISO 3166 country code such as US, CA or GB")]
pub struct UnknownRegion(pub String);

impl PhoneNormalizer {
    /// A normaliser whose national numbers belong to `region` (ISO 3166 alpha-2, e.g. `US`).
    pub fn new(region: &str) -> Result<PhoneNormalizer, UnknownRegion> {
        let id: country::Id = region
            .trim()
            .to_ascii_uppercase()
            .parse()
            .map_err(|_| UnknownRegion(region.to_string()))?;
        Ok(PhoneNormalizer {
            region: id,
            cache: HashMap::new(),
        })
    }

    /// The number in E.164 (`+12085551234`), or `None` when it is not a valid number.
    pub fn e164(&mut self, raw: &str) -> Option<String> {
        if let Some(hit) = self.cache.get(raw) {
            return hit.clone();
        }
        let value = e164(self.region, raw);
        self.cache.insert(raw.to_string(), value.clone());
        value
    }
}

/// Uncached E.164 normalisation (see [`PhoneNormalizer::e164`]).
pub fn e164(region: country::Id, raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    let digits = trimmed.chars().filter(char::is_ascii_digit).count();
    // Fewer than 7 digits is never a subscriber number; more than 20 characters of digits is
    // garbage (E.164 allows 15), and the parser's cost grows with the input.
    if !(7..=20).contains(&digits) || trimmed.len() > 64 {
        return None;
    }
    // An 11-digit national number starting with the NANP trunk prefix 1 (`19855508474`) is how
    // US exports often write `+1 985 550 8474`; the parser reads it so only for NANP regions.
    let number = phonenumber::parse(Some(region), trimmed).ok()?;
    if !phonenumber::is_valid(&number) {
        return None;
    }
    Some(number.format().mode(phonenumber::Mode::E164).to_string())
}

/// The email addresses in a field: trimmed, lower-cased, split on `,`, `;` and whitespace,
/// deduplicated in order; tokens that are not `local@domain.tld` are skipped.
pub fn emails(field: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for token in field.split(|c: char| c == ',' || c == ';' || c.is_whitespace()) {
        let token = token
            .trim()
            .trim_matches(|c| c == '<' || c == '>' || c == '"' || c == '\'')
            .trim_start_matches("mailto:")
            .to_lowercase();
        if is_email(&token) && !out.contains(&token) {
            out.push(token);
        }
    }
    out
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.contains("..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_normalise_to_e164() {
        let mut p = PhoneNormalizer::new("US").unwrap();
        for (raw, want) in [
            ("347-469-9543", Some("+13474699543")),
            ("(657) 626-4396", Some("+16576264396")),
            ("2019449536", Some("+12019449536")),
            ("19855508474", Some("+19855508474")),
            ("+12085551234", Some("+12085551234")),
            ("+1 (208) 555-1234", Some("+12085551234")),
            ("208.555.1234", Some("+12085551234")),
            ("347-469-9543 x12", Some("+13474699543")),
            ("347-469-9543 ext. 12", Some("+13474699543")),
            ("+44 7911 123456", Some("+447911123456")),
            ("1681381XXXX", None),
            ("n/a", None),
            ("", None),
            ("   ", None),
            ("123", None),
            ("000-000-0000", None),
            ("99999999999999999999999999999", None),
            ("+", None),
            ("☎️ 347 469 9543", Some("+13474699543")),
        ] {
            assert_eq!(p.e164(raw).as_deref(), want, "{raw:?}");
        }
        // Cached answers equal fresh ones.
        assert_eq!(p.e164("2019449536").as_deref(), Some("+12019449536"));
    }

    #[test]
    fn regions_are_configurable_and_checked() {
        let mut gb = PhoneNormalizer::new("gb").unwrap();
        assert_eq!(gb.e164("07911 123456").as_deref(), Some("+447911123456"));
        let err = PhoneNormalizer::new("Narnia").unwrap_err();
        assert!(err.to_string().contains("ISO 3166"), "{err}");
    }

    #[test]
    fn emails_are_trimmed_lowercased_and_split() {
        assert_eq!(
            emails("  Maria.Garcia@Kanva.COM "),
            ["maria.garcia@kanva.com"]
        );
        assert_eq!(
            emails("a@x.com, B@Y.com;c@z.org  a@x.com"),
            ["a@x.com", "b@y.com", "c@z.org"]
        );
        assert_eq!(emails("<Sales@Acme.com>"), ["sales@acme.com"]);
        assert!(emails("not an email, @x.com, a@b, a@@b.com, a@.com").is_empty());
        assert!(emails("").is_empty());
    }

    #[test]
    fn names_use_the_shared_core() {
        assert_eq!(normalize_name("ACME SUPPLY CO., INC."), "acme supply");
        assert_eq!(
            name_parts("BTG Distro | TCC LLC"),
            ["btg distro", "tcc", "btg distro tcc"]
        );
        assert_eq!(normalize_name("Bob O'Neil"), "robert oneil");
    }
}
