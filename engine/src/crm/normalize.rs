//! Normalisation of the keys customers and contacts are matched on: phones to E.164, emails,
//! names.
//!
//! * Phones go through `phonenumber` (Google's libphonenumber metadata) with a default region
//!   (US unless configured): `347-469-9543`, `(657) 626-4396`, `2019449536`, `19855508474` and
//!   `+12085551234` all become `+1NXXNXXXXXX`; extensions (`x12`, `ext. 12`) are dropped; anything
//!   the library does not accept as a valid number (`1681381XXXX`, `n/a`) gives `None`, never a
//!   panic. Results are cached by the number's digits (and whether it has a `+`) when it holds
//!   nothing but punctuation besides them, else by the raw string: exports and call records
//!   repeat the same numbers in many formats. [`PhoneNormalizer::prepare`] parses a batch on
//!   every core.
//! * For a North American default region, a number written as 10 digits, 11 digits starting
//!   with the trunk prefix 1, or `+1` and 10 digits, with nothing but punctuation besides, is
//!   read directly when it has the NANP's shape (area code and exchange `[2-9]XX`, neither
//!   `N11`): the library's validation costs ~70 µs a number and most CRM and call numbers are
//!   exactly these. Everything else goes through the library. A test holds the shortcut to the
//!   library's answers.
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
        let key = cache_key(raw);
        if let Some(hit) = self.cache.get(key.as_ref()) {
            return hit.clone();
        }
        let value = e164(self.region, raw);
        self.cache.insert(key.into_owned(), value.clone());
        value
    }

    /// Parses every number of `raws` not yet cached, on all cores, so that the [`e164`] calls
    /// that follow are cache hits.
    ///
    /// [`e164`]: PhoneNormalizer::e164
    pub fn prepare<'a>(&mut self, raws: impl IntoIterator<Item = &'a str>) {
        let mut todo: HashMap<String, &'a str> = HashMap::new();
        for raw in raws {
            let key = cache_key(raw);
            if !self.cache.contains_key(key.as_ref()) {
                todo.entry(key.into_owned()).or_insert(raw);
            }
        }
        let todo: Vec<(String, &str)> = todo.into_iter().collect();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let region = self.region;
        let chunk = todo.len().div_ceil(threads).max(256);
        let parsed: Vec<(String, Option<String>)> = std::thread::scope(|s| {
            let handles: Vec<_> = todo
                .chunks(chunk)
                .map(|part| {
                    s.spawn(move || {
                        part.iter()
                            .map(|(key, raw)| (key.clone(), e164(region, raw)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("a phone-parsing thread"))
                .collect()
        });
        self.cache.extend(parsed);
    }
}

/// What a number is cached under: `+` (when present) and its digits, for numbers written with
/// only digits, spaces and `+-.()/` (the parser ignores those); else the raw string.
fn cache_key(raw: &str) -> std::borrow::Cow<'_, str> {
    if raw
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '.' | '(' | ')' | '/'))
    {
        let mut key = String::with_capacity(raw.len());
        if raw.contains('+') {
            key.push('+');
        }
        key.extend(raw.chars().filter(char::is_ascii_digit));
        std::borrow::Cow::Owned(key)
    } else {
        std::borrow::Cow::Borrowed(raw)
    }
}

/// Regions whose national numbers are NANP numbers (country code 1).
fn is_nanp(region: country::Id) -> bool {
    use country::Id::*;
    matches!(
        region,
        US | CA
            | PR
            | VI
            | GU
            | AS
            | MP
            | AG
            | AI
            | BB
            | BM
            | BS
            | DM
            | DO
            | GD
            | JM
            | KN
            | KY
            | LC
            | MS
            | SX
            | TC
            | TT
            | VC
            | VG
    )
}

/// The E.164 form of a NANP number written with digits and punctuation only, when it has the
/// plan's shape; `None` when the input is anything else (the library decides those).
fn nanp_shortcut(raw: &str) -> Option<String> {
    if !raw
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '.' | '(' | ')'))
    {
        return None;
    }
    let plus = raw.trim_start().starts_with('+');
    if raw.matches('+').count() > usize::from(plus) {
        return None;
    }
    let digits: Vec<u8> = raw.bytes().filter(u8::is_ascii_digit).collect();
    let national = match (plus, digits.len()) {
        (false, 10) => &digits[..],
        (_, 11) if digits[0] == b'1' => &digits[1..],
        _ => return None,
    };
    let n11 = |d: &[u8]| d[1] == b'1' && d[2] == b'1';
    let shaped =
        national[0] >= b'2' && national[3] >= b'2' && !n11(&national[..3]) && !n11(&national[3..6]);
    // A shapeless number (`0123456789`) is the library's call: it may know better.
    shaped.then(|| format!("+1{}", String::from_utf8_lossy(national)))
}

