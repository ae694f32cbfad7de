//! CRM customers end to end: the real binary imports Copper and Fishbowl exports into a real
//! DuckDB file; contacts synced from the real simulator link to the customer each call was drawn
//! from; the account views on a small hand-checked fixture; ambiguity; re-imports that change
//! links only where the data changed; errors users see.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::Output;

use callduck::simulator::crm::{copper_people_csv, fishbowl_orders_csv};
use callduck::store::load::parse_record;
use callduck::store::Store;
use callduck_metrics::{Call, Sms, User};
use chrono::NaiveDateTime;
use common::*;

fn run(db: &Path, args: &[&str]) -> Output {
    callduck(db).args(args).output().expect("callduck runs")
}

fn ok(db: &Path, args: &[&str]) -> String {
    let out = run(db, args);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "callduck {args:?} failed: {text}");
    text
}

/// `callduck import customers FILE --kind KIND`, which must succeed; its output.
fn import(db: &Path, file: &Path, kind: &str) -> String {
    ok(
        db,
        &[
            "import",
            "customers",
            file.to_str().unwrap(),
            "--kind",
            kind,
        ],
    )
}

fn failing(db: &Path, args: &[&str]) -> String {
    let out = run(db, args);
    assert!(!out.status.success(), "callduck {args:?} should fail");
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// contact_id → (customer_id, method, is_ambiguous, linked_at).
type Links = BTreeMap<String, (String, String, bool, NaiveDateTime)>;

fn links(db: &Path) -> Links {
    let store = Store::open_read_only(db).unwrap();
    let mut stmt = store
        .conn()
        .prepare("SELECT contact_id, customer_id, match_method, is_ambiguous, linked_at FROM crm_contact_links")
        .unwrap();
    stmt.query_map([], |r| {
        Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn data_tests_pass(db: &Path) {
    let store = Store::open_read_only(db).unwrap();
    let failures = store.run_data_tests().unwrap();
    assert!(failures.is_empty(), "data tests failed: {failures:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn synced_contacts_link_to_the_customer_each_record_was_drawn_from() {
    let config = small_config();
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    sync(&sim, &config, &db, &options(&config)).await.unwrap();
    let data = sim.dataset();

    let people = dir.path().join("people.csv");
    std::fs::write(&people, copper_people_csv(&data.customers, config.seed)).unwrap();
    let out = import(&db, &people, "copper-people");
    assert!(
        out.contains(&format!("{} loaded, 0 rejected", data.customers.len())),
        "{out}"
    );

    // Truth: the customer whose number a record shows (numbers are unique per customer),
    // compared by digits with a US 1 added to 10-digit numbers, independently of the engine.
    let digits = |n: &str| {
        let d: String = n.chars().filter(char::is_ascii_digit).collect();
        if d.len() == 10 {
            format!("1{d}")
        } else {
            d
        }
    };
    let owner: HashMap<String, i64> = data
        .customers
        .iter()
        .flat_map(|c| c.phones.iter().map(move |p| (digits(p), c.id)))
        .collect();
    let store = Store::open_read_only(&db).unwrap();
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT c.contact_number, a.customer_id
             FROM raw_justcall__calls AS c
             LEFT JOIN fct_customer_activity AS a ON a.activity_kind = 'call' AND a.activity_id = c.call_id
             UNION ALL
             SELECT t.contact_number, a.customer_id
             FROM raw_justcall__texts AS t
             LEFT JOIN fct_customer_activity AS a ON a.activity_kind = 'sms' AND a.activity_id = t.sms_id",
        )
        .unwrap();
    let rows: Vec<(Option<String>, Option<String>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let (mut linked, mut correct, mut with_truth) = (0, 0, 0);
    for (number, customer) in &rows {
        let truth = number.as_deref().and_then(|n| owner.get(&digits(n)));
        with_truth += usize::from(truth.is_some());
        if let Some(customer) = customer {
            linked += 1;
            if truth.is_some_and(|t| *customer == format!("copper-people:{t}")) {
                correct += 1;
            } else {
                panic!("{number:?} linked to {customer}, drawn from {truth:?}");
            }
        }
    }
    assert_eq!(
        with_truth,
        rows.len(),
        "every simulated record comes from a customer"
    );
    assert_eq!(
        correct, linked,
        "every link is to the customer the record came from"
    );
    // Numbers libphonenumber rejects (the UK's drama range) fall back to email and name, where
    // customers sharing a name stay ambiguous: nearly, not quite, every record links.
    assert!(
        linked * 100 >= with_truth * 97,
        "{linked} of {with_truth} records linked"
    );
    drop(stmt);
    drop(store);
    data_tests_pass(&db);

    // A second sync with nothing new leaves every link as it was.
    let before = links(&db);
    let summary = sync(&sim, &config, &db, &options(&config)).await.unwrap();
    let l = summary
        .links
        .expect("customers are imported, so the sync refreshes links");
    assert_eq!((l.new, l.changed, l.removed), (0, 0, 0));
    assert_eq!(links(&db), before);

    // Orders tied by email: the orders report sees them.
    let orders = dir.path().join("orders.csv");
    std::fs::write(
        &orders,
        fishbowl_orders_csv(
            &data.customers,
            config.seed,
            config.start().date(),
            config.end.date(),
        ),
    )
    .unwrap();
    let out = import(&db, &orders, "fishbowl-orders");
    assert!(out.contains("0 rejected"), "{out}");
    let store = Store::open_read_only(&db).unwrap();
    let (orders_n, attributed): (i64, i64) = store
        .conn()
        .query_row(
            "SELECT count(*), count(account_id) FROM stg_crm__orders",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(orders_n > 50);
    // An order belongs to an account when all customers with its emails are in that account
    // (customers with the same name at the same free-mail domain share an address).
    let account = |c: &callduck::simulator::Customer| match &c.company {
        Some(name) => format!("company:{}", callduck_metrics::fuzzy::normalize_name(name)),
        None => c.id.to_string(),
    };
    let mut accounts_of_email: HashMap<&str, std::collections::BTreeSet<String>> = HashMap::new();
    for c in &data.customers {
        for e in &c.emails {
            accounts_of_email
                .entry(e.as_str())
                .or_default()
                .insert(account(c));
        }
    }
    let csv_text = std::fs::read_to_string(&orders).unwrap();
    let mut expected = 0;
    for line in csv::Reader::from_reader(csv_text.as_bytes()).records() {
        let line = line.unwrap();
        let mut accounts = std::collections::BTreeSet::new();
        for e in line[4].split(", ") {
            accounts.extend(accounts_of_email[e].iter().cloned());
        }
        expected += i64::from(accounts.len() == 1);
    }
    assert!(expected * 10 > orders_n * 9, "{expected} of {orders_n}");
    assert_eq!(attributed, expected, "orders attributed to an account");
    drop(store);
    let out = ok(
        &db,
        &[
            "report",
            "orders-after-calls",
            "--format",
            "csv",
            "--from",
            &config.start().date().to_string(),
        ],
    );
    assert!(out.starts_with("is_called,accounts,"), "{out}");
    data_tests_pass(&db);
}

fn user_json(id: i64, email: &str, tz: &str) -> String {
    format!(r#"{{"id":{id},"name":"Agent {id}","email":"{email}","timezone":"{tz}"}}"#)
}

#[allow(clippy::too_many_arguments)]
fn call_json(
    id: i64,
    agent: i64,
    utc: &str,
    direction: &str,
    call_type: &str,
    seconds: i64,
    number: &str,
    name: Option<&str>,
    email: Option<&str>,
) -> String {
    let (date, time) = utc.split_once(' ').unwrap();
    let opt = |v: Option<&str>| v.map_or("null".to_string(), |s| format!("{s:?}"));
    format!(
        r#"{{"id":{id},"agent_id":{agent},"call_date":"{date}","call_time":"{time}",
            "contact_number":"{number}","contact_name":{},"contact_email":{},
            "call_info":{{"direction":"{direction}","type":"{call_type}"}},
            "call_duration":{{"conversation_time":{seconds},"total_duration":{seconds},"handle_time":{seconds}}}}}"#,
        opt(name),
        opt(email)
    )
}

fn sms_json(id: i64, agent: i64, utc: &str, direction: &str, number: &str) -> String {
    let (date, time) = utc.split_once(' ').unwrap();
    format!(
        r#"{{"id":{id},"agent_id":{agent},"sms_date":"{date}","sms_time":"{time}","direction":"{direction}",
            "contact_number":"{number}","sms_info":{{"body":"hello"}},"is_deleted":false}}"#
    )
}

const PEOPLE: &str = "Copper ID,Name,Company,Email,Phone Number,Phone Number 2
1,MARIA GARCIA,Green Leaf LLC,maria@greenleaf.com,347-469-9543,
2,Tom Cole,Green Leaf LLC,,(212) 736-0100,
3,Lena Park,\"Green Leaf, LLC\",,(212) 736-0100,
4,Raj Patel,Blue Bay Inc,raj@bluebay.com,2019449536,
5,Zed Quinn,,zed@quinn.net,,
6,Ivy Stone,Acme Roofing,,,
";

const ORDERS: &str = "num,customerId,dateIssued,totalPrice,email
SO-1,,2026-11-20,\"$1,000.00\",maria@greenleaf.com
SO-2,,2026-12-15,500,maria@greenleaf.com
SO-3,,2026-11-12,250,RAJ@bluebay.com
SO-4,,2026-11-15,75,zed@quinn.net
";

/// A small team and CRM whose every number below was worked out by hand.
fn fixture(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("fixture.duckdb");
    let store = Store::open(&db).unwrap();
    let users: Vec<_> = [
        user_json(1, "Ann@Kanva.com", "America/New_York"),
        user_json(2, "bo@kanva.com", "America/Los_Angeles"),
    ]
    .iter()
    .map(|j| parse_record::<User>(j).unwrap())
    .collect();
    store.write_batch(&users, &[], None).unwrap();
    let calls: Vec<_> = [
        // Maria by phone: 10:00 and 23:30 New York time on Mon Nov 2 (the second is Nov 3 UTC).
        call_json(
            1,
            1,
            "2026-11-02 15:00:00",
            "Incoming",
            "Answered",
            120,
            "+13474699543",
            Some("Maria Garcia"),
            None,
        ),
        call_json(
            2,
            1,
            "2026-11-03 04:30:00",
            "Incoming",
            "Missed",
            0,
            "3474699543",
            None,
            None,
        ),
        // Green Leaf's main line, shared by Tom and Lena: the name settles it, or nothing does.
        call_json(
            3,
            2,
            "2026-11-04 18:00:00",
            "Incoming",
            "Answered",
            300,
            "212-736-0100",
            Some("Tom Cole"),
            None,
        ),
        call_json(
            4,
            2,
            "2026-11-05 18:00:00",
            "Incoming",
            "Answered",
            200,
            "212-736-0100",
            None,
            None,
        ),
        // Raj from a number the CRM does not know, by email.
        call_json(
            5,
            1,
            "2026-11-10 14:00:00",
            "Outgoing",
            "Answered",
            60,
            "+16467770199",
            Some("raj patel"),
            Some(" RAJ@BLUEBAY.COM"),
        ),
        // Nobody the CRM knows.
        call_json(
            6,
            1,
            "2026-11-10 15:00:00",
            "Outgoing",
            "Unanswered",
            0,
            "+16467770123",
            Some("Nobody Known"),
            None,
        ),
    ]
    .iter()
    .map(|j| parse_record::<Call>(j).unwrap())
    .collect();
    store.write_batch(&calls, &[], None).unwrap();
    let texts: Vec<_> = [
        sms_json(1, 1, "2026-11-02 16:00:00", "Outgoing", "347-469-9543"),
        sms_json(2, 1, "2026-11-02 16:30:00", "Incoming", "347 469 9543"),
    ]
    .iter()
    .map(|j| parse_record::<Sms>(j).unwrap())
    .collect();
    store.write_batch(&texts, &[], None).unwrap();
    drop(store);
    std::fs::write(dir.join("people.csv"), PEOPLE).unwrap();
    std::fs::write(dir.join("orders.csv"), ORDERS).unwrap();
    let people = dir.join("people.csv");
    let orders = dir.join("orders.csv");
    import(&db, &people, "copper-people");
    import(&db, &orders, "fishbowl-orders");
    db
}

fn csv_report(db: &Path, args: &[&str]) -> Vec<Vec<String>> {
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    all.extend_from_slice(&[
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--format",
        "csv",
    ]);
    let out = ok(db, &all);
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = vec![header];
    for r in reader.records() {
        rows.push(r.unwrap().iter().map(str::to_string).collect());
    }
    rows
}

/// The named columns of each row.
fn pick(rows: &[Vec<String>], columns: &[&str]) -> Vec<Vec<String>> {
    let idx: Vec<usize> = columns
        .iter()
        .map(|c| {
            rows[0]
                .iter()
                .position(|h| h == c)
                .unwrap_or_else(|| panic!("no column {c} in {:?}", rows[0]))
        })
        .collect();
    rows[1..]
        .iter()
        .map(|r| idx.iter().map(|&i| r[i].clone()).collect())
        .collect()
}

fn strings(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect()
}

#[test]
fn account_views_on_a_hand_checked_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture(dir.path());
    data_tests_pass(&db);

    let matches = pick(
        &csv_report(&db, &["contact-matches"]),
        &[
            "contact_number",
            "match_status",
            "match_method",
            "customer_id",
            "runner_up_customer_id",
        ],
    );
    let mut matches: Vec<Vec<String>> = matches;
    matches.sort();
    assert_eq!(
        matches,
        strings(&[
            &["+13474699543", "linked", "phone", "copper-people:1", ""],
            &["+16467770123", "unmatched", "", "", ""],
            &["+16467770199", "linked", "email", "copper-people:4", ""],
            &[
                "212-736-0100",
                "ambiguous",
                "phone+name",
                "copper-people:2",
                "copper-people:3"
            ],
            &[
                "212-736-0100",
                "linked",
                "phone+name",
                "copper-people:2",
                "copper-people:3"
            ],
            &["347 469 9543", "linked", "phone", "copper-people:1", ""],
            &["347-469-9543", "linked", "phone", "copper-people:1", ""],
            &["3474699543", "linked", "phone", "copper-people:1", ""],
        ])
    );

    assert_eq!(
        pick(
            &csv_report(&db, &["customers"]),
            &[
                "customer_id",
                "account_id",
                "touches",
                "calls",
                "inbound_calls",
                "outbound_calls",
                "answered_calls",
                "sms_sent",
                "sms_received",
                "talk_time_minutes",
                "agents"
            ],
        ),
        strings(&[
            &[
                "copper-people:1",
                "company:green leaf",
                "4",
                "2",
                "2",
                "0",
                "1",
                "1",
                "1",
                "2.0",
                "1"
            ],
            &[
                "copper-people:2",
                "company:green leaf",
                "1",
                "1",
                "1",
                "0",
                "1",
                "0",
                "0",
                "5.0",
                "1"
            ],
            &[
                "copper-people:4",
                "company:blue bay",
                "1",
                "1",
                "0",
                "1",
                "1",
                "0",
                "0",
                "1.0",
                "1"
            ],
        ])
    );

    // Six Monday weeks touch Nov 1-30 (Oct 26 to Nov 30).
    assert_eq!(
        pick(
            &csv_report(&db, &["accounts"]),
            &[
                "account_id",
                "account_name",
                "customers_contacted",
                "calls",
                "answered_calls",
                "sms_sent",
                "sms_received",
                "talk_time_minutes",
                "weeks_contacted",
                "calls_per_week"
            ],
        ),
        strings(&[
            &[
                "company:green leaf",
                "Green Leaf LLC",
                "2",
                "3",
                "2",
                "1",
                "1",
                "7.0",
                "1",
                "0.5"
            ],
            &[
                "company:blue bay",
                "Blue Bay Inc",
                "1",
                "1",
                "1",
                "0",
                "0",
                "1.0",
                "1",
                "0.16666666666666666"
            ],
        ])
    );

    assert_eq!(
        pick(
            &csv_report(&db, &["top-customers", "--top", "1"]),
            &["agent_email", "customer_rank", "customer_id", "touches"],
        ),
        strings(&[
            &["ann@kanva.com", "1", "copper-people:1", "4"],
            &["bo@kanva.com", "1", "copper-people:2", "1"],
        ])
    );

    let store = Store::open_read_only(&db).unwrap();
    type WeekRow = (String, String, i64, i64, i64, i64, f64, i64, i64);
    let weekly: Vec<WeekRow> = store
        .conn()
        .prepare("SELECT account_id, CAST(week_start AS VARCHAR), calls, answered_calls, sms_sent, sms_received, talk_time_minutes, customers_contacted, agents FROM fct_account_weekly ORDER BY 1, 2")
        .unwrap()
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        weekly,
        vec![
            (
                "company:blue bay".into(),
                "2026-11-09".into(),
                1,
                1,
                0,
                0,
                1.0,
                1,
                1
            ),
            (
                "company:green leaf".into(),
                "2026-11-02".into(),
                3,
                2,
                1,
                1,
                7.0,
                2,
                2
            ),
        ]
    );
    // Every account with its last touch (an ambiguous call never counts): days since are
    // counted to today's UTC date.
    type LastRow = (
        String,
        i64,
        i64,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<i64>,
    );
    let last: Vec<LastRow> = store
        .conn()
        .prepare(
            "SELECT account_id, customers, touches, CAST(last_call_at AS VARCHAR), CAST(last_sms_at AS VARCHAR),
                    last_agent_email, days_since_contact
             FROM rpt_account_last_contact ORDER BY account_id",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let today = chrono::Utc::now().date_naive();
    let days_to = |d: &str| {
        Some((today - chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()).num_days())
    };
    let s = |v: &str| Some(v.to_string());
    assert_eq!(
        last,
        vec![
            ("company:acme roofing".into(), 1, 0, None, None, None, None),
            (
                "company:blue bay".into(),
                1,
                1,
                s("2026-11-10 14:00:00"),
                None,
                s("ann@kanva.com"),
                days_to("2026-11-10")
            ),
            (
                "company:green leaf".into(),
                3,
                5,
                s("2026-11-04 18:00:00"),
                s("2026-11-02 16:30:00"),
                s("bo@kanva.com"),
                days_to("2026-11-04")
            ),
            ("copper-people:5".into(), 1, 0, None, None, None, None),
        ]
    );
    drop(store);

    // As of Nov 10, not contacted in 5 days: Green Leaf (last Nov 4), and the never-contacted.
    let stale = ok(
        &db,
        &[
            "report",
            "stale-accounts",
            "--days",
            "5",
            "--to",
            "2026-11-10",
            "--format",
            "csv",
        ],
    );
    let rows: Vec<&str> = stale.lines().collect();
    assert_eq!(
        rows[0],
        "account_id,account_name,customers,last_contact_date,last_agent_email,days_since_contact"
    );
    assert_eq!(
        &rows[1..],
        [
            "company:green leaf,Green Leaf LLC,3,2026-11-04,bo@kanva.com,6",
            "company:acme roofing,Acme Roofing,1,,,",
            "copper-people:5,Zed Quinn,1,,,",
        ]
    );

    // Called: Green Leaf (SO-1 within 30 days of Nov 2; SO-2 is 41 days after Nov 4) and Blue
    // Bay (SO-3). Not called: Zed (SO-4) and Acme (nothing).
    assert_eq!(
        csv_report(&db, &["orders-after-calls"]),
        strings(&[
            &[
                "is_called",
                "accounts",
                "accounts_with_orders",
                "orders",
                "revenue",
                "orders_per_account",
                "revenue_per_account",
                "ordering_rate"
            ],
            &["true", "2", "2", "2", "1250.0", "1.0", "625.0", "1.0"],
            &["false", "2", "1", "1", "75.0", "0.5", "37.5", "0.5"],
        ])
    );

    // The table format prints too, and says which range it covers.
    let table = ok(
        &db,
        &[
            "report",
            "accounts",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
        ],
    );
    assert!(
        table.contains("Green Leaf LLC") && table.contains("2026-11-01"),
        "{table}"
    );
}

#[test]
fn reimports_change_links_only_where_the_data_changed() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture(dir.path());
    let people = dir.path().join("people.csv");
    let before = links(&db);

    // The same export again: nothing changes, not even linked_at.
    let out = import(&db, &people, "copper-people");
    assert!(out.contains("0 new, 0 changed, 0 removed"), "{out}");
    assert_eq!(links(&db), before);

    // Lena leaves: Green Leaf's line is Tom's alone. The nameless call links to him by phone, the
    // named one changes method; nothing else changes.
    let edited: String = PEOPLE
        .lines()
        .filter(|l| !l.starts_with("3,"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&people, edited).unwrap();
    let out = import(&db, &people, "copper-people");
    assert!(out.contains("0 new, 2 changed, 0 removed"), "{out}");
    let after = links(&db);
    let changed: Vec<&String> = after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(v))
        .map(|(k, _)| k)
        .collect();
    assert_eq!(changed.len(), 2);
    for k in &changed {
        let (customer, method, ambiguous, _) = &after[*k];
        assert_eq!(
            (customer.as_str(), method.as_str(), *ambiguous),
            ("copper-people:2", "phone", false)
        );
        assert!(before[*k].1 == "phone+name");
    }
    assert_eq!(after.len(), before.len());
    data_tests_pass(&db);
}

#[test]
fn bad_rows_are_reported_with_line_numbers_and_good_rows_load() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crm.duckdb");
    let file = dir.path().join("people.csv");
    std::fs::write(
        &file,
        "Copper ID,Name,Email,Phone Number\n\
         1,Ann Lee,ann@x.com,2019449536\n\
         2,Bad,Row,Has,Too Many\n\
         ,No Id,noid@x.com,\n\
         3,Bo Diaz,,garbage-phone\n",
    )
    .unwrap();
    let out = import(&db, &file, "copper-people");
    assert!(
        out.contains("4 record(s) read, 2 loaded, 2 rejected"),
        "{out}"
    );
    assert!(
        out.contains("rejected line 3: 5 fields where the header has 4"),
        "{out}"
    );
    assert!(out.contains("rejected line 4: no id"), "{out}");
    assert!(out.contains("phones: 2 (1 not valid numbers"), "{out}");
    let store = Store::open_read_only(&db).unwrap();
    let rejects: Vec<(i64, String)> = store
        .conn()
        .prepare("SELECT source_line, raw_record FROM crm_import_rejects ORDER BY 1")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rejects[0], (3, "2,Bad,Row,Has,Too Many".to_string()));
    assert_eq!(rejects[1].0, 4);
    assert!(rejects[1].1.contains("noid@x.com"));
}

