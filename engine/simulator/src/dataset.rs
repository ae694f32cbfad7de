//! The simulator's data set generator: users, customers, calls and SMS, deterministic from the
//! seed.
//!
//! Records are generated per agent and per *local* day in the agent's own time zone (busy
//! 9–17 on weekdays, little at weekends, some late-evening calls that fall on the next UTC day
//! for US agents), converted to UTC with chrono-tz (so DST changes happen naturally), then merged
//! across agents in time order and numbered: ids increase with time. Each agent has its own
//! random stream, so agents are generated in parallel and the result does not depend on the
//! number of threads.
//!
//! Every value is already in the canonical, normalised form that the lenient parser produces
//! (`None` rather than `""`, whole seconds, costs in whole cents), so that serving a record in
//! JustCall's messy spelling and parsing it back gives exactly the value held here.

use std::collections::HashSet;

use callduck_metrics::{Call, CallDuration, CallInfo, Direction, Media, Sms, SmsInfo, User};
use chrono::{
    Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Weekday,
};
use chrono_tz::Tz;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::names;
use super::{Customer, Dataset, SimConfig};

/// First call id; later ids are larger, with occasional gaps (deleted calls).
pub(crate) const FIRST_CALL_ID: i64 = 1_000_000;
/// First SMS id.
pub(crate) const FIRST_TEXT_ID: i64 = 5_000_000;
const FIRST_USER_ID: i64 = 20_000;
const FIRST_CUSTOMER_ID: i64 = 700_000;

/// Call type of a call that has not ended at the data set's `end`.
pub(crate) const IN_PROGRESS: &str = "In Progress";

const REASON_AFTER_HOURS: &str = "Call arrived after your working hours";
const REASON_NOT_PICKED: &str = "Call was not picked by any agent";
const REASON_NEVER_RANG: &str = "Call never rang any of the available agents";

/// Independent random streams, so that one part of the data set does not shift another.
pub(crate) mod stream {
    pub const USERS: u64 = 1;
    pub const CUSTOMERS: u64 = 2;
    pub const CALLS: u64 = 3;
    pub const TEXTS: u64 = 4;
    pub const CALL_IDS: u64 = 5;
    pub const TEXT_IDS: u64 = 6;
    pub const MALFORMED: u64 = 7;
    pub const EDIT: u64 = 8;
    pub const ADD: u64 = 9;
    pub const CRM: u64 = 10;
    pub const CRM_CONTACTS: u64 = 11;
}

/// SplitMix64's finaliser: a fast, well-mixed hash of a 64-bit value.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The random stream `stream`/`n` of a seed.
pub(crate) fn rng_for(seed: u64, stream: u64, n: u64) -> StdRng {
    StdRng::seed_from_u64(mix(
        seed ^ mix(stream.wrapping_mul(0x1000_0000_01B3) ^ mix(n))
    ))
}

pub(super) fn chance(rng: &mut StdRng, p: f64) -> bool {
    rng.random::<f64>() < p
}

