//! CRM exports of the simulated business, with ground truth: what a sales team would export from
//! Copper and Fishbowl to match JustCall contacts against.
//!
//! * [`copper_people_csv`]: the simulator's own customers (the pool calls and SMS come from) as
//!   a Copper people export with its real column names and messy phone formats; `callduck demo`
//!   imports it and the integration tests check every link against the customer each call was
//!   drawn from.
//! * [`fishbowl_orders_csv`]: sales orders of those customers, tied to them by email.
//! * [`MatchWorld`]: a large CRM (people at companies sharing main lines, common and rare names)
//!   and noisy contacts with the customer each one really is, for the matching benchmark's
//!   precision and recall: typos, case, nicknames, missing fields, shared company phones,
//!   reformatted and unknown numbers, and callers who are in no CRM at all.

use chrono::{Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::Rng as _;

use super::dataset::{
    chance, email_local, messy_number, pick, rng_for, stream, us_number, weighted,
};
use super::names;
use super::Customer;

/// A CSV field, quoted when it needs to be.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn row(fields: &[&str]) -> String {
    let mut line = fields
        .iter()
        .map(|f| field(f))
        .collect::<Vec<_>>()
        .join(",");
    line.push('\n');
    line
}

/// The simulator's customers as a Copper people CSV (`Copper ID` = the customer id).
pub fn copper_people_csv(customers: &[Customer], seed: u64) -> String {
    let mut rng = rng_for(seed, stream::CRM, 0);
    let mut out = row(&[
        "Copper ID",
        "First Name",
        "Last Name",
        "Company",
        "Title",
        "Email",
        "Work Email",
        "Phone Number",
        "Phone Number 2",
        "Tags",
    ]);
    for c in customers {
        let (first, last) = c.name.split_once(' ').unwrap_or((&c.name, ""));
        let (first, last) = if chance(&mut rng, 0.2) {
            (first.to_uppercase(), last.to_uppercase())
        } else {
            (first.to_string(), last.to_string())
        };
        let phones: Vec<String> = c.phones.iter().map(|p| messy_number(p, &mut rng)).collect();
        let id = c.id.to_string();
        out.push_str(&row(&[
            &id,
            &first,
            &last,
            c.company.as_deref().unwrap_or(""),
            *pick(&mut rng, &["Owner", "Buyer", "Office Manager", ""]),
            c.emails.first().map_or("", String::as_str),
            &c.emails.get(1..).unwrap_or(&[]).join(", "),
            phones.first().map_or("", String::as_str),
            phones.get(1).map_or("", String::as_str),
            *pick(&mut rng, &["", "VIP", "Wholesale"]),
        ]));
    }
    out
}

/// Sales orders of customers that have an email, as a Fishbowl sales-order CSV tied to them by
/// email (`email` holds the customer's addresses, comma-separated), dated from `start` to `end`.
pub fn fishbowl_orders_csv(
    customers: &[Customer],
    seed: u64,
    start: NaiveDate,
    end: NaiveDate,
) -> String {
    let mut rng = rng_for(seed, stream::CRM, 1);
    let days = (end - start).num_days().max(1);
    let mut out = row(&[
        "num",
        "customerId",
        "dateIssued",
        "totalPrice",
        "email",
        "status",
    ]);
    let mut n = 1000;
    for c in customers.iter().filter(|c| !c.emails.is_empty()) {
        for _ in 0..weighted(&mut rng, &[0.5, 0.3, 0.15, 0.05]) {
            n += 1;
            let day = start + Duration::days(rng.random_range(0..=days));
            let amount = format!("${:.2}", rng.random_range(40.0..4_000.0_f64));
            out.push_str(&row(&[
                &format!("SO-{n}"),
                "",
                &day.to_string(),
                &amount,
                &c.emails.join(", "),
                "Fulfilled",
            ]));
        }
    }
    out
}

