//! Embeds the SQL under `sql/` into the binary, and the commit it is built from into
//! `callduck --version` (`CALLDUCK_COMMIT`).
//!
//! `sql/schema/NNN_name.sql` are migrations, applied once each in version order; `sql/staging/`,
//! `sql/marts/` and `sql/reports/` hold `CREATE OR REPLACE VIEW` / `MACRO` files (with their
//! `COMMENT ON`s), re-applied on every write open so the views always match the binary;
//! `sql/comments/` holds the `COMMENT ON`s of the migrations' tables, re-applied after the views so
//! files written by any version get them; `sql/tests/` are data tests (queries that return no rows
//! when all is well). Adding a file needs no code change.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

/// Output of `git -C dir args...`, trimmed, if git is there and succeeds.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

/// The commit of the checkout (`CALLDUCK_BUILD_COMMIT` wins, for builds from a tarball), or
/// "unknown commit"; re-run when HEAD moves.
fn commit(root: &Path) -> String {
    println!("cargo:rerun-if-env-changed=CALLDUCK_BUILD_COMMIT");
    if let Ok(commit) = env::var("CALLDUCK_BUILD_COMMIT") {
        return commit;
    }
    let Some(commit) = git(root, &["rev-parse", "--short=12", "HEAD"]) else {
        return "unknown commit".to_string();
    };
    // HEAD names the branch; the branch's ref (loose or packed) names the commit.
    for (flag, file) in [("--git-dir", "HEAD"), ("--git-common-dir", "packed-refs")] {
        if let Some(dir) = git(root, &["rev-parse", flag]) {
            println!(
                "cargo:rerun-if-changed={}",
                root.join(dir).join(file).display()
            );
        }
    }
    if let (Some(dir), Some(branch)) = (
        git(root, &["rev-parse", "--git-common-dir"]),
        git(root, &["symbolic-ref", "-q", "HEAD"]),
    ) {
        println!(
            "cargo:rerun-if-changed={}",
            root.join(dir).join(branch).display()
        );
    }
    format!("commit {commit}")
}

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
    let repo = manifest.parent().unwrap();
    println!("cargo:rustc-env=CALLDUCK_COMMIT={}", commit(repo));
    let root = repo.join("sql");
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