pub(super) fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// Index drawn with probability proportional to `weights`.
pub(super) fn weighted(rng: &mut StdRng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = rng.random::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

/// A standard normal variate (Box–Muller).
fn normal(rng: &mut StdRng) -> f64 {
    let u1 = rng.random::<f64>().max(1e-12);
    let u2 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A Poisson variate with the given mean (normal approximation above 30).
fn poisson(rng: &mut StdRng, mean: f64) -> usize {
    if mean <= 0.0 || !mean.is_finite() {
        return 0;
    }
    if mean < 30.0 {
        let limit = (-mean).exp();
        let mut k = 0;
        let mut p = rng.random::<f64>();
        while p > limit {
            k += 1;
            p *= rng.random::<f64>();
        }
        k
    } else {
        (mean + mean.sqrt() * normal(rng)).round().max(0.0) as usize
    }
}

/// A log-normal number of seconds with the given median, clamped to `[lo, hi]`.
fn lognormal_secs(rng: &mut StdRng, median: f64, sigma: f64, lo: i64, hi: i64) -> i64 {
    ((median.ln() + sigma * normal(rng)).exp().round() as i64).clamp(lo, hi)
}

/// Relative activity per local hour on weekdays: office hours, a lunch dip, a tail into the
/// late evening (22–24 h) and almost nothing at night.
const WEEKDAY_HOURS: [f64; 24] = [
    0.02, 0.01, 0.01, 0.01, 0.01, 0.02, 0.05, 0.3, 1.5, 5.0, 6.0, 6.0, 4.0, 5.5, 6.0, 5.5, 5.0,
    3.0, 1.5, 1.0, 0.7, 0.5, 0.5, 0.4,
];
/// Relative activity per local hour at weekends.
const WEEKEND_HOURS: [f64; 24] = [
    0.02, 0.01, 0.01, 0.01, 0.01, 0.01, 0.02, 0.05, 0.3, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0,
    1.0, 0.5, 0.4, 0.3, 0.3, 0.2, 0.1,
];

fn is_weekend(day: NaiveDate) -> bool {
    matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Multiplier of the daily mean: weekdays busy, Saturday quiet, Sunday quieter; averages 1
/// over a week.
fn day_factor(day: NaiveDate) -> f64 {
    const WEEK: f64 = 5.0 + 0.18 + 0.08;
    let w = match day.weekday() {
        Weekday::Sat => 0.18,
        Weekday::Sun => 0.08,
        _ => 1.0,
    };
    w * 7.0 / WEEK
}

/// A random local time on `day`, following the hour pattern.
fn sample_local(rng: &mut StdRng, day: NaiveDate) -> NaiveDateTime {
    let hours = if is_weekend(day) {
        &WEEKEND_HOURS
    } else {
        &WEEKDAY_HOURS
    };
    let h = weighted(rng, hours) as u32;
    day.and_hms_opt(h, rng.random_range(0..60), rng.random_range(0..60))
        .expect("a valid time of day")
}

/// The UTC instant of a local wall-clock time. In the autumn's repeated hour either instant is
/// taken; a time in the spring's skipped hour is read as the clock shows it after the jump.
fn to_utc(tz: Tz, local: NaiveDateTime, rng: &mut StdRng) -> NaiveDateTime {
    let mut t = local;
    for _ in 0..8 {
        match tz.from_local_datetime(&t) {
            chrono::LocalResult::Single(dt) => return dt.naive_utc(),
            chrono::LocalResult::Ambiguous(a, b) => {
                return if rng.random::<bool>() { a } else { b }.naive_utc();
            }
            chrono::LocalResult::None => t += Duration::minutes(30),
        }
    }
    local
}

fn to_local(tz: Tz, utc: NaiveDateTime) -> NaiveDateTime {
    tz.from_utc_datetime(&utc).naive_local()
}

/// Local dates of `tz` that overlap `[start, end)`.
fn local_days(tz: Tz, start: NaiveDateTime, end: NaiveDateTime) -> impl Iterator<Item = NaiveDate> {
    let first = to_local(tz, start).date();
    let last = to_local(tz, end - Duration::seconds(1)).date();
    first.iter_days().take_while(move |d| *d <= last)
}

/// An agent as the generator needs it.
pub(crate) struct Agent {
    pub id: i64,
    pub name: String,
    pub first: String,
    pub email: String,
    pub tz: Tz,
    pub line_number: String,
    pub line_name: String,
    pub active: bool,
}

/// Everything records are drawn from: agents, customers and the company's main line.
pub(crate) struct World {
    pub seed: u64,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub agents: Vec<Agent>,
    pub users: Vec<User>,
    pub customers: Vec<Customer>,
    main_line: String,
}

/// A US number `+1NPANXXXXXX` with a real area code.
pub(super) fn us_number(rng: &mut StdRng) -> String {
    let area = pick(rng, names::AREA_CODES);
    let exchange = rng.random_range(200..1000);
    let exchange = if exchange % 100 == 11 {
        exchange + 1
    } else {
        exchange
    };
    format!("+1{area}{exchange}{:04}", rng.random_range(0..10_000))
}

fn international_number(rng: &mut StdRng) -> String {
    match rng.random_range(0..3) {
        0 => format!("+447700{:06}", rng.random_range(900_000..1_000_000)),
        1 => format!("+919{:09}", rng.random_range(0..1_000_000_000u64)),
        _ => format!("+614{:08}", rng.random_range(0..100_000_000u64)),
    }
}

/// `+12085551234` as records show it: `208-555-1234`, `(208) 555-1234`, `2085551234`,
/// `12085551234` or unchanged; non-US numbers with or without the `+`.
pub(super) fn messy_number(e164: &str, rng: &mut StdRng) -> String {
    match e164.strip_prefix("+1").filter(|rest| rest.len() == 10) {
        Some(rest) => {
            let (a, b, c) = (&rest[..3], &rest[3..6], &rest[6..]);
            match rng.random_range(0..5) {
                0 => format!("{a}-{b}-{c}"),
                1 => format!("({a}) {b}-{c}"),
                2 => rest.to_string(),
                3 => format!("1{rest}"),
                _ => e164.to_string(),
            }
        }
        None if chance(rng, 0.5) => e164.trim_start_matches('+').to_string(),
        None => e164.to_string(),
    }
}

pub(super) fn email_local(first: &str, last: &str) -> String {
    format!("{first}.{last}")
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect()
}

impl World {
    pub(crate) fn new(config: &SimConfig) -> World {
        let start = config.start();
        let end = config.end;
        let mut rng = rng_for(config.seed, stream::USERS, 0);
        let main_line = format!("+1888555{:04}", rng.random_range(100..200));
        let mut agents = Vec::with_capacity(config.agents);
        let mut users = Vec::with_capacity(config.agents);
        let mut taken = HashSet::new();
        taken.insert("Maria Garcia".to_string());
        let mut emails = HashSet::new();
        let mut next_id = FIRST_USER_ID;
        for i in 0..config.agents {
            let (first, last) = if i == 1 {
                ("Maria".to_string(), "Garcia".to_string())
            } else {
                let mut attempt = 0;
                loop {
                    let first = pick(&mut rng, names::FIRST_NAMES).to_string();
                    let mut last = pick(&mut rng, names::LAST_NAMES).to_string();
                    attempt += 1;
                    if attempt > 20 {
                        last = format!("{last}-{i}");
                    }
                    if taken.insert(format!("{first} {last}")) {
                        break (first, last);
                    }
                }
            };
            let name = format!("{first} {last}");
            // One agent's address is capitalised, as some directories store it.
            let mut email = if i == 1 {
                "Maria.Garcia@Kanva.com".to_string()
            } else {
                format!("{}@kanva.com", email_local(&first, &last))
            };
            let mut n = 2;
            while !emails.insert(email.to_lowercase()) {
                email = format!("{}{n}@kanva.com", email_local(&first, &last));
                n += 1;
            }
            let zone = names::AGENT_ZONES[i % names::AGENT_ZONES.len()];
            let tz: Tz = zone.parse().expect("a known zone");
            let id = next_id;
            next_id += rng.random_range(3..15);
            let role = match i {
                0 => "Admin",
                _ if i % 5 == 4 => "Supervisor",
                _ => "Agent",
            };
            let created = NaiveDate::from_ymd_opt(2024, 1, 8)
                .expect("a date")
                .and_time(NaiveTime::MIN)
                + Duration::days(rng.random_range(0..400))
                + Duration::seconds(rng.random_range(8 * 3600..18 * 3600));
            let login = end - Duration::seconds(rng.random_range(600..5 * 86_400));
            users.push(User {
                id,
                name: Some(name.clone()),
                email: Some(email.clone()),
                role: Some(role.to_string()),
                extension: Some((101 + i).to_string()),
                timezone: Some(zone.to_string()),
                working_hours_type: Some(
                    if i % 3 == 0 { "Always Open" } else { "Custom" }.to_string(),
                ),
                created_at: Some(created.format("%Y-%m-%d %H:%M:%S").to_string()),
                last_login_timestamp: Some(login.format("%Y-%m-%d %H:%M:%S").to_string()),
                available: Some(chance(&mut rng, 0.7)),
                on_call: Some(chance(&mut rng, 0.15)),
            });
            agents.push(Agent {
                id,
                first: first.clone(),
                name,
                email,
                tz,
                line_number: us_number(&mut rng),
                line_name: format!("{first}'s {} Line", pick(&mut rng, names::LINE_NAMES)),
                active: i != 6,
            });
        }
        let customers = customers(config.seed, config.customers.max(1));
        World {
            seed: config.seed,
            start,
            end,
            agents,
            users,
            customers,
            main_line,
        }
    }
}

fn customers(seed: u64, n: usize) -> Vec<Customer> {
    let mut rng = rng_for(seed, stream::CUSTOMERS, 0);
    (0..n)
        .map(|i| {
            let first = *pick(&mut rng, names::FIRST_NAMES);
            let last = *pick(&mut rng, names::LAST_NAMES);
            let company = chance(&mut rng, 0.65).then(|| {
                let mut c = pick(&mut rng, names::COMPANIES).to_string();
                if chance(&mut rng, 0.4) {
                    c = format!("{c} {}", pick(&mut rng, names::COMPANY_SUFFIXES));
                }
                if chance(&mut rng, 0.2) {
                    c = format!("{c} | {}", pick(&mut rng, names::BRANCHES));
                }
                if chance(&mut rng, 0.12) {
                    c = c.to_uppercase();
                }
                c
            });
            let mut phones = vec![if chance(&mut rng, 0.06) {
                international_number(&mut rng)
            } else {
                us_number(&mut rng)
            }];
            if chance(&mut rng, 0.2) {
                phones.push(us_number(&mut rng));
            }
            let n_emails = weighted(&mut rng, &[0.3, 0.6, 0.1]);
            let emails = (0..n_emails)
                .map(|k| {
                    let domain = match (&company, k) {
                        (Some(c), 0) => {
                            let base = c.split('|').next().unwrap_or(c);
                            let d: String = base
                                .to_lowercase()
                                .chars()
                                .filter(char::is_ascii_alphanumeric)
                                .collect();
                            format!("{d}.com")
                        }
                        _ => pick(&mut rng, names::FREE_MAIL).to_string(),
                    };
                    format!("{}@{domain}", email_local(first, last))
                })
                .collect();
            Customer {
                id: FIRST_CUSTOMER_ID + i as i64,
                name: format!("{first} {last}"),
                company,
                phones,
                emails,
            }
        })
        .collect()
}

/// The contact fields of one record, as the record shows them.
struct Contact<'a> {
    customer: &'a Customer,
    number: String,
    name: Option<String>,
    email: Option<String>,
}

impl Contact<'_> {
    fn first_name(&self) -> &str {
        self.customer.name.split(' ').next().unwrap_or("there")
    }

    fn company(&self) -> &str {
        self.customer.company.as_deref().unwrap_or("home")
    }
}

fn contact<'a>(world: &'a World, rng: &mut StdRng, unknown_name: f64) -> Contact<'a> {
    let customer = pick(rng, &world.customers);
    let phone = pick(rng, &customer.phones);
    let number = messy_number(phone, rng);
    let name = match weighted(rng, &[1.0 - unknown_name - 0.12, 0.08, 0.04, unknown_name]) {
        0 => Some(customer.name.clone()),
        1 => Some(customer.name.to_uppercase()),
        2 => Some(customer.name.to_lowercase()),
        _ => None,
    };
    let email = if chance(rng, 0.3) {
        customer.emails.first().cloned()
    } else {
        None
    };
    Contact {
        customer,
        number,
        name,
        email,
    }
}