/// A person in the benchmark's CRM.
#[derive(Debug, Clone, PartialEq)]
pub struct CrmPerson {
    pub id: u64,
    pub first: String,
    pub last: String,
    pub company: Option<String>,
    /// E.164; the company's main line (shared by its people) comes first when there is one.
    pub phones: Vec<String>,
    pub emails: Vec<String>,
}

/// A contact as JustCall shows it, with the person it really is (`None`: in no CRM).
#[derive(Debug, Clone, PartialEq)]
pub struct NoisyContact {
    pub number: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub truth: Option<u64>,
}

/// The matching benchmark's CRM and contacts.
#[derive(Debug, Clone)]
pub struct MatchWorld {
    pub people: Vec<CrmPerson>,
    pub contacts: Vec<NoisyContact>,
}

const SYLLABLES: &[&str] = &[
    "an", "bel", "cor", "dan", "el", "fer", "gar", "hal", "is", "jor", "kov", "lan", "mar", "nor",
    "ol", "per", "quin", "ros", "sal", "tor", "ul", "ven", "wes", "yor", "zan", "bri", "chel",
    "dor", "est", "fin", "gil", "har", "ing", "kel", "lis", "mon", "nev", "os", "pra", "rin",
    "sto", "tam", "vik", "wil", "ber", "cas", "del", "ford", "ley", "son", "ton", "man", "berg",
    "ski", "ez", "ova", "ini", "ard",
];

/// Formal first names whose nickname the contacts sometimes use (`fuzzy::NICKNAMES`).
const FORMAL_FIRST: &[(&str, &str)] = &[
    ("Robert", "Bob"),
    ("William", "Bill"),
    ("Michael", "Mike"),
    ("Elizabeth", "Liz"),
    ("Katherine", "Kate"),
    ("Richard", "Rick"),
    ("Joseph", "Joe"),
    ("James", "Jim"),
    ("Thomas", "Tom"),
    ("Jennifer", "Jen"),
    ("Christopher", "Chris"),
    ("Margaret", "Maggie"),
];

const COMPANY_WORDS_A: &[&str] = &[
    "Green",
    "Blue",
    "Silver",
    "Golden",
    "North",
    "South",
    "Prairie",
    "Coastal",
    "Summit",
    "Cedar",
    "Maple",
    "River",
    "Lake",
    "Iron",
    "Granite",
    "Sunrise",
    "Evergreen",
    "Harbor",
    "Pioneer",
    "Keystone",
    "Redwood",
    "Oak",
    "Pine",
    "Willow",
    "Stone",
    "Bright",
    "Metro",
    "Valley",
    "Canyon",
    "Desert",
];
const COMPANY_WORDS_B: &[&str] = &[
    "Leaf",
    "Ridge",
    "Creek",
    "Point",
    "Field",
    "Bay",
    "Hill",
    "Grove",
    "Brook",
    "Mesa",
    "Harvest",
    "Trail",
    "Peak",
    "Haven",
    "Works",
    "Market",
    "Supply",
    "Farms",
    "Naturals",
    "Botanicals",
    "Wellness",
    "Goods",
    "Traders",
    "Distro",
    "Pharmacy",
    "Grocers",
    "Outfitters",
    "Kitchen",
    "Garden",
    "Health",
];
const COMPANY_KINDS: &[&str] = &[
    "",
    "",
    "Co",
    "LLC",
    "Inc",
    "Group",
    "Shop",
    "Store",
    "Wholesale",
    "Collective",
];

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn synthetic_word(rng: &mut StdRng) -> String {
    let n = if chance(rng, 0.6) { 2 } else { 3 };
    capitalised(
        &(0..n)
            .map(|_| *pick(rng, SYLLABLES))
            .collect::<Vec<_>>()
            .concat(),
    )
}

fn first_name(rng: &mut StdRng) -> String {
    if chance(rng, 0.15) {
        pick(rng, FORMAL_FIRST).0.to_string()
    } else if chance(rng, 0.6) {
        pick(rng, names::FIRST_NAMES).to_string()
    } else {
        synthetic_word(rng)
    }
}

