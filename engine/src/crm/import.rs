//! Reading CRM exports: Copper people and companies, Fishbowl customers and sales orders, or a
//! generic customer list, from CSV, JSON or NDJSON files or from the same collections in
//! Firestore.
//!
//! Columns are found by name, not position, so real exports load as they are: a header is
//! compared lower-cased with everything but letters and digits removed (`Phone Number 2` →
//! `phonenumber2`, `customer_id` → `customerid`). Every column whose name mentions a phone (or
//! mobile, cell) is a phone, every column that mentions an email is a list of emails; ids, names,
//! companies, accounts, dates and amounts have a short list of accepted names per kind
//! ([`ImportKind::id_columns`] and friends). Nested JSON (Firestore documents, Copper's API
//! shape `phone_numbers: [{number, category}]`) is flattened to dotted keys first.
//!
//! A record that cannot be used (no id, a duplicate id, nothing to match on, an order without a
//! date) is a [`Reject`] with its line number, the reason and its raw text; the others still
//! load. Only problems that make the whole file unreadable (not CSV or JSON, no id column at all)
//! are errors.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context as _;
use chrono::NaiveDate;
use serde_json::{Map, Value};

/// What an export holds; each kind replaces only its own previous import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum ImportKind {
    /// Copper people (Firestore `copper_people`): persons with phones, emails and a company.
    CopperPeople,
    /// Copper companies (Firestore `copper_companies`): accounts with phones and emails.
    CopperCompanies,
    /// Fishbowl customers (Firestore `fishbowl_customers`): accounts, often without phones or emails.
    FishbowlCustomers,
    /// Fishbowl sales orders (Firestore `fishbowl_sales_orders`): customer, date, amount, emails.
    FishbowlOrders,
    /// Any other customer list with id, name, company, phone and email columns.
    Generic,
}

impl ImportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::CopperPeople => "copper-people",
            ImportKind::CopperCompanies => "copper-companies",
            ImportKind::FishbowlCustomers => "fishbowl-customers",
            ImportKind::FishbowlOrders => "fishbowl-orders",
            ImportKind::Generic => "generic",
        }
    }

    /// The goals dashboard's Firestore collection for this kind (`None` for generic lists).
    pub fn collection(self) -> Option<&'static str> {
        match self {
            ImportKind::CopperPeople => Some("copper_people"),
            ImportKind::CopperCompanies => Some("copper_companies"),
            ImportKind::FishbowlCustomers => Some("fishbowl_customers"),
            ImportKind::FishbowlOrders => Some("fishbowl_sales_orders"),
            ImportKind::Generic => None,
        }
    }

    pub fn is_orders(self) -> bool {
        self == ImportKind::FishbowlOrders
    }

    /// Accepted names (normalised, see [`column_key`]) of the record's own id, best first.
    pub fn id_columns(self) -> &'static [&'static str] {
        match self {
            ImportKind::CopperPeople => &["id", "copperid", "personid", "peopleid"],
            ImportKind::CopperCompanies => &["id", "copperid", "companyid"],
            ImportKind::FishbowlCustomers => &["id", "customerid", "fishbowlid"],
            ImportKind::FishbowlOrders => &[
                "id",
                "soid",
                "salesorderid",
                "orderid",
                "num",
                "sonum",
                "sonumber",
                "ordernumber",
            ],
            ImportKind::Generic => &["id", "customerid", "externalid", "recordid"],
        }
    }

    fn name_columns(self) -> &'static [&'static str] {
        match self {
            ImportKind::CopperPeople => &["name", "fullname", "personname", "contactname"],
            ImportKind::CopperCompanies => &["name", "companyname", "company"],
            ImportKind::FishbowlCustomers => &["name", "customername", "companyname"],
            ImportKind::FishbowlOrders => &[],
            ImportKind::Generic => &["name", "fullname", "customername", "contactname"],
        }
    }

    fn company_columns(self) -> &'static [&'static str] {
        match self {
            ImportKind::CopperPeople | ImportKind::Generic => &[
                "company",
                "companyname",
                "organization",
                "organisation",
                "accountname",
                "account",
            ],
            ImportKind::FishbowlCustomers => &["companyname"],
            ImportKind::CopperCompanies | ImportKind::FishbowlOrders => &[],
        }
    }

    fn account_columns(self) -> &'static [&'static str] {
        match self {
            ImportKind::FishbowlCustomers => &["accountid", "accountnumber"],
            ImportKind::Generic => &["accountid", "accountnumber"],
            ImportKind::CopperPeople => &["companyid"],
            _ => &[],
        }
    }

    fn person_columns(self) -> &'static [&'static str] {
        match self {
            ImportKind::FishbowlCustomers => &["customercontact", "contact", "contactname"],
            _ => &[],
        }
    }
}