fn fill(template: &str, contact: &Contact<'_>, agent: &Agent, rng: &mut StdRng) -> String {
    let mut s = template
        .replace("{first}", contact.first_name())
        .replace("{agent}", &agent.first)
        .replace("{company}", contact.company());
    if s.contains("{n}") {
        s = s.replace("{n}", &rng.random_range(1000..99_999).to_string());
    }
    s
}

/// One call of `agent` starting at `utc`, without its id (see [`finish_call`]). The steps draw
/// from `rng` in a fixed order (direction, contact, outcome, durations, details, tags, cost,
/// line), so a seed always gives the same call.
pub(crate) fn make_call(
    world: &World,
    agent: &Agent,
    utc: NaiveDateTime,
    rng: &mut StdRng,
) -> Call {
    let local = to_local(agent.tz, utc);
    let weekend = is_weekend(local.date());
    let after_hours = weekend || local.hour() < 8 || local.hour() >= 18;
    let incoming = chance(rng, if after_hours { 0.6 } else { 0.45 });
    let direction = if incoming {
        Direction::Incoming
    } else {
        Direction::Outgoing
    };
    let who = contact(world, rng, if incoming { 0.2 } else { 0.08 });
    let kind = call_kind(rng, incoming, after_hours);
    let answered = kind == "Answered";
    let mut d = call_duration(rng, incoming, kind, after_hours);

    // Still going at `end`: a call that would end later, and some answered calls of the last
    // hour (long conversations), so that a handful of calls are in progress.
    let ends = utc + Duration::seconds(d.ring_time + d.queue_wait_time + d.total_duration);
    let in_progress =
        ends > world.end || (answered && world.end - utc < Duration::hours(1) && chance(rng, 0.4));
    let shape = CallShape {
        direction,
        incoming,
        after_hours,
        kind,
        in_progress,
    };
    let info = call_info(rng, &shape, &who, agent, &mut d);
    let tags = call_tags(rng);
    let cost = call_cost(rng, incoming, answered, &d);
    let main = chance(rng, 0.2);

    Call {
        id: 0,
        call_sid: None,
        contact_number: Some(who.number),
        contact_name: who.name,
        contact_email: who.email,
        justcall_number: Some(
            if main {
                &world.main_line
            } else {
                &agent.line_number
            }
            .clone(),
        ),
        justcall_line_name: Some(
            if main {
                "Kanva Main Line"
            } else {
                &agent.line_name
            }
            .to_string(),
        ),
        agent_id: Some(agent.id),
        agent_name: Some(agent.name.clone()),
        agent_email: Some(agent.email.clone()),
        agent_active: Some(agent.active),
        call_date: utc.date(),
        call_time: utc.time(),
        call_user_date: Some(local.date()),
        call_user_time: Some(local.time()),
        cost_incurred: cost,
        call_info: info,
        call_duration: d,
        tags,
    }
}

