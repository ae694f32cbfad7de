//! The contact → customer matcher: exact email, then exact phone, then fuzzy name within blocks.
//!
//! For each JustCall contact (a distinct number, name and email as records show them):
//!
//! 1. **Email.** Customers with one of the contact's emails. One → linked (`email`, score 1).
//!    Several (a shared `info@` address) → the contact's phone narrows them (`email+phone`), else
//!    the name picks one (`email+name`) when it scores at least
//!    [`MatchConfig::tiebreak_threshold`] and beats the runner-up by
//!    [`MatchConfig::ambiguity_margin`]; else the link is **ambiguous**.
//! 2. **Phone.** Customers with the contact's E.164 number. One → linked (`phone`, score 1).
//!    Several (a company's main line) → the name picks one (`phone+name`) as above, else
//!    ambiguous.
//! 3. **Name.** Only when neither email nor phone is known to the CRM: Jaro-Winkler
//!    ([`fuzzy::best_pair`], the browser's scoring) against the customers of the contact's name
//!    blocks. The best links (`name`) when it scores at least [`MatchConfig::name_threshold`]
//!    and beats the runner-up by the margin; a best above the threshold with a runner-up within
//!    the margin is ambiguous; below the threshold there is no link.
//!
//! Ambiguous links name their best candidate and runner-up but are never used by the views:
//! ties are reported, not guessed.
//!
//! **Blocks.** Customers are indexed by the words of their normalised name parts (two letters or
//! more). A contact is scored against the customers sharing a word with it, using only words
//! whose block holds at most [`MatchConfig::max_block`] customers; when every word is more
//! common than that (`john smith`), against the customers sharing its two rarest words. A word
//! the CRM does not know (a typo: `garcai`) stands for the known words one edit away (insertion,
//! deletion, substitution or adjacent transposition, through a deletion index over the
//! vocabulary, as SymSpell does). So the cost grows with contacts × block size, not contacts ×
//! customers.

use std::collections::{HashMap, HashSet};

use callduck_metrics::fuzzy;

/// Thresholds of the matcher; every one is a setting (`callduck settings`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatchConfig {
    /// Lowest name score that links a contact by name alone (`match_name_threshold`).
    pub name_threshold: f64,
    /// Lowest name score that picks one of several customers sharing the contact's email or
    /// phone (`match_tiebreak_threshold`).
    pub tiebreak_threshold: f64,
    /// The best candidate must beat the runner-up by at least this, else the link is ambiguous
    /// (`match_ambiguity_margin`).
    pub ambiguity_margin: f64,
    /// Words shared by more customers than this are too common to block on alone
    /// (`match_max_block`).
    pub max_block: usize,
}

impl Default for MatchConfig {
    fn default() -> Self {
        MatchConfig {
            name_threshold: 0.93,
            tiebreak_threshold: 0.80,
            ambiguity_margin: 0.02,
            max_block: 200,
        }
    }
}

/// A customer as the matcher sees it (normalised keys).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Customer {
    pub name_parts: Vec<String>,
    /// E.164 numbers.
    pub phones: Vec<String>,
    /// Normalised emails.
    pub emails: Vec<String>,
}

/// A contact as the matcher sees it (normalised keys).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Contact {
    pub name_parts: Vec<String>,
    pub phone: Option<String>,
    pub emails: Vec<String>,
}

/// How a link was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Email,
    EmailPhone,
    EmailName,
    Phone,
    PhoneName,
    Name,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Email => "email",
            Method::EmailPhone => "email+phone",
            Method::EmailName => "email+name",
            Method::Phone => "phone",
            Method::PhoneName => "phone+name",
            Method::Name => "name",
        }
    }
}

/// The matcher's verdict for one contact that has at least one candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// Index of the best customer.
    pub customer: usize,
    pub method: Method,
    /// 1 for exact email/phone links; else the name score of the best customer.
    pub score: f64,
    /// The second-best customer and its name score.
    pub runner_up: Option<(usize, f64)>,
    /// A tie or near-tie: the views do not use it.
    pub is_ambiguous: bool,
    /// The contact's and the customer's name parts that gave a name score.
    pub name_parts: Option<(String, String)>,
}