#[test]
fn errors_say_what_to_fix() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crm.duckdb");
    let missing = dir.path().join("nope.csv");
    let err = failing(
        &db,
        &[
            "import",
            "customers",
            missing.to_str().unwrap(),
            "--kind",
            "copper-people",
        ],
    );
    assert!(
        err.contains("nope.csv") && err.contains("No such file"),
        "{err}"
    );

    let no_id = dir.path().join("no-id.csv");
    std::fs::write(&no_id, "Full Name,Phone\nAnn,2019449536\n").unwrap();
    let err = failing(
        &db,
        &[
            "import",
            "customers",
            no_id.to_str().unwrap(),
            "--kind",
            "copper-people",
        ],
    );
    assert!(
        err.contains("no id column") && err.contains("copperid"),
        "{err}"
    );

    let err = failing(&db, &["import", "customers", "--kind", "copper-people"]);
    assert!(err.contains("FILE") || err.contains("<FILE>"), "{err}");

    // Nothing imported yet: the matcher and the customer reports say so instead of printing nothing.
    Store::open(&db).unwrap();
    let err = failing(&db, &["match"]);
    assert!(
        err.contains("no CRM customers") && err.contains("import customers"),
        "{err}"
    );
    let err = failing(
        &db,
        &[
            "report",
            "customers",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
        ],
    );
    assert!(err.contains("no CRM customers"), "{err}");

    let err = failing(&db, &["settings", "set", "phone_region", "Narnia"]);
    assert!(err.contains("ISO 3166"), "{err}");
    let err = failing(&db, &["settings", "set", "match_name_threshold", "2"]);
    assert!(err.contains("between 0.5 and 1"), "{err}");
}