/// What the first draws decided about a call.
struct CallShape {
    direction: Direction,
    incoming: bool,
    after_hours: bool,
    kind: &'static str,
    in_progress: bool,
}

/// The outcome (`call_info.type`) of a finished call, weighted by direction and hour.
fn call_kind(rng: &mut StdRng, incoming: bool, after_hours: bool) -> &'static str {
    if incoming {
        let weights: &[f64] = if after_hours {
            &[15.0, 55.0, 25.0, 5.0]
        } else {
            &[62.0, 18.0, 12.0, 8.0]
        };
        [
            "Answered",
            "Missed",
            "Voicemail",
            "Abandoned before ringing",
        ][weighted(rng, weights)]
    } else {
        ["Answered", "Unanswered", "Abandoned before ringing"][weighted(rng, &[55.0, 38.0, 7.0])]
    }
}

/// Ring, queue, conversation, hold and wrap-up seconds for an outcome.
fn call_duration(rng: &mut StdRng, incoming: bool, kind: &str, after_hours: bool) -> CallDuration {
    let answered = kind == "Answered";
    let mut d = CallDuration::default();
    match (incoming, kind) {
        (true, "Answered") => {
            d.ring_time = rng.random_range(3..26);
            d.queue_wait_time = if chance(rng, 0.6) {
                0
            } else {
                rng.random_range(5..121)
            };
        }
        (true, "Missed") => {
            d.ring_time = rng.random_range(20..46);
            d.queue_wait_time = if after_hours {
                0
            } else {
                rng.random_range(10..201)
            };
        }
        (true, "Voicemail") => {
            d.ring_time = rng.random_range(20..36);
            d.queue_wait_time = rng.random_range(5..61);
        }
        (true, _) => d.queue_wait_time = rng.random_range(0..31),
        (false, "Answered") => d.ring_time = rng.random_range(5..31),
        (false, "Unanswered") => d.ring_time = rng.random_range(25..51),
        (false, _) => {}
    }
    if answered {
        d.conversation_time = lognormal_secs(rng, 170.0, 0.9, 10, 3000);
        d.hold_time = if chance(rng, 0.25) {
            rng.random_range(10..301)
        } else {
            0
        };
        d.wrap_up_time = if chance(rng, 0.7) {
            rng.random_range(5..151)
        } else {
            0
        };
    } else if kind == "Unanswered" && chance(rng, 0.2) {
        d.wrap_up_time = rng.random_range(3..21);
    }
    d.total_duration = d.conversation_time + d.hold_time;
    d.handle_time = d.total_duration + d.wrap_up_time;

    d
}

/// Status, missed reason, disposition, notes, rating, voicemail and traits; a call in progress
/// keeps only what is known before it ends (its durations are cut back too).
fn call_info(
    rng: &mut StdRng,
    shape: &CallShape,
    who: &Contact<'_>,
    agent: &Agent,
    d: &mut CallDuration,
) -> CallInfo {
    let CallShape {
        direction,
        incoming,
        after_hours,
        kind,
        in_progress,
    } = *shape;
    let answered = kind == "Answered";
    let mut info = CallInfo {
        direction,
        call_type: Some(kind.to_string()),
        missed_call_reason: None,
        status: Some(
            if chance(rng, 0.04) {
                "Archived"
            } else {
                "Unarchived"
            }
            .to_string(),
        ),
        disposition: None,
        notes: None,
        rating: None,
        recording: None,
        voicemail_transcription: None,
        call_traits: Vec::new(),
    };
    if in_progress {
        // Not finished at `end`: nothing after the ring is known yet.
        info.call_type = Some(IN_PROGRESS.to_string());
        *d = CallDuration {
            ring_time: d.ring_time,
            queue_wait_time: d.queue_wait_time,
            ..Default::default()
        };
    } else {
        if matches!(kind, "Missed" | "Voicemail") {
            info.missed_call_reason = Some(
                if after_hours {
                    REASON_AFTER_HOURS
                } else if chance(rng, 0.7) {
                    REASON_NOT_PICKED
                } else {
                    REASON_NEVER_RANG
                }
                .to_string(),
            );
        }
        info.disposition = match kind {
            "Answered" if chance(rng, 0.6) => Some(pick(rng, names::DISPOSITIONS_ANSWERED)),
            "Unanswered" if chance(rng, 0.35) => Some(pick(rng, names::DISPOSITIONS_UNANSWERED)),
            "Missed" | "Voicemail" if chance(rng, 0.1) => Some(&"Call Back Later"),
            _ => None,
        }
        .map(|s| s.to_string());
        let p_notes = match kind {
            "Answered" => 0.35,
            "Voicemail" => 0.2,
            _ => 0.03,
        };
        if chance(rng, p_notes) {
            let t = pick(rng, names::NOTES);
            info.notes = Some(fill(t, who, agent, rng));
        }
        if answered && chance(rng, 0.25) {
            info.rating = Some([5, 4, 3, 2, 1][weighted(rng, &[40.0, 30.0, 15.0, 8.0, 7.0])]);
        }
        if kind == "Voicemail" && chance(rng, 0.9) {
            let t = pick(rng, names::VOICEMAILS);
            info.voicemail_transcription = Some(fill(t, who, agent, rng));
        }
        if answered {
            let r = rng.random::<f64>();
            if r < 0.03 {
                info.call_traits.push("Transferred".into());
            } else if r < 0.04 {
                info.call_traits.push("Conference".into());
            }
        }
    }
    if incoming && chance(rng, 0.02) {
        info.call_traits.push(names::TRAITS[2].to_string());
    }

    info
}