/// Customers indexed by email, phone and name words.
pub struct Matcher {
    config: MatchConfig,
    customers: Vec<Customer>,
    by_email: HashMap<String, Vec<u32>>,
    by_phone: HashMap<String, Vec<u32>>,
    /// Word → its id in `postings`.
    words: HashMap<String, u32>,
    /// Word id → customers (sorted, distinct).
    postings: Vec<Vec<u32>>,
    /// A word or one of its single-character deletions → word ids (words of 4+ letters).
    deletions: HashMap<String, Vec<u32>>,
}

/// Parts with at least one letter (a contact "name" that is its phone number is no name).
fn usable_parts(parts: &[String]) -> impl Iterator<Item = &String> {
    parts.iter().filter(|p| p.chars().any(char::is_alphabetic))
}

fn name_words(parts: &[String]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for p in usable_parts(parts) {
        for w in p.split_whitespace() {
            if w.len() >= 2 && w.chars().any(char::is_alphabetic) && !out.contains(&w) {
                out.push(w);
            }
        }
    }
    out
}

/// The word and each string with one character removed.
fn deletion_keys(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    let mut keys = vec![word.to_string()];
    for i in 0..chars.len() {
        let k: String = chars
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, c)| c)
            .collect();
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    keys
}

const MIN_FUZZY_WORD: usize = 4;