#[test]
fn a_stricter_setting_relinks_and_ties_stay_ambiguous() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture(dir.path());
    // With a margin no name can clear, Tom's named call on the shared line becomes ambiguous too.
    let out = ok(&db, &["settings", "set", "match_ambiguity_margin", "0.9"]);
    assert!(out.contains("1 changed"), "{out}");
    let store = Store::open_read_only(&db).unwrap();
    let ambiguous: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM crm_contact_links WHERE is_ambiguous",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(ambiguous, 2);
    drop(store);
    data_tests_pass(&db);
}

#[test]
fn an_empty_export_is_refused_and_changes_nothing_unless_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture(dir.path());
    let before = links(&db);
    assert!(!before.is_empty());
    let empty = dir.path().join("empty.csv");
    let header = PEOPLE.lines().next().unwrap();
    // A file without even a header is refused by the reader, one with a header only by the
    // import: either way nothing changes.
    for (content, says) in [
        (String::new(), "must be a header"),
        (format!("{header}\n"), "holds no usable record"),
    ] {
        std::fs::write(&empty, content).unwrap();
        let err = failing(
            &db,
            &[
                "import",
                "customers",
                empty.to_str().unwrap(),
                "--kind",
                "copper-people",
            ],
        );
        assert!(err.contains(says), "{err}");
        assert_eq!(links(&db), before, "nothing changed");
    }
    let err = failing(
        &db,
        &[
            "import",
            "customers",
            empty.to_str().unwrap(),
            "--kind",
            "copper-people",
        ],
    );
    assert!(err.contains("--allow-shrink"), "{err}");
    let out = ok(
        &db,
        &[
            "import",
            "customers",
            empty.to_str().unwrap(),
            "--kind",
            "copper-people",
            "--allow-shrink",
        ],
    );
    assert!(out.contains("0 new"), "{out}");
    let store = Store::open_read_only(&db).unwrap();
    let n: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM crm_customers WHERE import_kind = 'copper-people'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 0, "emptied on purpose");
}