/// Up to two tags on some calls.
fn call_tags(rng: &mut StdRng) -> Vec<String> {
    let mut tags = Vec::new();
    let r = rng.random::<f64>();
    if r < 0.15 {
        tags.push(pick(rng, names::TAGS).to_string());
        if r < 0.03 {
            let other = pick(rng, names::TAGS).to_string();
            if !tags.contains(&other) {
                tags.push(other);
            }
        }
    }

    tags
}

/// What the call cost (incoming calls are free; some carry no cost at all).
fn call_cost(rng: &mut StdRng, incoming: bool, answered: bool, d: &CallDuration) -> Option<f64> {
    let cost_cents = if incoming {
        0
    } else if answered {
        2 * ((d.total_duration + 59) / 60).max(1)
    } else {
        1
    };
    if incoming && chance(rng, 0.3) {
        None
    } else {
        Some(cost_cents as f64 / 100.0)
    }
}

/// Sets the id and what derives from it: the call SID and the recording URL.
pub(crate) fn finish_call(call: &mut Call, id: i64, seed: u64) {
    call.id = id;
    let sid = format!(
        "CA{:016x}{:016x}",
        mix(seed ^ id as u64),
        mix(!(seed ^ id as u64))
    );
    let recorded = matches!(
        call.call_info.call_type.as_deref(),
        Some("Answered" | "Voicemail")
    );
    if recorded {
        call.call_info.recording =
            Some(format!("https://recordings.justcall-sim.invalid/{sid}.mp3"));
    }
    call.call_sid = Some(sid);
}

fn agent_calls(world: &World, a: usize, per_day: f64) -> Vec<Call> {
    let agent = &world.agents[a];
    let mut rng = rng_for(world.seed, stream::CALLS, a as u64);
    let mut out =
        Vec::with_capacity((per_day * (world.end - world.start).num_days() as f64) as usize + 16);
    let mut times = Vec::new();
    for day in local_days(agent.tz, world.start, world.end) {
        let n = poisson(&mut rng, per_day * day_factor(day));
        times.clear();
        for _ in 0..n {
            let local = sample_local(&mut rng, day);
            let utc = to_utc(agent.tz, local, &mut rng);
            if utc >= world.start && utc < world.end {
                times.push(utc);
            }
        }
        times.sort_unstable();
        for &utc in &times {
            out.push(make_call(world, agent, utc, &mut rng));
        }
    }
    out.sort_by_key(Call::started_at); // already sorted: a linear check
    out
}

/// Kinds of SMS sends.
#[derive(Clone, Copy)]
enum Medium {
    OneToOne,
    Bulk,
    Automation,
}

impl Medium {
    fn as_str(self) -> &'static str {
        match self {
            Medium::OneToOne => "One-To-One via App",
            Medium::Bulk => "Bulk SMS",
            Medium::Automation => "Workflow Automation",
        }
    }
}

struct TextGen<'a> {
    world: &'a World,
    agent: &'a Agent,
    rng: StdRng,
    out: Vec<Sms>,
}

impl<'a> TextGen<'a> {
    fn push(
        &mut self,
        utc: NaiveDateTime,
        dir: Direction,
        who: &Contact<'_>,
        medium: Medium,
        body: String,
    ) {
        if utc < self.world.start || utc >= self.world.end {
            return;
        }
        let rng = &mut self.rng;
        let outgoing = dir == Direction::Outgoing;
        let mms = matches!(medium, Medium::OneToOne) && chance(rng, 0.03);
        let sms_info = if mms {
            let (content_type, ext) = *pick(rng, names::MMS_TYPES);
            SmsInfo {
                body: if chance(rng, 0.5) { Some(body) } else { None },
                is_mms: true,
                mms: vec![Media {
                    media_url: Some(format!(
                        "https://media.justcall-sim.invalid/mms/{:016x}.{ext}",
                        rng.random::<u64>()
                    )),
                    content_type: Some(content_type.to_string()),
                }],
            }
        } else {
            SmsInfo {
                body: Some(body),
                is_mms: false,
                mms: Vec::new(),
            }
        };
        let delivery = if outgoing {
            ["Delivered", "delivered", "sent", "failed", "Undelivered"]
                [weighted(rng, &[74.0, 6.0, 12.0, 5.0, 3.0])]
        } else if chance(rng, 0.9) {
            "Delivered"
        } else {
            "delivered"
        };
        let cents = match (outgoing, mms) {
            (false, _) => 0,
            (true, false) => 1,
            (true, true) => 3,
        };
        let local = to_local(self.agent.tz, utc);
        self.out.push(Sms {
            id: 0,
            contact_number: Some(who.number.clone()),
            contact_name: who.name.clone(),
            contact_email: who.email.clone(),
            justcall_number: Some(self.agent.line_number.clone()),
            justcall_line_name: Some(self.agent.line_name.clone()),
            agent_id: Some(self.agent.id),
            agent_name: Some(self.agent.name.clone()),
            agent_email: Some(self.agent.email.clone()),
            sms_date: utc.date(),
            sms_time: utc.time(),
            sms_user_date: Some(local.date()),
            sms_user_time: Some(local.time()),
            direction: dir,
            cost_incurred: Some(cents as f64 / 100.0),
            sms_info,
            delivery_status: Some(delivery.to_string()),
            is_deleted: chance(rng, 0.015),
            medium: Some(medium.as_str().to_string()),
        });
    }

    fn body(&mut self, templates: &[&str], who: &Contact<'_>) -> String {
        let t = pick(&mut self.rng, templates);
        fill(t, who, self.agent, &mut self.rng)
    }

    /// A reply delay: minutes to hours, median about 20 minutes.
    fn delay(&mut self) -> Duration {
        Duration::seconds(lognormal_secs(&mut self.rng, 1200.0, 1.3, 30, 8 * 3600))
    }