/// A column name as the importer compares it: lower case, letters and digits only.
pub fn column_key(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn is_phone_column(key: &str) -> bool {
    (key.contains("phone") || key.contains("mobile") || key.starts_with("cell"))
        && !is_label_column(key)
}

fn is_email_column(key: &str) -> bool {
    key.contains("email") && !is_label_column(key)
}

/// `phone_numbers.0.category` labels a number; it is not one.
fn is_label_column(key: &str) -> bool {
    [
        "category",
        "type",
        "label",
        "kind",
        "ext",
        "extension",
        "verified",
        "status",
        "count",
    ]
    .iter()
    .any(|s| key.ends_with(s))
}

/// One customer as an export describes it, before normalisation.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerRecord {
    pub source_id: String,
    pub name: Option<String>,
    pub company: Option<String>,
    /// A contact person of an account (Fishbowl's `customerContact`), matched like a name.
    pub contact_person: Option<String>,
    pub account_id: Option<String>,
    /// Raw phone values, as exported.
    pub phones: Vec<String>,
    /// Raw email fields, as exported (each may hold several).
    pub emails: Vec<String>,
    pub line: u64,
    pub raw_json: String,
}

/// One sales order.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderRecord {
    pub order_id: String,
    /// The customer's id in the same CRM (Fishbowl `customerId`).
    pub customer_ref: Option<String>,
    pub ordered_on: NaiveDate,
    pub amount: f64,
    pub emails: Vec<String>,
    pub line: u64,
    pub raw_json: String,
}

/// A record that did not load.
#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    /// Line of the CSV row or NDJSON record, or the line where a JSON array element starts, or
    /// the position of a Firestore document.
    pub line: u64,
    pub reason: String,
    pub raw: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Records {
    Customers(Vec<CustomerRecord>),
    Orders(Vec<OrderRecord>),
}

impl Records {
    pub fn len(&self) -> usize {
        match self {
            Records::Customers(c) => c.len(),
            Records::Orders(o) => o.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// An export read into records and rejects.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedImport {
    pub kind: ImportKind,
    pub records: Records,
    pub rejects: Vec<Reject>,
    /// Records read (loaded + rejected).
    pub rows_read: u64,
}

/// A record's fields as `(column key, value)` pairs, in order, with where it came from.
struct Row {
    line: u64,
    fields: Vec<(String, String)>,
    raw: String,
}

impl Row {
    fn first(&self, keys: &[&str]) -> Option<&str> {
        keys.iter().find_map(|k| {
            self.fields
                .iter()
                .find(|(key, v)| key == k && !v.trim().is_empty())
                .map(|(_, v)| v.trim())
        })
    }

    fn all(&self, pick: impl Fn(&str) -> bool) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(k, v)| pick(k) && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
            .collect()
    }
}

/// Reads an export file; CSV unless the extension is `.json`/`.ndjson`/`.jsonl` or the content
/// starts with `[` or `{`.
pub fn read_file(path: &Path, kind: ImportKind) -> anyhow::Result<ParsedImport> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{} is not UTF-8 text (first bad byte at offset {}): export it as UTF-8 CSV or JSON",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let first = text.trim_start().chars().next();
    let rows = if matches!(ext.as_str(), "json" | "ndjson" | "jsonl")
        || matches!(first, Some('[') | Some('{'))
    {
        json_rows(text).with_context(|| format!("reading {} as JSON", path.display()))?
    } else {
        csv_rows(text).with_context(|| format!("reading {} as CSV", path.display()))?
    };
    let (rows, unreadable) = rows;
    let mut parsed = from_rows(kind, rows, &path.display().to_string())?;
    parsed.rows_read += unreadable.len() as u64;
    parsed.rejects.extend(unreadable);
    parsed.rejects.sort_by_key(|r| r.line);
    Ok(parsed)
}