impl Matcher {
    pub fn new(customers: Vec<Customer>, config: MatchConfig) -> Matcher {
        let mut by_email: HashMap<String, Vec<u32>> = HashMap::new();
        let mut by_phone: HashMap<String, Vec<u32>> = HashMap::new();
        let mut words: HashMap<String, u32> = HashMap::new();
        let mut postings: Vec<Vec<u32>> = Vec::new();
        for (i, c) in customers.iter().enumerate() {
            let i = i as u32;
            for e in &c.emails {
                let list = by_email.entry(e.clone()).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
            for p in &c.phones {
                let list = by_phone.entry(p.clone()).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
            for w in name_words(&c.name_parts) {
                let id = *words.entry(w.to_string()).or_insert_with(|| {
                    postings.push(Vec::new());
                    (postings.len() - 1) as u32
                });
                let list = &mut postings[id as usize];
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
        let mut deletions: HashMap<String, Vec<u32>> = HashMap::new();
        for (w, &id) in &words {
            if w.chars().count() >= MIN_FUZZY_WORD {
                for k in deletion_keys(w) {
                    deletions.entry(k).or_default().push(id);
                }
            }
        }
        Matcher {
            config,
            customers,
            by_email,
            by_phone,
            words,
            postings,
            deletions,
        }
    }

    /// The verdict for one contact; `None` when no customer is a candidate.
    pub fn link(&self, contact: &Contact) -> Option<Link> {
        self.link_with(contact, false)
    }

    /// [`Matcher::link`] scoring names against every customer instead of the name blocks: the
    /// reference the benchmark compares the blocks with (cost: contacts × customers).
    pub fn link_exhaustive(&self, contact: &Contact) -> Option<Link> {
        self.link_with(contact, true)
    }

    fn link_with(&self, contact: &Contact, exhaustive: bool) -> Option<Link> {
        let mut by_email: Vec<u32> = contact
            .emails
            .iter()
            .filter_map(|e| self.by_email.get(e))
            .flatten()
            .copied()
            .collect();
        by_email.sort_unstable();
        by_email.dedup();
        let by_phone: &[u32] = contact
            .phone
            .as_ref()
            .and_then(|p| self.by_phone.get(p))
            .map_or(&[], Vec::as_slice);

        if !by_email.is_empty() {
            if by_email.len() == 1 {
                return Some(self.exact(by_email[0], Method::Email));
            }
            let both: Vec<u32> = by_email
                .iter()
                .copied()
                .filter(|c| by_phone.contains(c))
                .collect();
            if both.len() == 1 {
                return Some(self.exact(both[0], Method::EmailPhone));
            }
            let pool = if both.is_empty() { &by_email } else { &both };
            return Some(self.by_name(
                contact,
                pool,
                Method::EmailName,
                self.config.tiebreak_threshold,
            ));
        }
        if !by_phone.is_empty() {
            if by_phone.len() == 1 {
                return Some(self.exact(by_phone[0], Method::Phone));
            }
            return Some(self.by_name(
                contact,
                by_phone,
                Method::PhoneName,
                self.config.tiebreak_threshold,
            ));
        }
        let pool = if exhaustive {
            if name_words(&contact.name_parts).is_empty() {
                return None;
            }
            (0..self.customers.len() as u32).collect()
        } else {
            self.name_candidates(&contact.name_parts)
        };
        if pool.is_empty() {
            return None;
        }
        let link = self.by_name(contact, &pool, Method::Name, self.config.name_threshold);
        (link.score >= self.config.name_threshold).then_some(link)
    }

    fn exact(&self, customer: u32, method: Method) -> Link {
        Link {
            customer: customer as usize,
            method,
            score: 1.0,
            runner_up: None,
            is_ambiguous: false,
            name_parts: None,
        }
    }

    /// The best of `pool` by name score (ties: the lower customer index); ambiguous unless it
    /// reaches `threshold` and beats the runner-up by the margin.
    fn by_name(&self, contact: &Contact, pool: &[u32], method: Method, threshold: f64) -> Link {
        let query: Vec<String> = usable_parts(&contact.name_parts).cloned().collect();
        // (score, customer, query part, customer part)
        let scored: Vec<(f64, u32, usize, usize)> = pool
            .iter()
            .map(|&c| {
                let parts: Vec<String> = usable_parts(&self.customers[c as usize].name_parts)
                    .cloned()
                    .collect();
                let (s, qi, ci) = fuzzy::best_pair(&query, &parts);
                (s, c, qi, ci)
            })
            .collect();
        let better = |a: &&(f64, u32, usize, usize), b: &&(f64, u32, usize, usize)| {
            a.0.total_cmp(&b.0).then(b.1.cmp(&a.1))
        };
        let &(score, customer, qi, ci) = scored.iter().max_by(better).expect("a non-empty pool");
        let second = scored
            .iter()
            .filter(|s| s.1 != customer)
            .max_by(better)
            .map(|s| (s.1 as usize, s.0));
        let clear = second.is_none_or(|(_, s)| score - s >= self.config.ambiguity_margin);
        let name_parts = (score > 0.0).then(|| {
            let parts: Vec<&String> =
                usable_parts(&self.customers[customer as usize].name_parts).collect();
            (query[qi].clone(), parts[ci].clone())
        });
        Link {
            customer: customer as usize,
            method,
            score,
            runner_up: second,
            is_ambiguous: !(score >= threshold && clear),
            name_parts,
        }
    }

    /// Word ids standing for a contact's word: the word itself when the CRM knows it, else the
    /// known words one edit away.
    fn word_ids(&self, word: &str) -> Vec<u32> {
        if let Some(&id) = self.words.get(word) {
            return vec![id];
        }
        if word.chars().count() < MIN_FUZZY_WORD {
            return Vec::new();
        }
        let mut ids: Vec<u32> = deletion_keys(word)
            .iter()
            .filter_map(|k| self.deletions.get(k))
            .flatten()
            .copied()
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The customers a contact's name is scored against (see the module docs), sorted.
    pub fn name_candidates(&self, parts: &[String]) -> Vec<u32> {
        let mut blocks: Vec<Vec<u32>> = name_words(parts)
            .into_iter()
            .map(|w| {
                let ids = self.word_ids(w);
                if ids.len() == 1 {
                    return self.postings[ids[0] as usize].clone();
                }
                let mut all: Vec<u32> = ids
                    .iter()
                    .flat_map(|&id| self.postings[id as usize].iter().copied())
                    .collect();
                all.sort_unstable();
                all.dedup();
                all
            })
            .filter(|b| !b.is_empty())
            .collect();
        if blocks.is_empty() {
            return Vec::new();
        }
        blocks.sort_by_key(Vec::len);
        let max = self.config.max_block;
        if blocks[0].len() <= max {
            let mut out: Vec<u32> = blocks
                .iter()
                .filter(|b| b.len() <= max)
                .flatten()
                .copied()
                .collect();
            out.sort_unstable();
            out.dedup();
            return out;
        }
        if blocks.len() < 2 {
            return Vec::new();
        }
        let (a, b) = (&blocks[0], &blocks[1]);
        let set: HashSet<u32> = a.iter().copied().collect();
        b.iter().copied().filter(|c| set.contains(c)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(name: &str, phones: &[&str], emails: &[&str]) -> Customer {
        Customer {
            name_parts: fuzzy::name_parts(name),
            phones: phones.iter().map(|s| s.to_string()).collect(),
            emails: emails.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn contact(name: &str, phone: Option<&str>, emails: &[&str]) -> Contact {
        Contact {
            name_parts: fuzzy::name_parts(name),
            phone: phone.map(str::to_string),
            emails: emails.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn matcher() -> Matcher {
        Matcher::new(
            vec![
                customer("MARIA GARCIA", &["+13474699543"], &["maria@greenleaf.com"]),
                customer("Robert Smith", &["+16576264396"], &["info@acme.com"]),
                customer("Ann Lee", &["+16576264396"], &["info@acme.com"]),
                customer("Kovarik Delmonte", &[], &[]),
                customer("Dana Kimberly", &[], &[]),
                customer("Dane Kimberly", &[], &[]),
            ],
            MatchConfig::default(),
        )
    }

    #[test]
    fn exact_email_then_phone() {
        let m = matcher();
        let l = m
            .link(&contact("", Some("+10000000000"), &["maria@greenleaf.com"]))
            .unwrap();
        assert_eq!((l.customer, l.method, l.score), (0, Method::Email, 1.0));
        let l = m
            .link(&contact("whoever", Some("+13474699543"), &[]))
            .unwrap();
        assert_eq!(
            (l.customer, l.method, l.is_ambiguous),
            (0, Method::Phone, false)
        );
    }

    #[test]
    fn shared_phone_and_email_are_settled_by_the_name_or_left_ambiguous() {
        let m = matcher();
        let l = m
            .link(&contact("Bob Smith", Some("+16576264396"), &[]))
            .unwrap();
        assert_eq!((l.customer, l.method, l.score), (1, Method::PhoneName, 1.0));
        assert_eq!(l.runner_up.map(|r| r.0), Some(2));
        assert_eq!(
            l.name_parts,
            Some(("robert smith".to_string(), "robert smith".to_string()))
        );
        let l = m.link(&contact("", Some("+16576264396"), &[])).unwrap();
        assert!(l.is_ambiguous, "{l:?}");
        let l = m
            .link(&contact("Front Desk", None, &["info@acme.com"]))
            .unwrap();
        assert!(l.is_ambiguous, "{l:?}");
        assert_eq!(l.method, Method::EmailName);
        let l = m
            .link(&contact(
                "Ann Lee",
                Some("+16576264396"),
                &["info@acme.com"],
            ))
            .unwrap();
        assert_eq!(
            (l.customer, l.method, l.is_ambiguous),
            (2, Method::EmailName, false)
        );
    }

    #[test]
    fn fuzzy_names_link_typos_and_leave_near_ties_ambiguous() {
        let m = matcher();
        let l = m.link(&contact("maria garcai", None, &[])).unwrap();
        assert_eq!(
            (l.customer, l.method, l.is_ambiguous),
            (0, Method::Name, false)
        );
        assert!(l.score > 0.93 && l.score < 1.0, "{l:?}");
        // A typo in a word the CRM does not know still finds its block.
        let l = m.link(&contact("Kovarick Delmonte", None, &[])).unwrap();
        assert_eq!((l.customer, l.is_ambiguous), (3, false));
        // "danu kimberly" is as close to Dana Kimberly as to Dane Kimberly.
        let l = m.link(&contact("Danu Kimberly", None, &[])).unwrap();
        assert!(l.is_ambiguous && l.score > 0.93, "{l:?}");
        assert_eq!(l.runner_up.map(|r| r.1), Some(l.score));
        assert!(m.link(&contact("Zebulon Quartz", None, &[])).is_none());
        assert!(m.link(&contact("", None, &[])).is_none());
        assert!(m.link(&contact("3474699543", None, &[])).is_none());
    }

    #[test]
    fn common_words_block_on_the_intersection() {
        let mut customers: Vec<Customer> = (0..300)
            .map(|i| customer(&format!("John Person{i:03}"), &[], &[]))
            .collect();
        customers.extend((0..300).map(|i| customer(&format!("Other{i:03} Smith"), &[], &[])));
        customers.push(customer("John Smith", &[], &[]));
        let m = Matcher::new(customers, MatchConfig::default());
        assert_eq!(m.name_candidates(&fuzzy::name_parts("john smith")), [600]);
        let l = m.link(&contact("JOHN SMITH", None, &[])).unwrap();
        assert_eq!((l.customer, l.is_ambiguous), (600, false));
        // One common word alone is no block.
        assert!(m.name_candidates(&fuzzy::name_parts("john")).is_empty());
    }
}
