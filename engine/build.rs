//! Embeds the SQL under `sql/` into the binary.
//!
//! `sql/schema/NNN_name.sql` are migrations, applied once each in version order; `sql/staging/`,
//! `sql/marts/` and `sql/reports/` hold `CREATE OR REPLACE VIEW` / `MACRO` files (with their
//! `COMMENT ON`s), re-applied on every write open so the views always match the binary;
//! `sql/comments/` holds the `COMMENT ON`s of the migrations' tables, re-applied after the views so
//! files written by any version get them; `sql/tests/` are data tests (queries that return no rows
//! when all is well). Adding a file needs no code change.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn sql_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    files
}

fn table(out: &mut String, name: &str, root: &Path, dirs: &[&str]) {
    writeln!(out, "pub static {name}: &[(&str, &str)] = &[").unwrap();
    for dir in dirs {
        for file in sql_files(&root.join(dir)) {
            // Each file too: a directory's own time changes only when files come or go.
            println!("cargo:rerun-if-changed={}", file.display());
            let stem = file.file_stem().unwrap().to_string_lossy();
            let label = if dirs.len() > 1 {
                format!("{dir}/{stem}")
            } else {
                stem.to_string()
            };
            writeln!(
                out,
                "    ({label:?}, include_str!({:?})),",
                file.display().to_string()
            )
            .unwrap();
        }
    }
    writeln!(out, "];").unwrap();
}

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest.parent().unwrap().join("sql");
    println!("cargo:rerun-if-changed={}", root.display());
    for dir in ["schema", "staging", "marts", "reports", "comments", "tests"] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }
    let mut out = String::new();
    table(&mut out, "MIGRATIONS", &root, &["schema"]);
    table(
        &mut out,
        "VIEWS",
        &root,
        &["staging", "marts", "reports", "comments"],
    );
    table(&mut out, "DATA_TESTS", &root, &["tests"]);
    fs::write(
        PathBuf::from(env::var("OUT_DIR").unwrap()).join("embedded_sql.rs"),
        out,
    )
    .unwrap();
}
