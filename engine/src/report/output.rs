//! Writing a query's result as a terminal table, CSV, JSON or Parquet.
//!
//! Machine formats are written by DuckDB itself (`COPY (query) TO ...`), so they are complete and
//! typed exactly as the views define them; the table format is for people: it fits the terminal,
//! shows ratios as percentages and caps the number of rows it prints.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::{DateTime, NaiveDate};
use clap::ValueEnum;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, ContentArrangement, Table};
use duckdb::types::{TimeUnit, ValueRef};
use duckdb::Connection;

/// Output formats of `report` and `sql`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table sized to the terminal (ratios as percentages, at most --max-rows rows).
    Table,
    /// CSV with a header row (complete).
    Csv,
    /// A JSON array of objects (complete).
    Json,
    /// Apache Parquet (complete; needs --output FILE).
    Parquet,
}

/// Where and how to write a result.
#[derive(Debug, Clone)]
pub struct Output {
    pub format: Format,
    /// File to write; stdout when `None` (not allowed for Parquet).
    pub path: Option<PathBuf>,
    /// Rows the table format prints at most.
    pub max_rows: usize,
    /// Table format only: print a one-row result as a column of (metric, value) pairs.
    pub vertical: bool,
    /// Where DuckDB writes a machine format bound for stdout (a private directory made for the
    /// run when `None`); `callduck sql --restricted` allows DuckDB this directory only.
    pub scratch: Option<PathBuf>,
}

/// SQL string literal for `s`.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Whether a column holds a ratio in 0..1 that people read as a percentage.
fn is_ratio(column: &str) -> bool {
    column.ends_with("_rate") || column == "service_level" || column == "share"
}

impl Output {
    /// Writes the result of `query` (one SQL statement) in this output's format.
    pub fn write(&self, conn: &Connection, query: &str) -> anyhow::Result<()> {
        match self.format {
            Format::Table => {
                let text = if self.vertical {
                    render_vertical(conn, query)?
                } else {
                    render_table(conn, query, self.max_rows)?
                };
                match &self.path {
                    Some(p) => std::fs::write(p, text)
                        .with_context(|| format!("writing {}", p.display()))?,
                    None => print!("{text}"),
                }
                Ok(())
            }
            Format::Csv | Format::Json | Format::Parquet => self.copy(conn, query),
        }
    }

    fn copy(&self, conn: &Connection, query: &str) -> anyhow::Result<()> {
        let options = match self.format {
            Format::Csv => "FORMAT csv, HEADER true",
            Format::Json => "FORMAT json, ARRAY true",
            Format::Parquet => "FORMAT parquet",
            Format::Table => unreachable!("tables are rendered, not copied"),
        };
        let query = query.trim().trim_end_matches(';');
        let copy_to = |target: &Path| {
            conn.execute_batch(&format!(
                "COPY ({query}) TO {} ({options})",
                quote(&target.to_string_lossy())
            ))
        };
        match &self.path {
            Some(path) => {
                copy_to(path).with_context(|| format!("writing {}", path.display()))?;
                eprintln!("wrote {}", path.display());
            }
            None if self.format == Format::Parquet => {
                anyhow::bail!("parquet output is binary: give a file with --output FILE.parquet")
            }
            None => {
                // DuckDB opens its target with truncation, which misbehaves on a redirected
                // /dev/stdout; write a file in a private directory (random name, mode 0700, never
                // a predictable path another user could plant) and stream it instead.
                let own;
                let dir = match &self.scratch {
                    Some(dir) => dir.as_path(),
                    None => {
                        own = tempfile::Builder::new()
                            .prefix("callduck-out-")
                            .tempdir()
                            .context("creating a private temporary directory")?;
                        own.path()
                    }
                };
                let file = dir.join("result");
                let result = copy_to(&file).context("running the query").and_then(|()| {
                    let mut stdout = std::io::stdout().lock();
                    std::io::copy(&mut std::fs::File::open(&file)?, &mut stdout)?;
                    stdout.flush()?;
                    Ok(())
                });
                let _ = std::fs::remove_file(&file);
                result?;
            }
        }
        Ok(())
    }
}

/// Renders `query`'s result as a table of at most `max_rows` rows, with a note when rows were cut.
pub fn render_table(conn: &Connection, query: &str, max_rows: usize) -> anyhow::Result<String> {
    let mut stmt = conn.prepare(query)?;
    let mut rows = stmt.query([])?;
    let columns: Vec<String> = rows.as_ref().map(|s| s.column_names()).unwrap_or_default();
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_content_arrangement(ContentArrangement::Dynamic);
    table.set_header(columns.iter().map(Cell::new));
    let mut shown = 0usize;
    let mut total = 0usize;
    while let Some(row) = rows.next()? {
        total += 1;
        if shown >= max_rows {
            continue;
        }
        let mut cells = Vec::with_capacity(columns.len());
        for (i, name) in columns.iter().enumerate() {
            let value = row.get_ref(i)?;
            let numeric = matches!(
                value,
                ValueRef::TinyInt(_)
                    | ValueRef::SmallInt(_)
                    | ValueRef::Int(_)
                    | ValueRef::BigInt(_)
                    | ValueRef::HugeInt(_)
                    | ValueRef::UTinyInt(_)
                    | ValueRef::USmallInt(_)
                    | ValueRef::UInt(_)
                    | ValueRef::UBigInt(_)
                    | ValueRef::Float(_)
                    | ValueRef::Double(_)
                    | ValueRef::Decimal(_)
            );
            let cell = Cell::new(format_value(name, value));
            cells.push(if numeric {
                cell.set_alignment(CellAlignment::Right)
            } else {
                cell
            });
        }
        table.add_row(cells);
        shown += 1;
    }
    let mut out = format!("{table}\n");
    if total == 0 {
        out.push_str("(no rows)\n");
    } else if total > shown {
        out.push_str(&format!(
            "({shown} of {total} rows shown: raise --max-rows, or use --format csv|json|parquet for all)\n"
        ));
    }
    Ok(out)
}