fn last_name(rng: &mut StdRng) -> String {
    if chance(rng, 0.35) {
        pick(rng, names::LAST_NAMES).to_string()
    } else {
        synthetic_word(rng)
    }
}

/// One edit: a substitution, deletion, insertion or transposition of adjacent letters.
fn typo(word: &str, rng: &mut StdRng) -> String {
    let mut c: Vec<char> = word.chars().collect();
    if c.len() < 4 {
        return word.to_string();
    }
    let i = rng.random_range(1..c.len() - 1);
    let letter = (b'a' + rng.random_range(0..26u8)) as char;
    match rng.random_range(0..4) {
        0 => c[i] = letter,
        1 => {
            c.remove(i);
        }
        2 => c.insert(i, letter),
        _ => c.swap(i, i + 1),
    }
    c.into_iter().collect()
}

impl MatchWorld {
    /// `people` CRM people (at companies of 1-6 people, 70% of them) and `contacts` contacts,
    /// `unknown` of which are in no CRM.
    pub fn generate(seed: u64, people: usize, contacts: usize, unknown: f64) -> MatchWorld {
        let mut rng = rng_for(seed, stream::CRM, 2);
        let mut crm = Vec::with_capacity(people);
        let mut next_id = 10_000u64;
        while crm.len() < people {
            let company = chance(&mut rng, 0.7).then(|| {
                let kind = pick(&mut rng, COMPANY_KINDS);
                let a = if chance(&mut rng, 0.5) {
                    pick(&mut rng, COMPANY_WORDS_A).to_string()
                } else {
                    synthetic_word(&mut rng)
                };
                format!("{a} {} {kind}", pick(&mut rng, COMPANY_WORDS_B))
                    .trim()
                    .to_string()
            });
            let size = if company.is_some() {
                1 + weighted(&mut rng, &[0.45, 0.25, 0.15, 0.08, 0.05, 0.02])
            } else {
                1
            };
            let main_line = company.as_ref().map(|_| us_number(&mut rng));
            for _ in 0..size.min(people - crm.len()) {
                let (first, last) = (first_name(&mut rng), last_name(&mut rng));
                let mut phones: Vec<String> = main_line.iter().cloned().collect();
                if main_line.is_none() || chance(&mut rng, 0.8) {
                    phones.push(us_number(&mut rng));
                }
                let mut emails = Vec::new();
                if chance(&mut rng, 0.7) {
                    let domain = match &company {
                        Some(c) if chance(&mut rng, 0.6) => format!(
                            "{}.com",
                            c.to_lowercase()
                                .chars()
                                .filter(char::is_ascii_alphanumeric)
                                .collect::<String>()
                        ),
                        _ => pick(&mut rng, names::FREE_MAIL).to_string(),
                    };
                    emails.push(format!(
                        "{}{}@{domain}",
                        email_local(&first, &last),
                        next_id % 97
                    ));
                }
                crm.push(CrmPerson {
                    id: next_id,
                    first,
                    last,
                    company: company.clone(),
                    phones,
                    emails,
                });
                next_id += 1;
            }
        }
        let mut rng = rng_for(seed, stream::CRM_CONTACTS, 0);
        let contacts = (0..contacts)
            .map(|_| {
                if chance(&mut rng, unknown) {
                    unknown_contact(&mut rng)
                } else {
                    let p = pick(&mut rng, &crm);
                    noisy_contact(p, &mut rng)
                }
            })
            .collect();
        MatchWorld {
            people: crm,
            contacts,
        }
    }

    /// The people as a Copper people CSV export.
    pub fn copper_people_csv(&self, seed: u64) -> String {
        let mut rng = rng_for(seed, stream::CRM, 3);
        let mut out = row(&[
            "Copper ID",
            "Name",
            "Company",
            "Email",
            "Phone Number",
            "Phone Number 2",
        ]);
        for p in &self.people {
            let name = format!("{} {}", p.first, p.last);
            let name = if chance(&mut rng, 0.15) {
                name.to_uppercase()
            } else {
                name
            };
            let phones: Vec<String> = p.phones.iter().map(|x| messy_number(x, &mut rng)).collect();
            out.push_str(&row(&[
                &p.id.to_string(),
                &name,
                p.company.as_deref().unwrap_or(""),
                p.emails.first().map_or("", String::as_str),
                phones.first().map_or("", String::as_str),
                phones.get(1).map_or("", String::as_str),
            ]));
        }
        out
    }
}