/// Reads a Firestore collection (the goals dashboard's `copper_people`, ...) as an export:
/// returns the records and the source name (`firestore:<collection>`).
pub async fn read_firestore(
    client: &crate::firestore::FirestoreClient,
    kind: ImportKind,
    collection: &str,
) -> anyhow::Result<(ParsedImport, String)> {
    let docs = client
        .list(collection)
        .await
        .with_context(|| format!("reading the Firestore collection {collection}"))?;
    let docs = docs
        .iter()
        .map(|d| {
            (
                d.id().to_string(),
                crate::firestore::value::fields_to_plain(&d.fields),
            )
        })
        .collect();
    let source = format!("firestore:{collection}");
    Ok((from_documents(kind, docs, &source)?, source))
}

/// Reads Firestore documents (plain JSON fields, see `firestore::value::to_plain`): the document
/// id is the record's id unless it has an id field.
pub fn from_documents(
    kind: ImportKind,
    docs: Vec<(String, Value)>,
    source: &str,
) -> anyhow::Result<ParsedImport> {
    let rows = docs
        .into_iter()
        .enumerate()
        .map(|(i, (id, mut fields))| {
            if let Value::Object(map) = &mut fields {
                map.entry("id").or_insert(Value::String(id));
            }
            json_row(i as u64 + 1, &fields)
        })
        .collect();
    from_rows(kind, rows, source)
}

type RowsAndRejects = (Vec<Row>, Vec<Reject>);

fn csv_rows(text: &str) -> anyhow::Result<RowsAndRejects> {
    let delimiter = sniff_delimiter(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader.headers().context("reading the header line")?.clone();
    anyhow::ensure!(
        headers.iter().any(|h| !h.trim().is_empty()),
        "the first line must be a header naming the columns"
    );
    let keys: Vec<String> = headers.iter().map(column_key).collect();
    let mut rows = Vec::new();
    let mut rejects = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(0, |p| p.line());
                let mut raw = Map::new();
                let mut fields = Vec::with_capacity(keys.len());
                for ((key, header), value) in keys.iter().zip(headers.iter()).zip(record.iter()) {
                    raw.insert(header.to_string(), Value::String(value.to_string()));
                    fields.push((key.clone(), value.to_string()));
                }
                if fields.iter().all(|(_, v)| v.trim().is_empty()) {
                    continue; // blank line
                }
                rows.push(Row {
                    line,
                    fields,
                    raw: Value::Object(raw).to_string(),
                });
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                let csv::ErrorKind::UnequalLengths {
                    expected_len, len, ..
                } = e.kind()
                else {
                    // Anything else (broken quoting) may have lost the reader's place.
                    anyhow::bail!("line {line}: {e}");
                };
                let raw = text
                    .lines()
                    .nth(line.saturating_sub(1) as usize)
                    .unwrap_or("")
                    .to_string();
                rejects.push(Reject {
                    line,
                    reason: format!("{len} fields where the header has {expected_len}"),
                    raw,
                });
            }
        }
    }
    Ok((rows, rejects))
}

/// `,` unless the header line has more tabs or semicolons.
fn sniff_delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    let count = |c| header.matches(c).count();
    let (commas, tabs, semis) = (count(','), count('\t'), count(';'));
    if tabs > commas && tabs >= semis {
        b'\t'
    } else if semis > commas {
        b';'
    } else {
        b','
    }
}

fn line_of(text: &str, offset: usize) -> u64 {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
        + 1
}

