//! Tests of reading CRM exports: real column names, delimiters, nesting, rejects with lines.

use super::*;

fn parse(kind: ImportKind, name: &str, text: &str) -> ParsedImport {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    read_file(&path, kind).unwrap()
}

fn customers(p: &ParsedImport) -> &[CustomerRecord] {
    match &p.records {
        Records::Customers(c) => c,
        Records::Orders(_) => panic!("orders"),
    }
}

#[test]
fn copper_csv_with_real_column_names() {
    let p = parse(
        ImportKind::CopperPeople,
        "people.csv",
        "Copper ID,First Name,Last Name,Company,Email,Work Email,Phone Number,Phone Number 2\n\
         101,MARIA,GARCIA,Green Leaf LLC,maria@greenleaf.com,\"M.Garcia@GreenLeaf.com, mg@x.com\",347-469-9543,(657) 626-4396\n\
         102,,,,,,,\n\
         ,Bob,Smith,,bob@x.com,,,\n\
         103,Too,Many,Fields,a,b,c,d,e\n\
         101,Dup,Licate,,,,2019449536,\n\
         104,Ann,Lee,,,,,\n",
    );
    let c = customers(&p);
    assert_eq!(c.len(), 2, "{:?}", p.rejects);
    assert_eq!(c[0].source_id, "101");
    assert_eq!(c[0].name.as_deref(), Some("MARIA GARCIA"));
    assert_eq!(c[0].company.as_deref(), Some("Green Leaf LLC"));
    assert_eq!(c[0].phones, ["347-469-9543", "(657) 626-4396"]);
    assert_eq!(
        c[0].emails,
        ["maria@greenleaf.com", "M.Garcia@GreenLeaf.com, mg@x.com"]
    );
    assert_eq!(c[0].line, 2);
    assert_eq!(c[1].source_id, "104");
    let lines: Vec<(u64, &str)> = p
        .rejects
        .iter()
        .map(|r| (r.line, r.reason.as_str()))
        .collect();
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert_eq!(lines[0].0, 3);
    assert!(lines[0].1.contains("nothing to match on"));
    assert_eq!(lines[1].0, 4);
    assert!(lines[1].1.contains("no id"));
    assert_eq!(lines[2].0, 5);
    assert!(lines[2].1.contains("9 fields where the header has 8"));
    assert_eq!(lines[3].0, 6);
    assert!(lines[3].1.contains("duplicate id 101 (first on line 2)"));
    assert_eq!(p.rows_read, 6);
    assert!(p.rejects[2].raw.contains("Too,Many"));
}

#[test]
fn json_arrays_keyed_objects_and_ndjson() {
    let p = parse(
        ImportKind::FishbowlCustomers,
        "c.json",
        "[\n  {\"id\": 7, \"accountId\": 70, \"name\": \"BTG Distro | TCC LLC\", \"customerContact\": \"Tom Cole\"},\n  42,\n  {\"id\": \"8\", \"name\": \"Acme\"}\n]",
    );
    let c = customers(&p);
    assert_eq!(c.len(), 2);
    assert_eq!(c[0].source_id, "7");
    assert_eq!(c[0].account_id.as_deref(), Some("70"));
    assert_eq!(c[0].contact_person.as_deref(), Some("Tom Cole"));
    assert_eq!(c[0].line, 2);
    assert_eq!(p.rejects.len(), 1);
    assert_eq!(p.rejects[0].line, 3);

    let p = parse(
        ImportKind::CopperPeople,
        "p.json",
        r#"{"p1": {"name": "Ann Lee", "phone_numbers": [{"number": "2019449536", "category": "work"}],
                    "emails": [{"email": "ann@x.com", "category": "work"}]}}"#,
    );
    let c = customers(&p);
    assert_eq!(c[0].source_id, "p1");
    assert_eq!(c[0].phones, ["2019449536"]);
    assert_eq!(c[0].emails, ["ann@x.com"]);

    let p = parse(
        ImportKind::Generic,
        "g.ndjson",
        "{\"id\": 1, \"name\": \"A\"}\n{broken\n\n{\"id\": 2, \"name\": \"B\"}\n",
    );
    assert_eq!(customers(&p).len(), 2);
    assert_eq!(p.rejects[0].line, 2);
    assert!(p.rejects[0].reason.starts_with("malformed JSON"));
}

#[test]
fn orders_need_a_date_an_amount_and_a_customer() {
    let p = parse(
        ImportKind::FishbowlOrders,
        "orders.csv",
        "num,customerId,dateIssued,totalPrice,email\n\
         SO-1,7,2026-11-03,\"$1,234.50\",\n\
         SO-2,,11/04/2026,20,\"buyer@acme.com, other@acme.com\"\n\
         SO-3,7,someday,20,\n\
         SO-4,7,2026-11-05,lots,\n\
         SO-5,,2026-11-05,5,\n",
    );
    let Records::Orders(o) = &p.records else {
        panic!()
    };
    assert_eq!(o.len(), 2);
    assert_eq!(o[0].amount, 1234.5);
    assert_eq!(o[0].customer_ref.as_deref(), Some("7"));
    assert_eq!(
        o[1].ordered_on,
        NaiveDate::from_ymd_opt(2026, 11, 4).unwrap()
    );
    let reasons: Vec<&str> = p.rejects.iter().map(|r| r.reason.as_str()).collect();
    assert!(reasons[0].contains("not a date"), "{reasons:?}");
    assert!(reasons[1].contains("not a number"), "{reasons:?}");
    assert!(reasons[2].contains("names no customer"), "{reasons:?}");
}

#[test]
fn a_file_without_an_id_column_is_an_error_naming_the_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.csv");
    std::fs::write(&path, "Full Name,Phone\nAnn,2019449536\n").unwrap();
    let err = read_file(&path, ImportKind::CopperPeople).unwrap_err();
    let msg = format!("{err:#}");
    assert!(
        msg.contains("no id column") && msg.contains("fullname"),
        "{msg}"
    );
}

#[test]
fn semicolon_and_tab_separated_files() {
    let p = parse(
        ImportKind::Generic,
        "g.csv",
        "id;name;phone\n1;Ann;2019449536\n",
    );
    assert_eq!(customers(&p)[0].phones, ["2019449536"]);
    let p = parse(ImportKind::Generic, "g.tsv", "id\tname\n1\tAnn, Lee\n");
    assert_eq!(customers(&p)[0].name.as_deref(), Some("Ann, Lee"));
}

#[test]
fn dates_and_amounts() {
    assert_eq!(
        parse_date("2026-11-03T23:30:00Z"),
        NaiveDate::from_ymd_opt(2026, 11, 3)
    );
    assert_eq!(
        parse_date("2026-11-03 10:00"),
        NaiveDate::from_ymd_opt(2026, 11, 3)
    );
    assert_eq!(parse_date("13/45/2026"), None);
    assert_eq!(parse_amount("-20"), Some(-20.0));
    assert_eq!(parse_amount("NaN"), None);
}