/// Renders a one-row result as a two-column table of metric and value.
pub fn render_vertical(conn: &Connection, query: &str) -> anyhow::Result<String> {
    let mut stmt = conn.prepare(query)?;
    let mut rows = stmt.query([])?;
    let columns: Vec<String> = rows.as_ref().map(|s| s.column_names()).unwrap_or_default();
    let Some(row) = rows.next()? else {
        return Ok("(no rows)\n".to_string());
    };
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(["metric", "value"]);
    for (i, name) in columns.iter().enumerate() {
        let value =
            Cell::new(format_value(name, row.get_ref(i)?)).set_alignment(CellAlignment::Right);
        table.add_row(vec![Cell::new(name), value]);
    }
    anyhow::ensure!(rows.next()?.is_none(), "expected one row from {query}");
    Ok(format!("{table}\n"))
}

/// One value as people read it.
fn format_value(column: &str, value: ValueRef<'_>) -> String {
    let float = |x: f64| {
        if is_ratio(column) {
            format!("{:.1}%", x * 100.0)
        } else if x.fract() == 0.0 && x.abs() < 1e15 {
            format!("{x:.0}")
        } else {
            format!("{x:.1}")
        }
    };
    match value {
        ValueRef::Null => String::new(),
        ValueRef::Boolean(b) => b.to_string(),
        ValueRef::TinyInt(v) => v.to_string(),
        ValueRef::SmallInt(v) => v.to_string(),
        ValueRef::Int(v) => v.to_string(),
        ValueRef::BigInt(v) => v.to_string(),
        ValueRef::HugeInt(v) => v.to_string(),
        ValueRef::UTinyInt(v) => v.to_string(),
        ValueRef::USmallInt(v) => v.to_string(),
        ValueRef::UInt(v) => v.to_string(),
        ValueRef::UBigInt(v) => v.to_string(),
        ValueRef::Float(v) => float(f64::from(v)),
        ValueRef::Double(v) => float(v),
        ValueRef::Decimal(d) => float(d.to_string().parse().unwrap_or(f64::NAN)),
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
        ValueRef::Blob(b) => format!("<{} bytes>", b.len()),
        // DuckDB's infinite dates are i32::MAX and -i32::MAX days, beyond chrono's range.
        ValueRef::Date32(days) => NaiveDate::from_ymd_opt(1970, 1, 1)
            .expect("epoch")
            .checked_add_signed(chrono::Duration::days(i64::from(days)))
            .map(|d| d.to_string())
            .unwrap_or_else(|| if days > 0 { "infinity" } else { "-infinity" }.to_string()),
        ValueRef::Timestamp(unit, v) => {
            let micros = match unit {
                TimeUnit::Second => v.saturating_mul(1_000_000),
                TimeUnit::Millisecond => v.saturating_mul(1_000),
                TimeUnit::Microsecond => v,
                TimeUnit::Nanosecond => v / 1_000,
            };
            DateTime::from_timestamp_micros(micros)
                .map(|t| t.naive_utc().to_string())
                .unwrap_or_else(|| v.to_string())
        }
        other => match other.to_owned() {
            duckdb::types::Value::List(items) => format!("[{} items]", items.len()),
            v => format!("{v:?}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_read_as_percentages_and_literals_are_escaped() {
        assert_eq!(
            format_value("answer_rate", ValueRef::Double(0.4567)),
            "45.7%"
        );
        assert_eq!(
            format_value("average_handle_seconds", ValueRef::Double(181.26)),
            "181.3"
        );
        assert_eq!(format_value("total_calls", ValueRef::Double(12.0)), "12");
        assert_eq!(quote("o'brien@x.com"), "'o''brien@x.com'");
    }

    #[test]
    fn tables_cap_rows_and_say_so() {
        let conn = Connection::open_in_memory().unwrap();
        let out = render_table(
            &conn,
            "SELECT range AS n, 0.5 AS missed_rate FROM range(5)",
            3,
        )
        .unwrap();
        assert!(out.contains("50.0%"), "{out}");
        assert!(out.contains("3 of 5 rows shown"), "{out}");
        let empty = render_table(&conn, "SELECT 1 AS n WHERE false", 3).unwrap();
        assert!(empty.contains("(no rows)"), "{empty}");
    }
}
