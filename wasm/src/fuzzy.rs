//! Fuzzy customer matching: name normalisation and Jaro-Winkler scoring, shared by the browser's
//! `searchCustomers` and the engine's CRM matcher (`engine/src/crm/`), so both rank the same way.
//!
//! Customer names come from Copper and Fishbowl: often ALL CAPS, with punctuation, legal suffixes
//! and `|`-separated parts (`"BTG Distro | TCC LLC"`). Normalisation ([`normalize_name`]):
//! lower-case; Latin letters with diacritics folded to ASCII (`José` → `jose`); `&` → `and`;
//! `.` and `'` removed (so `L.L.C.` → `llc`, `O'Brien` → `obrien`); every other non-alphanumeric
//! character → space; whitespace collapsed; trailing legal suffixes ([`LEGAL_SUFFIXES`]) dropped,
//! repeatedly, keeping at least one word; a first word that is a common nickname replaced by its
//! formal name ([`NICKNAMES`]: `bob smith` → `robert smith`). A name is split on `|` into parts
//! ([`name_parts`]) that are scored separately, along with the whole name.
//!
//! Score ([`score_parts`]): the best [`jaro_winkler`] over (query part × candidate part), in
//! `[0, 1]`; 1 means equal after normalisation. [`jaro_winkler`] works on UTF-8 bytes exactly as
//! DuckDB's `jaro_winkler_similarity` does, so a score computed here can be recomputed in SQL
//! (the engine's data test `assert_crm_name_scores_agree_with_duckdb` does).
//!
//! Phone numbers ([`normalize_phone`]) reduce to their digits, without the NANP country code, so
//! `+1 (347) 469-9543`, `13474699543` and `347-469-9543` are one contact. (The engine's matcher
//! goes further, to E.164 with a phone-number library; the browser only needs the digits.)

use serde::{Deserialize, Deserializer, Serialize};

/// Legal-form words removed from the end of a name (after normalisation).
pub const LEGAL_SUFFIXES: &[&str] = &[
    "llc",
    "inc",
    "co",
    "ltd",
    "corp",
    "corporation",
    "incorporated",
    "company",
    "limited",
    "llp",
    "lp",
    "pllc",
    "plc",
];

/// Common English nicknames and the formal first name they stand for: a name whose first word is
/// a nickname is scored as the formal name, so `Bob Smith` meets `ROBERT SMITH` at 1.0.
pub const NICKNAMES: &[(&str, &str)] = &[
    ("abby", "abigail"),
    ("al", "albert"),
    ("alex", "alexander"),
    ("andy", "andrew"),
    ("barb", "barbara"),
    ("becky", "rebecca"),
    ("ben", "benjamin"),
    ("beth", "elizabeth"),
    ("betty", "elizabeth"),
    ("bill", "william"),
    ("billy", "william"),
    ("bob", "robert"),
    ("bobby", "robert"),
    ("cathy", "catherine"),
    ("chris", "christopher"),
    ("chuck", "charles"),
    ("dan", "daniel"),
    ("danny", "daniel"),
    ("dave", "david"),
    ("deb", "deborah"),
    ("debbie", "deborah"),
    ("dick", "richard"),
    ("don", "donald"),
    ("ed", "edward"),
    ("eddie", "edward"),
    ("fred", "frederick"),
    ("greg", "gregory"),
    ("jack", "john"),
    ("jake", "jacob"),
    ("jen", "jennifer"),
    ("jenny", "jennifer"),
    ("jim", "james"),
    ("jimmy", "james"),
    ("joe", "joseph"),
    ("joey", "joseph"),
    ("johnny", "john"),
    ("jon", "jonathan"),
    ("josh", "joshua"),
    ("kate", "katherine"),
    ("kathy", "katherine"),
    ("katie", "katherine"),
    ("ken", "kenneth"),
    ("larry", "lawrence"),
    ("liz", "elizabeth"),
    ("maggie", "margaret"),
    ("matt", "matthew"),
    ("meg", "margaret"),
    ("mickey", "michael"),
    ("mike", "michael"),
    ("nate", "nathaniel"),
    ("nick", "nicholas"),
    ("pam", "pamela"),
    ("pat", "patricia"),
    ("patty", "patricia"),
    ("peggy", "margaret"),
    ("pete", "peter"),
    ("phil", "phillip"),
    ("ray", "raymond"),
    ("rick", "richard"),
    ("rob", "robert"),
    ("ron", "ronald"),
    ("sam", "samuel"),
    ("steve", "steven"),
    ("sue", "susan"),
    ("susie", "susan"),
    ("ted", "theodore"),
    ("tim", "timothy"),
    ("tom", "thomas"),
    ("tommy", "thomas"),
    ("tony", "anthony"),
    ("vicky", "victoria"),
    ("will", "william"),
];