/// Uncached E.164 normalisation (see [`PhoneNormalizer::e164`]).
pub fn e164(region: country::Id, raw: &str) -> Option<String> {
    if is_nanp(region) {
        if let Some(number) = nanp_shortcut(raw) {
            return Some(number);
        }
    }
    library_e164(region, raw)
}

/// E.164 through the library alone.
fn library_e164(region: country::Id, raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    let digits = trimmed.chars().filter(char::is_ascii_digit).count();
    // Fewer than 7 digits is never a subscriber number; more than 20 characters of digits is
    // garbage (E.164 allows 15), and the parser's cost grows with the input.
    if !(7..=20).contains(&digits) || trimmed.len() > 64 {
        return None;
    }
    let number = phonenumber::parse(Some(region), trimmed).ok()?;
    if !phonenumber::is_valid(&number) {
        return None;
    }
    Some(number.format().mode(phonenumber::Mode::E164).to_string())
}

/// The email addresses in a field: trimmed, lower-cased, split on `,`, `;` and whitespace,
/// deduplicated in order; tokens that are not `local@domain.tld` are skipped.
pub fn emails(field: &str) -> Vec<String> {
    emails_in([field])
}

/// The email addresses of several fields (a record's `Email`, `Work Email`, ...), as [`emails`]
/// reads each, deduplicated across them.
pub fn emails_in<'a>(fields: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let tokens = fields
        .into_iter()
        .flat_map(|f| f.split(|c: char| c == ',' || c == ';' || c.is_whitespace()));
    for token in tokens {
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
        // Cached answers equal fresh ones, whatever the format that filled the cache.
        assert_eq!(p.e164("2019449536").as_deref(), Some("+12019449536"));
        assert_eq!(p.e164("201-944-9536").as_deref(), Some("+12019449536"));
        let mut batch = PhoneNormalizer::new("US").unwrap();
        let raws = [
            "347-469-9543",
            "+447911123456",
            "447911123456",
            "n/a",
            "1681381XXXX",
        ];
        batch.prepare(raws.iter().copied());
        for raw in raws {
            assert_eq!(batch.e164(raw), e164(country::Id::US, raw), "{raw}");
        }
        // With and without the plus are different numbers.
        assert_eq!(batch.e164("447911123456"), None);
    }

    #[test]
    fn the_nanp_shortcut_gives_the_librarys_answers() {
        // Real area codes and exchanges, in every format the simulator and exports use.
        let areas = [
            201, 212, 305, 312, 347, 415, 512, 602, 617, 657, 702, 713, 808, 917, 985,
        ];
        let mut checked = 0;
        for (i, area) in areas.iter().enumerate() {
            for k in 0..40u32 {
                let exchange = 200 + (k * 37 + i as u32 * 11) % 800;
                if exchange % 100 == 11 {
                    continue;
                }
                let line = (k * 7919 + 1234) % 10_000;
                let plain = format!("{area}{exchange}{line:04}");
                for raw in [
                    plain.clone(),
                    format!("1{plain}"),
                    format!("+1{plain}"),
                    format!("({area}) {exchange}-{line:04}"),
                    format!("{area}-{exchange}-{line:04}"),
                    format!("+1 {area} {exchange} {line:04}"),
                    format!("{area}.{exchange}.{line:04}"),
                ] {
                    let library = library_e164(country::Id::US, &raw);
                    if library.is_some() {
                        assert_eq!(e164(country::Id::US, &raw), library, "{raw}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 3000, "{checked}");
        // Shapes the shortcut leaves to the library.
        for raw in [
            "0123456789",
            "+44 7911 123456",
            "347-469-9543 x12",
            "1-800-FLOWERS",
            "211",
        ] {
            assert_eq!(nanp_shortcut(raw), None, "{raw}");
        }
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
        assert_eq!(
            emails_in(["A@x.com, b@y.com", "b@Y.com; c@z.org"]),
            ["a@x.com", "b@y.com", "c@z.org"]
        );
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