    fn day(&mut self, day: NaiveDate, per_day: f64) {
        let m = per_day * day_factor(day);
        let tz = self.agent.tz;
        // Conversations the agent starts: about half get a reply, some replies get an answer.
        for _ in 0..poisson(&mut self.rng, m * 0.5 / 1.7) {
            let t0 = to_utc(tz, sample_local(&mut self.rng, day), &mut self.rng);
            let who = contact(self.world, &mut self.rng, 0.1);
            let body = self.body(names::SMS_OUT, &who);
            self.push(t0, Direction::Outgoing, &who, Medium::OneToOne, body);
            if chance(&mut self.rng, 0.5) {
                let t1 = t0 + self.delay();
                let body = self.body(names::SMS_IN, &who);
                self.push(t1, Direction::Incoming, &who, Medium::OneToOne, body);
                if chance(&mut self.rng, 0.4) {
                    let t2 = t1 + self.delay();
                    let body = self.body(names::SMS_OUT, &who);
                    self.push(t2, Direction::Outgoing, &who, Medium::OneToOne, body);
                }
            }
        }
        // Customers who text first; most get an answer.
        for _ in 0..poisson(&mut self.rng, m * 0.15) {
            let t0 = to_utc(tz, sample_local(&mut self.rng, day), &mut self.rng);
            let who = contact(self.world, &mut self.rng, 0.3);
            let body = self.body(names::SMS_IN, &who);
            self.push(t0, Direction::Incoming, &who, Medium::OneToOne, body);
            if chance(&mut self.rng, 0.75) {
                let t1 = t0 + self.delay();
                let body = self.body(names::SMS_OUT, &who);
                self.push(t1, Direction::Outgoing, &who, Medium::OneToOne, body);
            }
        }
        // Automated sends in the morning; a few answers.
        for _ in 0..poisson(&mut self.rng, m * 0.1) {
            let local = day.and_hms_opt(8, 0, 0).expect("a time")
                + Duration::seconds(self.rng.random_range(0..7200));
            let t0 = to_utc(tz, local, &mut self.rng);
            let who = contact(self.world, &mut self.rng, 0.05);
            let body = self.body(names::SMS_AUTOMATION, &who);
            self.push(t0, Direction::Outgoing, &who, Medium::Automation, body);
            if chance(&mut self.rng, 0.2) {
                let t1 = t0 + self.delay();
                let body = self.body(names::SMS_IN, &who);
                self.push(t1, Direction::Incoming, &who, Medium::OneToOne, body);
            }
        }
        // Now and then a bulk campaign: one body to 10–20 customers, seconds apart.
        if !is_weekend(day) && chance(&mut self.rng, (m * 0.12 / 15.0).min(1.0)) {
            let mut t = to_utc(tz, sample_local(&mut self.rng, day), &mut self.rng);
            let body = pick(&mut self.rng, names::SMS_BULK).to_string();
            for _ in 0..self.rng.random_range(10..21) {
                let who = contact(self.world, &mut self.rng, 0.05);
                self.push(t, Direction::Outgoing, &who, Medium::Bulk, body.clone());
                if chance(&mut self.rng, 0.1) {
                    let t1 = t + self.delay();
                    let reply = self.body(names::SMS_IN, &who);
                    self.push(t1, Direction::Incoming, &who, Medium::OneToOne, reply);
                }
                t += Duration::seconds(self.rng.random_range(1..4));
            }
        }
    }
}

fn agent_texts(world: &World, a: usize, per_day: f64) -> Vec<Sms> {
    let agent = &world.agents[a];
    let mut gen = TextGen {
        world,
        agent,
        rng: rng_for(world.seed, stream::TEXTS, a as u64),
        out: Vec::new(),
    };
    for day in local_days(agent.tz, world.start, world.end) {
        gen.day(day, per_day);
    }
    let mut out = gen.out;
    out.sort_by_key(Sms::sent_at); // stable: replies land after what they answer
    out
}