/// The formal first name for a nickname (`"bob"` → `"robert"`), else the word itself.
pub fn formal_first_name(word: &str) -> &str {
    NICKNAMES
        .binary_search_by(|(nick, _)| (*nick).cmp(word))
        .map_or(word, |i| NICKNAMES[i].1)
}

/// ASCII for a Latin letter with a diacritic (`é` → `e`, `ß` → `ss`); `None` for anything else.
fn fold_latin(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' | 'ĉ' | 'ċ' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' | 'ĝ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

/// Normalises a company or person name (see the module docs); `""` when nothing is left.
pub fn normalize_name(name: &str) -> String {
    let mut cleaned = String::with_capacity(name.len());
    for ch in name.chars() {
        match ch {
            '.' | '\'' | '’' => {}
            '&' => cleaned.push_str(" and "),
            c if c.is_ascii_alphanumeric() => cleaned.push(c.to_ascii_lowercase()),
            c if c.is_alphanumeric() => {
                for lower in c.to_lowercase() {
                    match fold_latin(lower) {
                        Some(ascii) => cleaned.push_str(ascii),
                        None => cleaned.push(lower),
                    }
                }
            }
            _ => cleaned.push(' '),
        }
    }
    let mut words: Vec<&str> = cleaned.split_whitespace().collect();
    while words.len() > 1 && words.last().is_some_and(|w| LEGAL_SUFFIXES.contains(w)) {
        words.pop();
    }
    if let Some(first) = words.first_mut() {
        *first = formal_first_name(first);
    }
    words.join(" ")
}

/// The normalised parts of a name: each `|`-separated part, then the whole name when it has more
/// than one part; empty parts dropped, duplicates removed.
pub fn name_parts(name: &str) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    for p in name.split('|').map(normalize_name) {
        if !p.is_empty() && !parts.contains(&p) {
            parts.push(p);
        }
    }
    if parts.len() > 1 {
        let whole = normalize_name(&name.replace('|', " "));
        if !whole.is_empty() && !parts.contains(&whole) {
            parts.push(whole);
        }
    }
    parts
}

/// Jaro-Winkler similarity (prefix weight 0.1, boost above 0.7, prefix of at most 4) over the
/// UTF-8 bytes of both strings: exactly DuckDB's `jaro_winkler_similarity(a, b)`.
///
/// The computation of `strsim::generic_jaro_winkler` over the bytes, step for step and to the
/// bit (`tests::jaro_winkler_is_strsims_to_the_bit`), written with plain loops over slices: the
/// WebAssembly module is compiled for size, where strsim's iterator chains were three times
/// slower.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let sim = jaro(a, b);
    if sim > 0.7 {
        let mut prefix = 0;
        while prefix < 4 && prefix < a.len() && prefix < b.len() && a[prefix] == b[prefix] {
            prefix += 1;
        }
        sim + 0.1 * prefix as f64 * (1.0 - sim)
    } else {
        sim
    }
}