fn json_rows(text: &str) -> anyhow::Result<RowsAndRejects> {
    let trimmed = text.trim_start();
    let mut rows = Vec::new();
    let mut rejects = Vec::new();
    let offset_in = |s: &str| s.as_ptr() as usize - text.as_ptr() as usize;
    if trimmed.starts_with('[') {
        let items: Vec<&serde_json::value::RawValue> = serde_json::from_str(text)?;
        for item in items {
            let line = line_of(text, offset_in(item.get()));
            match serde_json::from_str::<Value>(item.get()) {
                Ok(v @ Value::Object(_)) => rows.push(json_row(line, &v)),
                _ => rejects.push(Reject {
                    line,
                    reason: "not a JSON object".into(),
                    raw: item.get().to_string(),
                }),
            }
        }
        return Ok((rows, rejects));
    }
    // One object holding everything: `{"id": {...}, ...}` (a keyed export) or `{"documents":
    // [...]}`; else newline-delimited JSON.
    if let Ok(Value::Object(top)) = serde_json::from_str::<Value>(text) {
        let keyed = !top.is_empty() && top.values().all(Value::is_object);
        if keyed {
            for (i, (id, mut v)) in top.into_iter().enumerate() {
                if let Value::Object(m) = &mut v {
                    m.entry("id").or_insert(Value::String(id));
                }
                rows.push(json_row(i as u64 + 1, &v));
            }
            return Ok((rows, rejects));
        }
        for key in [
            "documents",
            "data",
            "records",
            "items",
            "customers",
            "orders",
        ] {
            if let Some(Value::Array(items)) = top.get(key) {
                for (i, v) in items.iter().enumerate() {
                    rows.push(json_row(i as u64 + 1, v));
                }
                return Ok((rows, rejects));
            }
        }
        rows.push(json_row(1, &Value::Object(top)));
        return Ok((rows, rejects));
    }
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let n = i as u64 + 1;
        match serde_json::from_str::<Value>(line) {
            Ok(v @ Value::Object(_)) => rows.push(json_row(n, &v)),
            Ok(_) => rejects.push(Reject {
                line: n,
                reason: "not a JSON object".into(),
                raw: line.to_string(),
            }),
            Err(e) => rejects.push(Reject {
                line: n,
                reason: format!("malformed JSON: {e}"),
                raw: line.to_string(),
            }),
        }
    }
    anyhow::ensure!(
        !rows.is_empty() || rejects.is_empty(),
        "not JSON: expected an array of objects, an object of objects or one object per line"
    );
    Ok((rows, rejects))
}

fn json_row(line: u64, value: &Value) -> Row {
    let mut fields = Vec::new();
    flatten("", value, &mut fields);
    Row {
        line,
        fields,
        raw: value.to_string(),
    }
}