/// Runs `f` for every agent index on a few threads; results are in agent order.
fn per_agent<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
        .min(n.max(1));
    let chunk = n.div_ceil(threads).max(1);
    let mut slots: Vec<Option<T>> = (0..n).map(|_| None).collect();
    std::thread::scope(|s| {
        for (c, part) in slots.chunks_mut(chunk).enumerate() {
            let f = &f;
            s.spawn(move || {
                for (j, slot) in part.iter_mut().enumerate() {
                    *slot = Some(f(c * chunk + j));
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|s| s.expect("every agent generated"))
        .collect()
}

/// Merges per-agent lists, each sorted by time, into one list sorted by (time, agent), stable.
///
/// Memory-frugal for millions of records: the lists are moved one by one into the result
/// (each freed as soon as it is moved), then the result is permuted in place by a sorted key
/// array, instead of holding the lists and a merged copy at once.
fn merge_by_time<T>(lists: Vec<Vec<T>>, at: impl Fn(&T) -> NaiveDateTime) -> Vec<T> {
    let total = lists.iter().map(Vec::len).sum();
    let mut all = Vec::with_capacity(total);
    let mut keys: Vec<(i64, u32, u32)> = Vec::with_capacity(total);
    for (agent, list) in lists.into_iter().enumerate() {
        for x in &list {
            let pos = u32::try_from(keys.len()).expect("fewer than 2^32 records");
            keys.push((at(x).and_utc().timestamp(), agent as u32, pos));
        }
        all.extend(list);
    }
    keys.sort_unstable(); // keys are unique: the order is fully determined
    let order: Vec<u32> = keys.into_iter().map(|(_, _, pos)| pos).collect();
    permute(&mut all, order);
    all
}

/// Reorders `v` in place so that `v[k]` becomes the old `v[order[k]]`, by following cycles.
fn permute<T>(v: &mut [T], mut order: Vec<u32>) {
    const DONE: u32 = u32::MAX;
    for start in 0..v.len() {
        if order[start] == DONE {
            continue;
        }
        let mut cur = start;
        loop {
            let src = order[cur] as usize;
            order[cur] = DONE;
            if src == start {
                break;
            }
            v.swap(cur, src);
            cur = src;
        }
    }
}

/// Next id after `id`: usually +1, sometimes a small gap (records deleted upstream).
fn next_id(rng: &mut StdRng, id: i64) -> i64 {
    id + if chance(rng, 0.04) {
        rng.random_range(2..5)
    } else {
        1
    }
}

fn choose_ids(seed: u64, which: u64, ids: &[i64], n: usize) -> Vec<i64> {
    let mut rng = rng_for(seed, stream::MALFORMED, which);
    let mut out: Vec<i64> = rand::seq::index::sample(&mut rng, ids.len(), n.min(ids.len()))
        .into_iter()
        .map(|i| ids[i])
        .collect();
    out.sort_unstable();
    out
}

/// Generates the world and the canonical data set of a configuration.
pub(crate) fn generate_world(config: &SimConfig) -> (World, Dataset) {
    let world = World::new(config);
    let n = world.agents.len();
    let per_agent_records = per_agent(n, |a| {
        (
            agent_calls(&world, a, config.calls_per_agent_day),
            agent_texts(&world, a, config.texts_per_agent_day),
        )
    });
    let (calls, texts): (Vec<_>, Vec<_>) = per_agent_records.into_iter().unzip();

    let mut calls = merge_by_time(calls, Call::started_at);
    let mut rng = rng_for(world.seed, stream::CALL_IDS, 0);
    let mut id = FIRST_CALL_ID;
    for c in &mut calls {
        finish_call(c, id, world.seed);
        id = next_id(&mut rng, id);
    }
    let mut texts = merge_by_time(texts, Sms::sent_at);
    let mut rng = rng_for(world.seed, stream::TEXT_IDS, 0);
    let mut id = FIRST_TEXT_ID;
    for t in &mut texts {
        t.id = id;
        id = next_id(&mut rng, id);
    }

    let call_ids: Vec<i64> = calls.iter().map(|c| c.id).collect();
    let text_ids: Vec<i64> = texts.iter().map(|t| t.id).collect();
    let data = Dataset {
        users: world.users.clone(),
        customers: world.customers.clone(),
        malformed_call_ids: choose_ids(world.seed, 0, &call_ids, config.malformed_calls),
        malformed_text_ids: choose_ids(world.seed, 1, &text_ids, config.malformed_texts),
        calls,
        texts,
    };
    (world, data)
}

/// Generates the canonical data set of a configuration, without serving it.
pub fn generate(config: &SimConfig) -> Dataset {
    generate_world(config).1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> SimConfig {
        SimConfig {
            agents: 8,
            days: 30,
            ..SimConfig::default()
        }
    }

    #[test]
    fn same_seed_same_data_other_seed_other_data() {
        let a = generate(&small());
        let b = generate(&small());
        assert_eq!(a.users, b.users);
        assert_eq!(a.calls, b.calls);
        assert_eq!(a.texts, b.texts);
        assert_eq!(a.customers, b.customers);
        let c = generate(&SimConfig { seed: 7, ..small() });
        assert_ne!(a.calls, c.calls);
    }

    #[test]
    fn ids_increase_with_time_and_records_lie_in_range() {
        let cfg = small();
        let d = generate(&cfg);
        for w in d.calls.windows(2) {
            assert!(w[0].id < w[1].id);
            assert!(w[0].started_at() <= w[1].started_at());
        }
        for w in d.texts.windows(2) {
            assert!(w[0].id < w[1].id);
            assert!(w[0].sent_at() <= w[1].sent_at());
        }
        assert_eq!(d.calls[0].id, FIRST_CALL_ID);
        assert_eq!(d.texts[0].id, FIRST_TEXT_ID);
        for c in &d.calls {
            assert!(c.started_at() >= cfg.start() && c.started_at() < cfg.end);
        }
        for t in &d.texts {
            assert!(t.sent_at() >= cfg.start() && t.sent_at() < cfg.end);
        }
    }

    #[test]
    fn volumes_follow_the_configured_means() {
        let cfg = small();
        let d = generate(&cfg);
        let agent_days = cfg.agents as f64 * f64::from(cfg.days);
        let calls = d.calls.len() as f64 / agent_days;
        let texts = d.texts.len() as f64 / agent_days;
        assert!((calls - 25.0).abs() < 2.5, "{calls} calls per agent-day");
        assert!((texts - 15.0).abs() < 3.0, "{texts} texts per agent-day");
    }

    #[test]
    fn durations_are_consistent_and_types_match_directions() {
        let cfg = SimConfig::default();
        let d = generate(&cfg);
        let mut in_progress = 0;
        for c in &d.calls {
            let x = &c.call_duration;
            let kind = c.call_info.call_type.as_deref().unwrap();
            assert_eq!(
                x.total_duration,
                x.conversation_time + x.hold_time,
                "call {}",
                c.id
            );
            assert_eq!(
                x.handle_time,
                x.total_duration + x.wrap_up_time,
                "call {}",
                c.id
            );
            match c.call_info.direction {
                Direction::Incoming => assert!(
                    [
                        "Answered",
                        "Missed",
                        "Voicemail",
                        "Abandoned before ringing",
                        IN_PROGRESS
                    ]
                    .contains(&kind),
                    "{kind}"
                ),
                Direction::Outgoing => {
                    assert!([
                        "Answered",
                        "Unanswered",
                        "Abandoned before ringing",
                        IN_PROGRESS
                    ]
                    .contains(&kind));
                    assert_eq!(x.queue_wait_time, 0);
                }
            }
            if kind != "Answered" {
                assert_eq!(x.conversation_time, 0, "call {}", c.id);
                assert_eq!(c.call_info.rating, None);
            }
            if kind == IN_PROGRESS {
                in_progress += 1;
                assert!(
                    cfg.end - c.started_at() <= Duration::hours(1),
                    "call {}",
                    c.id
                );
            }
            if kind == "Missed" {
                assert!(c.call_info.missed_call_reason.is_some());
            }
            if kind == "Voicemail" {
                assert!(c.call_info.recording.is_some());
            }
        }
        assert!(
            in_progress >= 1,
            "a handful of calls are still in progress at the end"
        );
        assert!(in_progress <= 20, "{in_progress} in progress");
    }

    #[test]
    fn user_local_time_is_the_agent_zone_of_the_utc_time() {
        let d = generate(&SimConfig::default());
        let zones: std::collections::HashMap<i64, Tz> = d
            .users
            .iter()
            .map(|u| (u.id, u.timezone.as_deref().unwrap().parse().unwrap()))
            .collect();
        for c in d.calls.iter().step_by(7) {
            let tz = zones[&c.agent_id.unwrap()];
            let local = tz.from_utc_datetime(&c.started_at()).naive_local();
            assert_eq!(Some(local.date()), c.call_user_date);
            assert_eq!(Some(local.time()), c.call_user_time);
        }
        for t in d.texts.iter().step_by(7) {
            let tz = zones[&t.agent_id.unwrap()];
            let local = tz.from_utc_datetime(&t.sent_at()).naive_local();
            assert_eq!(Some(local.date()), t.sms_user_date);
        }
    }

    #[test]
    fn the_data_set_has_the_advertised_variety() {
        let d = generate(&SimConfig::default());
        let emails: Vec<&str> = d.users.iter().filter_map(|u| u.email.as_deref()).collect();
        assert!(emails.contains(&"Maria.Garcia@Kanva.com"));
        assert!(emails.iter().filter(|e| **e == e.to_lowercase()).count() == emails.len() - 1);
        let zones: HashSet<&str> = d
            .users
            .iter()
            .filter_map(|u| u.timezone.as_deref())
            .collect();
        assert_eq!(zones.len(), 8);

        // Late-evening calls of US agents land on the next UTC day.
        let ny = d
            .users
            .iter()
            .find(|u| u.timezone.as_deref() == Some("America/New_York"))
            .unwrap()
            .id;
        assert!(d.calls.iter().any(|c| c.agent_id == Some(ny)
            && c.call_user_time.unwrap().hour() >= 22
            && c.call_date > c.call_user_date.unwrap()));
        // Calls on both sides of the US DST change (2026-11-01).
        let dst = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        assert!(d.calls.iter().any(|c| c.call_date == dst));
        // Offsets before and after: EDT (-4 h) in October, EST (-5 h) after Nov 1.
        let offset = |c: &Call| {
            (c.call_user_date
                .unwrap()
                .and_time(c.call_user_time.unwrap())
                - c.started_at())
            .num_hours()
        };
        let ny_calls: Vec<&Call> = d.calls.iter().filter(|c| c.agent_id == Some(ny)).collect();
        assert!(ny_calls.iter().any(|c| offset(c) == -4));
        assert!(ny_calls.iter().any(|c| offset(c) == -5));

        let media: HashSet<&str> = d.texts.iter().filter_map(|t| t.medium.as_deref()).collect();
        for m in ["One-To-One via App", "Bulk SMS", "Workflow Automation"] {
            assert!(media.contains(m), "{m}");
        }
        assert!(d.texts.iter().any(|t| t.is_deleted));
        assert!(d.texts.iter().any(|t| t.sms_info.is_mms));
        assert!(d.texts.iter().any(|t| t.direction == Direction::Incoming));
        let statuses: HashSet<&str> = d
            .texts
            .iter()
            .filter_map(|t| t.delivery_status.as_deref())
            .collect();
        for s in ["Delivered", "sent", "failed"] {
            assert!(statuses.contains(s), "{s}");
        }
        let formats = |pred: fn(&str) -> bool| {
            d.calls
                .iter()
                .filter_map(|c| c.contact_number.as_deref())
                .any(pred)
        };
        assert!(formats(|n| n.starts_with('(')));
        assert!(formats(|n| n.len() == 12 && n.as_bytes()[3] == b'-'));
        assert!(formats(|n| n.starts_with("+1")));
        assert!(formats(|n| n.len() == 11 && n.starts_with('1')));
        assert!(d
            .customers
            .iter()
            .any(|c| c.company.as_deref().is_some_and(|n| n.contains(" | "))));
        assert!(d
            .customers
            .iter()
            .any(|c| c.company.as_deref().is_some_and(|n| n == n.to_uppercase())));
    }

    #[test]
    fn canonical_values_are_normalised() {
        let d = generate(&small());
        let empty = |s: &Option<String>| s.as_deref() == Some("");
        for c in &d.calls {
            for f in [
                &c.contact_name,
                &c.contact_email,
                &c.call_info.notes,
                &c.call_info.disposition,
            ] {
                assert!(!empty(f));
            }
            assert_eq!(c.call_time.nanosecond(), 0);
        }
    }

    #[test]
    fn malformed_choice_is_deterministic() {
        let cfg = SimConfig {
            malformed_calls: 3,
            malformed_texts: 2,
            ..small()
        };
        let a = generate(&cfg);
        let b = generate(&cfg);
        assert_eq!(a.malformed_call_ids.len(), 3);
        assert_eq!(a.malformed_text_ids.len(), 2);
        assert_eq!(a.malformed_call_ids, b.malformed_call_ids);
        assert_eq!(a.malformed_text_ids, b.malformed_text_ids);
    }

    #[test]
    fn merging_is_a_stable_sort_by_time_then_agent() {
        let t = |s: i64| chrono::DateTime::from_timestamp(s, 0).unwrap().naive_utc();
        let lists = vec![
            vec![(1, 'a'), (1, 'b'), (5, 'c')],
            vec![(0, 'd'), (1, 'e'), (9, 'f')],
            vec![],
            vec![(5, 'g')],
        ];
        let merged = merge_by_time(lists, |x| t(x.0));
        let letters: String = merged.iter().map(|x| x.1).collect();
        assert_eq!(letters, "dabecgf");
        let mut v: Vec<char> = "abcde".chars().collect();
        permute(&mut v, vec![4, 0, 3, 1, 2]);
        assert_eq!(v.into_iter().collect::<String>(), "eadbc");
    }

    #[test]
    fn poisson_mean() {
        let mut rng = rng_for(1, 2, 3);
        for mean in [0.5, 4.0, 25.0, 222.0] {
            let n = 4000;
            let s: usize = (0..n).map(|_| poisson(&mut rng, mean)).sum();
            let m = s as f64 / n as f64;
            assert!(
                (m - mean).abs() < mean.sqrt() * 0.15 + 0.05,
                "{m} vs {mean}"
            );
        }
    }
}