/// Jaro similarity of two byte strings (`strsim::generic_jaro`).
fn jaro(a: &[u8], b: &[u8]) -> f64 {
    let (a_len, b_len) = (a.len(), b.len());
    if a_len == 0 && b_len == 0 {
        return 1.0;
    } else if a_len == 0 || b_len == 0 {
        return 0.0;
    }
    let search_range = (a_len.max(b_len) / 2).saturating_sub(1);
    // Matched flags of both strings; names are short, so usually on the stack.
    let mut stack = [false; 128];
    let mut heap = Vec::new();
    let flags: &mut [bool] = if a_len + b_len <= stack.len() {
        &mut stack[..a_len + b_len]
    } else {
        heap.resize(a_len + b_len, false);
        &mut heap[..]
    };
    let (a_flags, b_flags) = flags.split_at_mut(a_len);
    let mut matches = 0usize;
    for i in 0..a_len {
        let lo = i.saturating_sub(search_range);
        let hi = b_len.min(i + search_range + 1);
        for j in lo..hi {
            if a[i] == b[j] && !b_flags[j] {
                a_flags[i] = true;
                b_flags[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut j = 0;
    for i in 0..a_len {
        if a_flags[i] {
            while !b_flags[j] {
                j += 1;
            }
            if a[i] != b[j] {
                transpositions += 1;
            }
            j += 1;
        }
    }
    transpositions /= 2;
    ((matches as f64 / a_len as f64)
        + (matches as f64 / b_len as f64)
        + ((matches - transpositions) as f64 / matches as f64))
        / 3.0
}

/// Best [`jaro_winkler`] over every pair of parts, with the indexes of the query part and the
/// candidate part that gave it (the first such pair on ties); `(0.0, 0, 0)` when either side is
/// empty.
pub fn best_pair(query: &[String], candidate: &[String]) -> (f64, usize, usize) {
    let mut best = (0.0, 0, 0);
    for (qi, q) in query.iter().enumerate() {
        for (ci, c) in candidate.iter().enumerate() {
            let s = jaro_winkler(q, c);
            if s > best.0 {
                best = (s, qi, ci);
            }
        }
    }
    best
}

/// Best [`jaro_winkler`] over every pair of parts, with the index of the candidate part that
/// gave it; `(0.0, 0)` when either side is empty.
pub fn score_parts(query: &[String], candidate: &[String]) -> (f64, usize) {
    let (score, _, part) = best_pair(query, candidate);
    (score, part)
}

/// Similarity of two raw names in `[0, 1]`.
pub fn score_names(query: &str, candidate: &str) -> f64 {
    score_parts(&name_parts(query), &name_parts(candidate)).0
}

/// Digits of a phone number without a leading NANP `1` on 11-digit numbers; `None` when there
/// are no digits.
pub fn normalize_phone(number: &str) -> Option<String> {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    if digits.len() == 11 && digits.starts_with('1') {
        return Some(digits[1..].to_owned());
    }
    Some(digits)
}

/// A customer to search: an id (number or string) and a display name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    #[serde(default, deserialize_with = "name_string")]
    pub name: String,
}

fn id_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    crate::lenient::opt_string(d)?.ok_or_else(|| serde::de::Error::custom("a customer needs an id"))
}

fn name_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(crate::lenient::opt_string(d)?.unwrap_or_default())
}

/// One search hit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerMatch {
    pub id: String,
    pub name: String,
    /// Jaro-Winkler similarity in `[0, 1]`.
    pub score: f64,
    /// The normalised part of the name that matched best.
    pub matched: String,
}

/// Search options.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct SearchOptions {
    /// Most hits returned.
    pub limit: usize,
    /// Hits scoring below this are dropped.
    pub min_score: f64,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 10,
            min_score: 0.75,
        }
    }
}

/// Customers with their names normalised once, for repeated searches.
#[derive(Debug, Clone, Default)]
pub struct CustomerIndex {
    customers: Vec<Customer>,
    parts: Vec<Vec<String>>,
}

impl CustomerIndex {
    pub fn new(customers: Vec<Customer>) -> CustomerIndex {
        let parts = customers.iter().map(|c| name_parts(&c.name)).collect();
        CustomerIndex { customers, parts }
    }

    pub fn len(&self) -> usize {
        self.customers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.customers.is_empty()
    }