/// Flattens nested objects to dotted keys (normalised with [`column_key`] per segment, array
/// indexes dropped) and arrays of scalars to repeated keys.
fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Null => {}
        Value::Bool(b) => out.push((column_key(prefix), b.to_string())),
        Value::Number(n) => out.push((column_key(prefix), n.to_string())),
        Value::String(s) => out.push((column_key(prefix), s.clone())),
        Value::Array(items) => {
            for item in items {
                flatten(prefix, item, out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
    }
}

/// Records from rows, with the rejects of records that cannot be used.
fn from_rows(kind: ImportKind, rows: Vec<Row>, source: &str) -> anyhow::Result<ParsedImport> {
    let rows_read = rows.len() as u64;
    let ids = kind.id_columns();
    if !rows.is_empty() && !rows.iter().any(|r| r.first(ids).is_some()) {
        let mut seen: Vec<&str> = Vec::new();
        for (k, _) in rows.iter().flat_map(|r| r.fields.iter()) {
            if !seen.contains(&k.as_str()) && seen.len() < 30 {
                seen.push(k);
            }
        }
        anyhow::bail!(
            "{source} has no id column for --kind {}: expected a column named one of {} (compared \
             ignoring case, spaces and punctuation); its columns are {}",
            kind.as_str(),
            ids.join(", "),
            seen.join(", ")
        );
    }
    let mut rejects = Vec::new();
    let records = if kind.is_orders() {
        Records::Orders(unique_records(
            &rows,
            &mut rejects,
            |r| order(r, ids),
            |o| &o.order_id,
        ))
    } else {
        Records::Customers(unique_records(
            &rows,
            &mut rejects,
            |r| customer(kind, r, ids),
            |c| &c.source_id,
        ))
    };
    Ok(ParsedImport {
        kind,
        records,
        rejects,
        rows_read,
    })
}

/// The records `parse` makes of `rows`, the first of each id; the others, and the rows it
/// refuses, become rejects with the reason.
fn unique_records<T>(
    rows: &[Row],
    rejects: &mut Vec<Reject>,
    parse: impl Fn(&Row) -> Result<T, String>,
    id: impl Fn(&T) -> &String,
) -> Vec<T> {
    let mut first_line: HashMap<String, u64> = HashMap::new();
    let mut out = Vec::new();
    for row in rows {
        let reason = match parse(row) {
            Ok(record) => match first_line.get(id(&record)) {
                Some(first) => format!("duplicate id {} (first on line {first})", id(&record)),
                None => {
                    first_line.insert(id(&record).clone(), row.line);
                    out.push(record);
                    continue;
                }
            },
            Err(reason) => reason,
        };
        rejects.push(Reject {
            line: row.line,
            reason,
            raw: row.raw.clone(),
        });
    }
    out
}

fn customer(kind: ImportKind, row: &Row, ids: &[&str]) -> Result<CustomerRecord, String> {
    let source_id = row
        .first(ids)
        .ok_or_else(|| format!("no id (a column named {})", ids.join(" or ")))?
        .to_string();
    let name = row
        .first(kind.name_columns())
        .map(str::to_string)
        .or_else(|| {
            let first = row.first(&["firstname", "first", "givenname"]);
            let last = row.first(&["lastname", "last", "surname", "familyname"]);
            match (first, last) {
                (None, None) => None,
                (f, l) => Some([f, l].into_iter().flatten().collect::<Vec<_>>().join(" ")),
            }
        });
    let phones = row.all(is_phone_column);
    let emails = row.all(is_email_column);
    let company = row.first(kind.company_columns()).map(str::to_string);
    let contact_person = row.first(kind.person_columns()).map(str::to_string);
    if name.is_none() && company.is_none() && phones.is_empty() && emails.is_empty() {
        return Err("nothing to match on: no name, company, phone or email".into());
    }
    Ok(CustomerRecord {
        source_id,
        name,
        company,
        contact_person,
        account_id: row.first(kind.account_columns()).map(str::to_string),
        phones,
        emails,
        line: row.line,
        raw_json: row.raw.clone(),
    })
}

fn order(row: &Row, ids: &[&str]) -> Result<OrderRecord, String> {
    let order_id = row
        .first(ids)
        .ok_or_else(|| format!("no id (a column named {})", ids.join(" or ")))?
        .to_string();
    let date_columns = [
        "dateissued",
        "orderdate",
        "datecreated",
        "datecompleted",
        "createdat",
        "date",
        "issuedate",
    ];
    let raw_date = row
        .first(&date_columns)
        .ok_or("no order date (dateIssued, orderDate, dateCreated or date)")?;
    let ordered_on =
        parse_date(raw_date).ok_or_else(|| format!("order date {raw_date:?} is not a date"))?;
    let amount_columns = [
        "totalprice",
        "total",
        "amount",
        "ordertotal",
        "subtotal",
        "totalamount",
    ];
    let raw_amount = row
        .first(&amount_columns)
        .ok_or("no amount (totalPrice, total or amount)")?;
    let amount =
        parse_amount(raw_amount).ok_or_else(|| format!("amount {raw_amount:?} is not a number"))?;
    let customer_ref = row
        .first(&[
            "customerid",
            "customer",
            "customernumber",
            "customeraccountid",
        ])
        .map(str::to_string);
    let emails = row.all(is_email_column);
    if customer_ref.is_none() && emails.is_empty() {
        return Err("the order names no customer (customerId or email)".into());
    }
    Ok(OrderRecord {
        order_id,
        customer_ref,
        ordered_on,
        amount,
        emails,
        line: row.line,
        raw_json: row.raw.clone(),
    })
}

/// `2026-11-03`, `2026-11-03T10:00:00Z`, `2026-11-03 10:00:00`, `11/03/2026` (US order).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.naive_utc().date());
    }
    let head = s.split(['T', ' ']).next().unwrap_or(s);
    for fmt in ["%Y-%m-%d", "%m/%d/%Y", "%Y/%m/%d", "%m/%d/%y"] {
        if let Ok(d) = NaiveDate::parse_from_str(head, fmt) {
            return Some(d);
        }
    }
    None
}

/// `1234.5`, `$1,234.50`, `-20` (a credit); `None` for anything else.
pub fn parse_amount(s: &str) -> Option<f64> {
    let cleaned: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, '$' | ',' | ' ' | '€' | '£'))
        .collect();
    cleaned.parse::<f64>().ok().filter(|x| x.is_finite())
}

#[cfg(test)]
mod tests {
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
}