fn unknown_contact(rng: &mut StdRng) -> NoisyContact {
    // Callers in no CRM: JustCall usually has no name for them; some have one of their own.
    let name = chance(rng, 0.5).then(|| format!("{} {}", synthetic_word(rng), synthetic_word(rng)));
    NoisyContact {
        number: Some(messy_number(&us_number(rng), rng)),
        name,
        email: None,
        truth: None,
    }
}

fn noisy_contact(p: &CrmPerson, rng: &mut StdRng) -> NoisyContact {
    let own = p.phones.last().expect("a phone");
    let number = match weighted(rng, &[0.72, 0.12, 0.06, 0.10]) {
        0 => own.clone(),
        1 => p.phones[0].clone(), // the company's main line when there is one
        2 => p.phones.get(1).unwrap_or(own).clone(),
        _ => us_number(rng), // a new number the CRM does not know
    };
    let name = match weighted(rng, &[0.48, 0.08, 0.06, 0.08, 0.15, 0.15]) {
        0 => Some(format!("{} {}", p.first, p.last)),
        1 => Some(format!("{} {}", p.first, p.last).to_uppercase()),
        2 => Some(format!("{} {}", p.first, p.last).to_lowercase()),
        3 => Some(match FORMAL_FIRST.iter().find(|(f, _)| *f == p.first) {
            Some((_, nick)) => format!("{nick} {}", p.last),
            None => format!("{} {}", p.first, p.last),
        }),
        4 => Some(if chance(rng, 0.5) {
            format!("{} {}", typo(&p.first, rng), p.last)
        } else {
            format!("{} {}", p.first, typo(&p.last, rng))
        }),
        _ => None,
    };
    let email = p.emails.first().filter(|_| chance(rng, 0.25)).map(|e| {
        if chance(rng, 0.3) {
            format!(" {}", e.to_uppercase())
        } else {
            e.clone()
        }
    });
    NoisyContact {
        number: Some(messy_number(&number, rng)),
        name,
        email,
        truth: Some(p.id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_world_is_deterministic_and_has_the_advertised_noise() {
        let a = MatchWorld::generate(7, 2_000, 3_000, 0.15);
        let b = MatchWorld::generate(7, 2_000, 3_000, 0.15);
        assert_eq!(a.people, b.people);
        assert_eq!(a.contacts, b.contacts);
        assert_eq!(a.people.len(), 2_000);
        let shared = a
            .people
            .iter()
            .filter(|p| {
                a.people
                    .iter()
                    .filter(|q| q.phones[0] == p.phones[0])
                    .count()
                    > 1
            })
            .count();
        assert!(shared > 200, "people sharing a main line: {shared}");
        let unknown = a.contacts.iter().filter(|c| c.truth.is_none()).count();
        assert!((300..600).contains(&unknown), "{unknown}");
        assert!(a
            .contacts
            .iter()
            .any(|c| c.name.is_none() && c.truth.is_some()));
        assert!(a.contacts.iter().any(|c| c.email.is_some()));
        let csv = a.copper_people_csv(7);
        assert_eq!(csv.lines().count(), 2_001);
        assert!(csv.starts_with("Copper ID,Name,Company,Email,Phone Number,Phone Number 2\n"));
    }

    #[test]
    fn typos_are_one_edit() {
        let mut rng = rng_for(1, stream::CRM, 9);
        for _ in 0..100 {
            let t = typo("garcia", &mut rng);
            assert!(strsim::damerau_levenshtein("garcia", &t) <= 1, "{t}");
        }
    }
}