    /// The best `limit` customers scoring at least `min_score`, best first; ties keep the
    /// customers' order.
    pub fn search(&self, query: &str, options: SearchOptions) -> Vec<CustomerMatch> {
        let q = name_parts(query);
        if q.is_empty() || options.limit == 0 {
            return Vec::new();
        }
        let mut hits: Vec<(f64, usize, usize)> = self
            .parts
            .iter()
            .enumerate()
            .filter_map(|(i, parts)| {
                let (score, part) = score_parts(&q, parts);
                (score >= options.min_score && score > 0.0).then_some((score, i, part))
            })
            .collect();
        // A total order (indices are distinct), so an unstable sort gives the same list.
        hits.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        hits.truncate(options.limit);
        hits.into_iter()
            .map(|(score, i, part)| CustomerMatch {
                id: self.customers[i].id.clone(),
                name: self.customers[i].name.clone(),
                score,
                matched: self.parts[i][part].clone(),
            })
            .collect()
    }
}

/// One-shot search over a customer list.
pub fn search_customers(
    query: &str,
    customers: Vec<Customer>,
    options: SearchOptions,
) -> Vec<CustomerMatch> {
    CustomerIndex::new(customers).search(query, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_names() {
        assert_eq!(normalize_name("ACME SUPPLY CO., INC."), "acme supply");
        assert_eq!(normalize_name("Smith & Sons, L.L.C."), "smith and sons");
        assert_eq!(normalize_name("O'Brien's Market"), "obriens market");
        assert_eq!(normalize_name("  Inc  "), "inc");
        assert_eq!(normalize_name("Co-Op Foods Ltd"), "co op foods");
        assert_eq!(normalize_name("!!!"), "");
    }

    #[test]
    fn folds_diacritics_and_nicknames() {
        assert_eq!(normalize_name("JOSÉ Núñez"), "jose nunez");
        assert_eq!(normalize_name("Bob Smith"), "robert smith");
        assert_eq!(normalize_name("BILL O'NEIL"), "william oneil");
        assert_eq!(normalize_name("Smith Bob"), "smith bob");
        assert_eq!(score_names("Mike Jones", "MICHAEL JONES"), 1.0);
        assert!(
            NICKNAMES.windows(2).all(|w| w[0].0 < w[1].0),
            "NICKNAMES must stay sorted for the binary search"
        );
    }

    /// The bytes of a string, as `strsim`'s generic functions iterate them.
    struct Bytes<'s>(&'s str);

    impl<'s> IntoIterator for &Bytes<'s> {
        type Item = u8;
        type IntoIter = std::iter::Copied<std::slice::Iter<'s, u8>>;

        fn into_iter(self) -> Self::IntoIter {
            self.0.as_bytes().iter().copied()
        }
    }

    /// strsim's Jaro-Winkler over bytes: what [`jaro_winkler`] computed before it was written out.
    fn strsim_bytes(a: &str, b: &str) -> f64 {
        strsim::generic_jaro_winkler(&Bytes(a), &Bytes(b))
    }

    #[test]
    fn jaro_winkler_is_strsims_to_the_bit() {
        // Every pair of a set of words: names, near misses, transpositions, repeats, multibyte
        // letters, the empty string, and strings longer than the stack buffer.
        let mut words: Vec<String> = [
            "",
            "a",
            "b",
            "ab",
            "ba",
            "abc",
            "acb",
            "martha",
            "marhta",
            "dwayne",
            "duane",
            "dixon",
            "dicksonx",
            "jones",
            "johnson",
            "acme",
            "acmes",
            "supply",
            "supplies",
            "smith",
            "smyth",
            "sons",
            "llc",
            "l.l.c.",
            "josé",
            "jose",
            "müller",
            "mueller",
            "zoë",
            "åsa",
            "aaaa",
            "aaab",
            "abab",
            "baba",
            "crate",
            "trace",
            "caterpillar",
            "pillarcater",
            "btg",
            "tcc",
            "wellness",
            "greenleaf",
            "日本",
            "日本語",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        words.push("x".repeat(70));
        words.push("xy".repeat(40));
        words.push(format!("{}z", "y".repeat(90)));
        // Pseudo-random strings over a small alphabet, so matches and transpositions abound.
        let mut seed = 7u64;
        for _ in 0..300 {
            let len = (seed % 13) as usize;
            let mut w = String::new();
            for _ in 0..len {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                w.push(['a', 'b', 'c', 'd', 'é'][(seed >> 33) as usize % 5]);
            }
            words.push(w);
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(3);
        }
        for a in &words {
            for b in &words {
                let (got, want) = (jaro_winkler(a, b), strsim_bytes(a, b));
                assert!(
                    got.to_bits() == want.to_bits(),
                    "{a:?} {b:?}: {got} != {want}"
                );
            }
        }
    }

    #[test]
    fn jaro_winkler_matches_the_textbook_values() {
        assert!((jaro_winkler("martha", "marhta") - 0.961_111).abs() < 1e-6);
        assert!((jaro_winkler("dwayne", "duane") - 0.84).abs() < 1e-6);
        assert!((jaro_winkler("dixon", "dicksonx") - 0.813_333).abs() < 1e-6);
        assert_eq!(jaro_winkler("same", "same"), 1.0);
        assert_eq!(jaro_winkler("abc", "xyz"), 0.0);
        // Bytes, as DuckDB counts them: 'é' is two bytes.
        assert_eq!(jaro_winkler("é", "e"), strsim_bytes("é", "e"));
        assert_eq!(
            best_pair(&["a".into(), "bob".into()], &["bob".into()]),
            (1.0, 1, 0)
        );
    }

    #[test]
    fn splits_on_pipes() {
        assert_eq!(
            name_parts("BTG Distro | TCC LLC"),
            vec!["btg distro", "tcc", "btg distro tcc"]
        );
        assert_eq!(name_parts("Plain Name"), vec!["plain name"]);
        assert!(name_parts(" | ").is_empty());
    }

    #[test]
    fn scores_parts_separately() {
        assert_eq!(score_names("TCC", "BTG Distro | TCC LLC"), 1.0);
        assert_eq!(
            score_names("acme supply company", "ACME SUPPLY CO., INC."),
            1.0
        );
        assert!(score_names("Acme Suply", "ACME SUPPLY INC") > 0.9);
        assert!(score_names("Zebra Farms", "ACME SUPPLY INC") < 0.6);
        assert_eq!(score_names("", "x"), 0.0);
    }

    #[test]
    fn search_ranks_and_limits() {
        let customers: Vec<Customer> = serde_json::from_str(
            r#"[{"id": 1, "name": "ACME SUPPLY CO., INC."},
                {"id": "2", "name": "BTG Distro | TCC LLC"},
                {"id": 3, "name": "Acme Supplies Ltd"},
                {"id": 4, "name": "Green Leaf Wellness"},
                {"id": 5, "name": null}]"#,
        )
        .unwrap();
        let index = CustomerIndex::new(customers);
        let hits = index.search("Acme Supply", SearchOptions::default());
        assert_eq!(
            hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(),
            ["1", "3"]
        );
        assert_eq!(hits[0].score, 1.0);
        assert_eq!(hits[0].matched, "acme supply");
        let hits = index.search(
            "tcc",
            SearchOptions {
                limit: 1,
                min_score: 0.5,
            },
        );
        assert_eq!(hits.len(), 1);
        assert_eq!(
            (hits[0].id.as_str(), hits[0].matched.as_str()),
            ("2", "tcc")
        );
        assert!(index.search("   ", SearchOptions::default()).is_empty());
    }

    #[test]
    fn normalises_phones() {
        for raw in [
            "347-469-9543",
            "(347) 469-9543",
            "+13474699543",
            "13474699543",
            "3474699543",
        ] {
            assert_eq!(normalize_phone(raw).as_deref(), Some("3474699543"), "{raw}");
        }
        assert_eq!(normalize_phone("1681381XXXX").as_deref(), Some("1681381"));
        assert_eq!(normalize_phone("n/a"), None);
    }
}
