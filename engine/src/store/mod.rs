//! The DuckDB store: one file holding raw JustCall records, sync state, quarantine and the views.
//!
//! * [`Store::open`] opens (or creates) the file for writing, applies the embedded migrations
//!   (`sql/schema/`, recorded in `callduck_schema_migrations`) and re-creates the views and their
//!   comments (`sql/staging/`, `sql/marts/`, `sql/reports/`, `sql/comments/`). A new file is
//!   written in the storage format of [`NEW_FILE_STORAGE_VERSION`], so DuckDB 1.1 and later can
//!   read it. DuckDB allows one writing process per file; a second one gets
//!   [`StoreError::Locked`] with what to do about it, never a corrupt file.
//! * [`load`] turns parsed records into Arrow batches, appends them to an index-free staging table
//!   and upserts by id in one transaction together with the stream's watermark.
//! * [`tz`] writes the UTC offsets the views use to find each agent's local day.
//! * [`SharedStore`] is the one writer of a long-running process (`callduck serve`): every write
//!   (webhook events, re-fetched records, scheduled syncs, the export ledger) goes through its one
//!   connection, one transaction at a time, so two writes can never conflict. [`StoreAccess`] lets
//!   the sync and the export run on either a [`Store`] of their own or that shared writer.

pub mod load;
pub mod tz;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use anyhow::Context as _;
use chrono::NaiveDateTime;
use duckdb::{params, AccessMode, Config, Connection, OptionalExt as _};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_sql.rs"));
}

pub use embedded::{DATA_TESTS, MIGRATIONS, VIEWS};

/// Setting that records which views (by digest) a file was last given.
const VIEWS_DIGEST_KEY: &str = "views_digest";

/// The storage format callduck creates new files in (DuckDB's `storage_compatibility_version`):
/// the oldest DuckDB that opens them is 1.1.0. DuckDB 2 would otherwise write its own format,
/// which no 1.x release reads. (DuckDB 1.0 cannot open them either way: it does not know the
/// options DuckDB 1.1+ stores with a primary key's index, and callduck's tables have primary keys.)
/// Existing files keep the format they were created in; sql/README.md shows how to rewrite one.
pub const NEW_FILE_STORAGE_VERSION: &str = "v1.1.0";

/// A digest of every embedded view, macro and comment, to tell whether a file's views are current.
fn views_digest() -> String {
    let mut all = Vec::new();
    for (name, sql) in VIEWS {
        all.extend_from_slice(name.as_bytes());
        all.push(0);
        all.extend_from_slice(sql.as_bytes());
        all.push(0);
    }
    format!("{:016x}", load::stable_hash(&all))
}

/// Errors opening the store, each with what the user can do about it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "{path} is in use by another process (DuckDB allows one writer at a time): wait for the \
         running `callduck sync`/`serve` to finish, or close the program holding it ({detail})"
    )]
    Locked { path: PathBuf, detail: String },
    #[error("cannot open {path} for writing: {detail} (check that the directory exists and is writable, or choose another file with --db / CALLDUCK_DB)")]
    NotWritable { path: PathBuf, detail: String },
    #[error("{path} does not exist: run `callduck sync` (or `callduck demo`) first, or point --db / CALLDUCK_DB at an existing file")]
    Missing { path: PathBuf },
    #[error("{path} has schema version {found}, newer than this callduck understands ({supported}): upgrade callduck")]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("cannot open {path}: {detail}")]
    Open { path: PathBuf, detail: String },
    #[error("applying {what} to {path}: {detail}")]
    Schema {
        path: PathBuf,
        what: String,
        detail: String,
    },
}

fn classify_open_error(path: &Path, err: duckdb::Error) -> StoreError {
    let detail = err.to_string();
    let lower = detail.to_ascii_lowercase();
    let path = path.to_path_buf();
    if lower.contains("could not set lock") || lower.contains("conflicting lock") {
        StoreError::Locked { path, detail }
    } else if lower.contains("permission denied")
        || lower.contains("read-only")
        || lower.contains("no such file or directory")
        || lower.contains("cannot open file")
    {
        StoreError::NotWritable { path, detail }
    } else {
        StoreError::Open { path, detail }
    }
}

/// How a file's views relate to this binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewsState {
    /// Written by this callduck's views.
    Current,
    /// A callduck file whose views were written by another version.
    Outdated,
    /// Not a callduck file (no schema migrations recorded).
    Foreign,
}

/// An open store. Holds DuckDB's single-writer lock on the file while it lives (read-write mode).
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// The bundled DuckDB library's version, e.g. `v1.4.1` (no database needed).
pub fn duckdb_library_version() -> String {
    // SAFETY: returns a pointer to a static NUL-terminated string owned by the library.
    unsafe { std::ffi::CStr::from_ptr(duckdb::ffi::duckdb_library_version()) }
        .to_string_lossy()
        .into_owned()
}

/// Latest migration version embedded in this binary.
pub fn latest_schema_version() -> i64 {
    MIGRATIONS
        .iter()
        .map(|(name, _)| migration_version(name))
        .max()
        .unwrap_or(0)
}

fn migration_version(name: &str) -> i64 {
    name.split('_')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("migration file {name} must start with a number"))
}

/// DuckDB's `memory_limit` for every file this process opens, in bytes (`--memory-limit`,
/// `CALLDUCK_MEMORY_LIMIT`); `None` keeps DuckDB's default (80% of the machine's memory).
static MEMORY_LIMIT: std::sync::RwLock<Option<u64>> = std::sync::RwLock::new(None);

/// Checkpoint after this much WAL at most: see [`Store::open`].
const MAX_CHECKPOINT_THRESHOLD: u64 = 256 << 20;

/// Sets DuckDB's memory limit for the stores this process opens from now on. Beyond it DuckDB
/// evicts cached blocks and spills to its temp directory instead of growing; the checkpoint
/// threshold follows (half the limit at most), since committed data waits in memory until the
/// next checkpoint.
pub fn set_memory_limit(bytes: Option<u64>) {
    *MEMORY_LIMIT.write().unwrap_or_else(|e| e.into_inner()) = bytes;
}

fn memory_limit() -> Option<u64> {
    *MEMORY_LIMIT.read().unwrap_or_else(|e| e.into_inner())
}

/// The default `--memory-limit`: a full backfill peaks near 600 MiB of RSS with it, whatever
/// the number of records (`callduck bench memory`).
pub const DEFAULT_MEMORY_LIMIT: &str = "512MB";

/// Parses `--memory-limit`: `none` (DuckDB's own default, 80% of RAM) or a size as DuckDB writes
/// them: `512MB`, `2GB`, `256MiB`, `1.5GiB` (KB/MB/GB/TB are powers of 1000, KiB/MiB/GiB/TiB of
/// 1024; a bare number is bytes).
pub fn parse_memory_limit(text: &str) -> Result<MemoryLimit, String> {
    if matches!(
        text.trim().to_ascii_lowercase().as_str(),
        "none" | "default"
    ) {
        return Ok(MemoryLimit(None));
    }
    parse_size(text).map(|bytes| MemoryLimit(Some(bytes)))
}

/// The value of `--memory-limit`: bytes, or `None` for DuckDB's own default. (A type of its own:
/// clap reads a field of type `Option<u64>` as an optional flag, not as an optional limit.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryLimit(pub Option<u64>);

fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("expected a size such as 512MB or 2GB, got {text:?}"))?;
    let factor: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" | "bytes" => 1.0,
        "kb" => 1e3,
        "mb" => 1e6,
        "gb" => 1e9,
        "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        other => {
            return Err(format!(
                "unknown size unit {other:?} in {text:?}: use KB, MB, GB, KiB, MiB or GiB"
            ))
        }
    };
    let bytes = (number * factor) as u64;
    if bytes < 64 << 20 {
        return Err(format!(
            "{text:?} is below 64 MiB: DuckDB needs room for a row group and the sync's batches"
        ));
    }
    Ok(bytes)
}

/// The DuckDB configuration every open starts from: the memory limit, if one is set.
fn base_config() -> duckdb::Result<Config> {
    let config = Config::default();
    match memory_limit() {
        Some(bytes) => config.max_memory(&format!("{}KiB", bytes / 1024)),
        None => Ok(config),
    }
}

impl Store {
    /// Opens `path` for writing, creating it if needed, and brings schema and views up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            if !parent.is_dir() {
                return Err(StoreError::NotWritable {
                    path: path.to_path_buf(),
                    detail: format!("directory {} does not exist", parent.display()),
                });
            }
        }
        let config = base_config()
            .and_then(|c| c.with("storage_compatibility_version", NEW_FILE_STORAGE_VERSION))
            .map_err(|e| classify_open_error(path, e))?;
        let conn =
            Connection::open_with_flags(path, config).map_err(|e| classify_open_error(path, e))?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        // DuckDB checkpoints whenever the WAL passes 16 MiB, and each checkpoint rewrites the
        // table's last, partly filled row group (up to ~100 MiB of raw JSON): with 10,000-record
        // batches that made a backfill several times slower. Checkpoint every 256 MiB instead
        // (the un-checkpointed data stays in memory, so this also bounds memory) and explicitly
        // at the end (`Store::checkpoint`); the WAL keeps every commit durable.
        let threshold = memory_limit().map_or(MAX_CHECKPOINT_THRESHOLD, |limit| {
            (limit / 2).min(MAX_CHECKPOINT_THRESHOLD)
        });
        store
            .conn
            .execute_batch(&format!(
                "SET checkpoint_threshold = '{}KiB'",
                threshold / 1024
            ))
            .map_err(|e| store.schema_error("checkpoint_threshold", e.to_string()))?;
        store.migrate()?;
        store.apply_views()?;
        Ok(store)
    }

    /// Opens an existing file read-only (`status`, `report`, `sql`). Fails while a writer holds it.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        let config = base_config()
            .and_then(|c| c.access_mode(AccessMode::ReadOnly))
            .map_err(|e| classify_open_error(path, e))?;
        let conn =
            Connection::open_with_flags(path, config).map_err(|e| classify_open_error(path, e))?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        let found = store.schema_version().map_err(|e| StoreError::Open {
            path: path.to_path_buf(),
            detail: format!("{e:#}"),
        })?;
        if found > latest_schema_version() {
            return Err(StoreError::NewerSchema {
                path: path.to_path_buf(),
                found,
                supported: latest_schema_version(),
            });
        }
        Ok(store)
    }

    /// Whether the file's views are this binary's (see [`ViewsState`]).
    pub fn views_state(&self) -> anyhow::Result<ViewsState> {
        if self.schema_version()? == 0 {
            return Ok(ViewsState::Foreign);
        }
        Ok(match self.setting(VIEWS_DIGEST_KEY)? {
            Some(d) if d == views_digest() => ViewsState::Current,
            _ => ViewsState::Outdated,
        })
    }

    /// Opens an existing file for queries (`report`, `check`): read-only, after bringing
    /// its views up to date when the file was last written by a callduck with other views (a
    /// brief write open). A file that cannot be written is queried with the views it has.
    pub fn open_for_reading(path: &Path) -> Result<Store, StoreError> {
        let store = Store::open_read_only(path)?;
        let current = store.setting(VIEWS_DIGEST_KEY).ok().flatten();
        if current.as_deref() == Some(views_digest().as_str()) {
            return Ok(store);
        }
        drop(store);
        match Store::open(path) {
            Ok(writer) => drop(writer),
            Err(StoreError::NotWritable { detail, .. }) => {
                tracing::warn!(
                    "{} was written by another callduck version and cannot be updated ({detail}); \
                     querying the views it has",
                    path.display()
                );
            }
            Err(e) => return Err(e),
        }
        Store::open_read_only(path)
    }

    /// Another connection to the same open database (same process). Used for reads next to the
    /// writer ([`SharedStore::reader`]): two connections of one process that write the same rows
    /// conflict, so writes go through one [`SharedStore`].
    pub fn try_clone(&self) -> anyhow::Result<Store> {
        let conn = self
            .conn
            .try_clone()
            .context("opening another connection to the DuckDB file")?;
        conn.execute_batch("SET checkpoint_threshold = '256MB'")?;
        Ok(Store {
            conn,
            path: self.path.clone(),
        })
    }

    /// Writes a complete copy of the database (tables, views, macros) to `path`, replacing it
    /// atomically, so readers can query it while this process keeps the writer's lock. Refuses
    /// the store's own file; a failed copy detaches what it attached, so the next one can work.
    pub fn snapshot_to(&self, path: &Path) -> anyhow::Result<()> {
        anyhow::ensure!(
            !same_file(path, &self.path),
            "the snapshot {} is the database file itself: choose another path",
            path.display()
        );
        let partial = path.with_extension("partial");
        let _ = std::fs::remove_file(&partial);
        let _ = std::fs::remove_file(partial.with_extension("partial.wal"));
        let database: String = self
            .conn
            .query_row("SELECT current_database()", [], |r| r.get(0))?;
        let target = partial.to_string_lossy().replace('\'', "''");
        // A snapshot that failed half-way (disk full, killed copy) may have left it attached.
        let _ = self
            .conn
            .execute_batch("DETACH DATABASE IF EXISTS callduck_snapshot");
        let copied = self.conn.execute_batch(&format!(
            "ATTACH '{target}' AS callduck_snapshot;
             COPY FROM DATABASE \"{database}\" TO callduck_snapshot;"
        ));
        let detached = self
            .conn
            .execute_batch("DETACH DATABASE IF EXISTS callduck_snapshot");
        copied.with_context(|| format!("copying the database to {}", partial.display()))?;
        detached.context("detaching the snapshot")?;
        let _ = std::fs::remove_file(partial.with_extension("partial.wal"));
        std::fs::rename(&partial, path).with_context(|| format!("replacing {}", path.display()))?;
        Ok(())
    }

    /// Folds the write-ahead log into the database file (after a sync; readers then open fast).
    pub fn checkpoint(&self) -> anyhow::Result<()> {
        self.conn
            .execute_batch("CHECKPOINT")
            .context("checkpointing the DuckDB file")
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The highest migration applied to this file (0 for a file callduck never initialised).
    pub fn schema_version(&self) -> anyhow::Result<i64> {
        let exists: bool = self.conn.query_row(
            "SELECT count(*) > 0 FROM duckdb_tables() WHERE table_name = 'callduck_schema_migrations'",
            [],
            |r| r.get(0),
        )?;
        if !exists {
            return Ok(0);
        }
        Ok(self.conn.query_row(
            "SELECT coalesce(max(version), 0) FROM callduck_schema_migrations",
            [],
            |r| r.get(0),
        )?)
    }

    fn schema_error(&self, what: &str, e: impl std::fmt::Display) -> StoreError {
        StoreError::Schema {
            path: self.path.clone(),
            what: what.to_string(),
            detail: e.to_string(),
        }
    }

    fn migrate(&self) -> Result<(), StoreError> {
        self.conn
            .execute_batch(
                "CREATE TABLE IF NOT EXISTS callduck_schema_migrations (
                     version BIGINT PRIMARY KEY, migration_name VARCHAR NOT NULL,
                     applied_at TIMESTAMP NOT NULL)",
            )
            .map_err(|e| self.schema_error("the migrations table", e))?;
        let current = self
            .schema_version()
            .map_err(|e| self.schema_error("schema version", e))?;
        let supported = latest_schema_version();
        if current > supported {
            return Err(StoreError::NewerSchema {
                path: self.path.clone(),
                found: current,
                supported,
            });
        }
        for (name, sql) in MIGRATIONS {
            let version = migration_version(name);
            if version <= current {
                continue;
            }
            let run = || -> duckdb::Result<()> {
                self.conn.execute_batch("BEGIN TRANSACTION")?;
                self.conn.execute_batch(sql)?;
                self.conn.execute(
                    "INSERT INTO callduck_schema_migrations VALUES (?, ?, ?)",
                    params![version, name, now_utc()],
                )?;
                self.conn.execute_batch("COMMIT")
            };
            if let Err(e) = run() {
                let _ = self.conn.execute_batch("ROLLBACK");
                return Err(self.schema_error(&format!("migration {name}"), e));
            }
            tracing::info!(migration = %name, "applied schema migration");
        }
        Ok(())
    }

    /// Re-creates every view and macro with its comments, then comments the tables. Views may
    /// depend on each other in any file order: a view whose dependency does not exist yet is
    /// retried after the others. Each file is one transaction: one commit instead of one per
    /// statement (a file's `COMMENT ON`s would otherwise cost a WAL sync each).
    fn apply_views(&self) -> Result<(), StoreError> {
        let mut pending: Vec<&(&str, &str)> = VIEWS.iter().collect();
        while !pending.is_empty() {
            let before = pending.len();
            let mut last_error = None;
            pending.retain(|(name, sql)| {
                match self
                    .conn
                    .execute_batch(&format!("BEGIN TRANSACTION;\n{sql}\n;\nCOMMIT;"))
                {
                    Ok(()) => false,
                    Err(e) => {
                        let _ = self.conn.execute_batch("ROLLBACK");
                        last_error = Some((name.to_string(), e.to_string()));
                        true
                    }
                }
            });
            if pending.len() == before {
                let (name, detail) = last_error.expect("a failing view");
                return Err(self.schema_error(&format!("view {name}"), detail));
            }
        }
        self.set_setting(VIEWS_DIGEST_KEY, &views_digest())
            .map_err(|e| self.schema_error("the views digest", format!("{e:#}")))?;
        Ok(())
    }

    /// The stream's watermark: every record that started before it is stored.
    pub fn watermark(&self, stream: &str) -> anyhow::Result<Option<NaiveDateTime>> {
        Ok(self
            .conn
            .query_row(
                "SELECT watermark FROM callduck_sync_state WHERE stream = ?",
                [stream],
                |r| r.get::<_, Option<NaiveDateTime>>(0),
            )
            .optional()?
            .flatten())
    }

    /// Moves a stream's watermark back to `to`, or clears it (`None`: the next sync backfills
    /// again); returns the previous one. Never forward: that would mark unfetched records synced.
    pub fn reset_watermark(
        &self,
        stream: &str,
        to: Option<NaiveDateTime>,
    ) -> anyhow::Result<NaiveDateTime> {
        let current = self.watermark(stream)?.with_context(|| {
            format!("the {stream} stream has no watermark yet: there is nothing to reset")
        })?;
        match to {
            Some(to) => {
                anyhow::ensure!(
                    to <= current,
                    "--to {to} is after the {stream} watermark {current}: a watermark is only moved \
                     back (forward would mark records that were never fetched as synced)"
                );
                self.conn.execute(
                    "UPDATE callduck_sync_state SET watermark = ?, updated_at = ? WHERE stream = ?",
                    params![to, now_utc(), stream],
                )?;
            }
            None => {
                self.conn.execute(
                    "DELETE FROM callduck_sync_state WHERE stream = ?",
                    params![stream],
                )?;
            }
        }
        Ok(current)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> anyhow::Result<()> {
        let current: Option<String> = self
            .conn
            .query_row(
                "SELECT setting_value FROM callduck_settings WHERE setting_key = ?",
                [key],
                |r| r.get(0),
            )
            .optional()?;
        if current.as_deref() != Some(value) {
            self.conn
                .execute(
                    "INSERT OR REPLACE INTO callduck_settings VALUES (?, ?)",
                    [key, value],
                )
                .with_context(|| format!("saving setting {key}"))?;
        }
        Ok(())
    }

    /// Removes a setting (back to its default).
    pub fn unset_setting(&self, key: &str) -> anyhow::Result<()> {
        self.conn
            .execute("DELETE FROM callduck_settings WHERE setting_key = ?", [key])
            .with_context(|| format!("removing setting {key}"))?;
        Ok(())
    }

    pub fn setting(&self, key: &str) -> anyhow::Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT setting_value FROM callduck_settings WHERE setting_key = ?",
                [key],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Records the start of a sync run and returns its id.
    pub fn begin_run(&self) -> anyhow::Result<i64> {
        let run_id: i64 = self.conn.query_row(
            "INSERT INTO callduck_sync_runs (run_id, started_at, run_status)
             SELECT coalesce(max(run_id), 0) + 1, ?, 'running' FROM callduck_sync_runs
             RETURNING run_id",
            [now_utc()],
            |r| r.get(0),
        )?;
        Ok(run_id)
    }

    /// Records how a sync run ended.
    #[allow(clippy::too_many_arguments)]
    pub fn finish_run(
        &self,
        run_id: i64,
        ok: bool,
        new: u64,
        updated: u64,
        quarantined: u64,
        requests: u64,
        responses_429: u64,
        error: Option<&str>,
    ) -> anyhow::Result<()> {
        self.conn.execute(
            "UPDATE callduck_sync_runs SET finished_at = ?, run_status = ?, records_new = ?,
                 records_updated = ?, records_quarantined = ?, requests = ?, responses_429 = ?,
                 error_message = ?
             WHERE run_id = ?",
            params![
                now_utc(),
                if ok { "ok" } else { "failed" },
                new as i64,
                updated as i64,
                quarantined as i64,
                requests as i64,
                responses_429 as i64,
                error,
                run_id
            ],
        )?;
        Ok(())
    }

    /// When the stream's trailing window was last re-scanned in full by a run that succeeded
    /// (that run's end, UTC), if ever.
    pub fn last_full_rescan(&self, stream: &str) -> anyhow::Result<Option<NaiveDateTime>> {
        Ok(self
            .conn
            .query_row(
                "SELECT rescanned_until FROM callduck_full_rescans WHERE stream = ?",
                [stream],
                |r| r.get::<_, NaiveDateTime>(0),
            )
            .optional()?)
    }

    /// Records that run `run_id` re-scanned the stream's trailing window in full, up to `until`;
    /// never moves the time back (a bounded re-run of an old range is not a newer re-scan).
    pub fn record_full_rescan(
        &self,
        stream: &str,
        until: NaiveDateTime,
        run_id: i64,
    ) -> anyhow::Result<()> {
        self.conn
            .execute(
                "INSERT INTO callduck_full_rescans (stream, rescanned_until, run_id, updated_at)
                 VALUES (?, ?, ?, ?)
                 ON CONFLICT (stream) DO UPDATE SET rescanned_until = excluded.rescanned_until,
                     run_id = excluded.run_id, updated_at = excluded.updated_at
                 WHERE excluded.rescanned_until > callduck_full_rescans.rescanned_until",
                params![stream, until, run_id, now_utc()],
            )
            .with_context(|| format!("recording the full re-scan of {stream}"))?;
        Ok(())
    }

    /// Records what a run cost against the rate limit: the hourly limit JustCall's headers
    /// reported (if any) and the streams it re-scanned in full.
    pub fn record_run_budget(
        &self,
        run_id: i64,
        rate_limit_per_hour: Option<u64>,
        full_rescan_streams: &[&str],
    ) -> anyhow::Result<()> {
        self.conn.execute(
            "UPDATE callduck_sync_runs SET rate_limit_per_hour = ?, full_rescan_streams = ?
             WHERE run_id = ?",
            params![
                rate_limit_per_hour.map(|l| l.min(i64::MAX as u64) as i64),
                full_rescan_streams.join(","),
                run_id
            ],
        )?;
        Ok(())
    }

    /// Runs every data test in `sql/tests/`; returns the failing ones with their first rows.
    pub fn run_data_tests(&self) -> anyhow::Result<Vec<(String, usize, String)>> {
        let mut failures = Vec::new();
        for (name, sql) in DATA_TESTS {
            let mut stmt = self
                .conn
                .prepare(sql)
                .with_context(|| format!("data test {name}"))?;
            let mut rows = stmt
                .query([])
                .with_context(|| format!("data test {name}"))?;
            let mut count = 0usize;
            let mut sample = String::new();
            while let Some(row) = rows.next()? {
                if count < 3 {
                    let first: duckdb::types::Value = row.get(0)?;
                    sample.push_str(&format!("{first:?}; "));
                }
                count += 1;
            }
            if count > 0 {
                failures.push((name.to_string(), count, sample));
            }
        }
        Ok(failures)
    }
}

/// Whether two paths name the same file (or would: a file that does not exist yet is compared by
/// its absolute path). DuckDB's write-ahead log sits beside the file as `<file>.wal`.
pub fn same_file(a: &Path, b: &Path) -> bool {
    fn absolute(p: &Path) -> PathBuf {
        if let Ok(c) = p.canonicalize() {
            return c;
        }
        let joined = std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf());
        match (joined.parent(), joined.file_name()) {
            (Some(dir), Some(name)) => dir.canonicalize().map(|d| d.join(name)).unwrap_or(joined),
            _ => joined,
        }
    }
    let (a, b) = (absolute(a), absolute(b));
    let wal = |p: &Path| {
        let mut s = p.as_os_str().to_os_string();
        s.push(".wal");
        PathBuf::from(s)
    };
    a == b || a == wal(&b) || b == wal(&a)
}

/// Something the sync and the export can run their transactions on: a [`Store`] of their own,
/// or the [`SharedStore`] of a long-running process, locked for one transaction at a time.
pub trait StoreAccess {
    /// Runs `f` with the store; with a [`SharedStore`], while holding its writer's lock.
    fn with<R>(&self, f: impl FnOnce(&Store) -> R) -> R;
}

impl StoreAccess for Store {
    fn with<R>(&self, f: impl FnOnce(&Store) -> R) -> R {
        f(self)
    }
}

/// The one writer of a long-running process: one connection behind one lock. Every write takes
/// the lock for one transaction and releases it before any network wait, so the webhook receiver's
/// commits wait at most for one batch, and no two transactions of the process can conflict.
/// Reads that must not wait (the health check, the snapshot) use a [`SharedStore::reader`].
#[derive(Clone)]
pub struct SharedStore(Arc<Mutex<Store>>);

impl SharedStore {
    pub fn new(store: Store) -> SharedStore {
        SharedStore(Arc::new(Mutex::new(store)))
    }

    /// The writer, for one transaction (a poisoned lock is taken over: every write is a whole
    /// transaction, so a panic mid-way left nothing half-written to protect).
    pub fn lock(&self) -> MutexGuard<'_, Store> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on the writer from async code, on a blocking thread.
    pub async fn run<R: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> R + Send + 'static,
    ) -> anyhow::Result<R> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || f(&this.lock()))
            .await
            .map_err(|e| anyhow::anyhow!("a store task failed: {e}"))
    }

    /// A second connection to the same database for reads only: it never waits for the writer
    /// (DuckDB gives it a consistent view of the last commit).
    pub fn reader(&self) -> anyhow::Result<Store> {
        self.lock().try_clone()
    }
}

impl StoreAccess for SharedStore {
    fn with<R>(&self, f: impl FnOnce(&Store) -> R) -> R {
        f(&self.lock())
    }
}

/// The current UTC time without a zone, as every TIMESTAMP column in the store holds it.
pub fn now_utc() -> NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The identifiers of `sql`, comments and string literals (`COMMENT ON ... IS '...'`) left out.
    fn identifiers(sql: &str) -> Vec<String> {
        let mut code = String::new();
        let mut in_string = false;
        for line in sql.lines() {
            let mut chars = line.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '\'' {
                    // A doubled quote inside a literal ends it and opens the next: same effect.
                    in_string = !in_string;
                    code.push(' ');
                } else if in_string {
                    continue;
                } else if c == '-' && chars.peek() == Some(&'-') {
                    break;
                } else {
                    code.push(c);
                }
            }
            code.push('\n');
        }
        code.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect()
    }

    #[test]
    fn identifiers_leave_out_comments_and_literals() {
        let sql = "SELECT a_b, 'raw_x ''crm_y''' AS c -- rpt_z\nFROM stg_q; COMMENT ON VIEW v IS 'rpt_w';";
        assert_eq!(
            identifiers(sql),
            ["select", "a_b", "as", "c", "from", "stg_q", "comment", "on", "view", "v", "is"]
        );
    }

    /// dbt's layering, held by a test: marts and reports read models (staging, other marts), never
    /// the tables the engine loads (`raw_justcall__*`, `crm_*`); marts never read reports.
    #[test]
    fn marts_and_reports_read_only_models() {
        let mut seen = 0;
        for (name, sql) in VIEWS {
            let layer = name.split('/').next().unwrap_or("");
            if layer != "marts" && layer != "reports" {
                continue;
            }
            seen += 1;
            for word in identifiers(sql) {
                assert!(
                    !word.starts_with("raw_justcall__") && !word.starts_with("crm_"),
                    "{name} reads the loaded table {word}: read its staging view instead"
                );
                assert!(
                    layer == "reports" || !word.starts_with("rpt_"),
                    "{name} (a mart) reads the report {word}"
                );
            }
        }
        assert!(seen > 10, "the marts and reports were found ({seen})");
    }

    /// Every table, view, macro and column of the file without a comment: (kind, name, column).
    const UNCOMMENTED: &str = "
        SELECT 'table', table_name, NULL FROM duckdb_tables()
        WHERE database_name = current_database() AND coalesce(trim(comment), '') = ''
        UNION ALL
        SELECT 'view', view_name, NULL FROM duckdb_views()
        WHERE NOT internal AND database_name = current_database() AND coalesce(trim(comment), '') = ''
        UNION ALL
        SELECT 'column', table_name, column_name FROM duckdb_columns()
        WHERE NOT internal AND database_name = current_database() AND coalesce(trim(comment), '') = ''
        UNION ALL
        SELECT function_type, function_name, NULL FROM duckdb_functions()
        WHERE NOT internal AND database_name = current_database() AND coalesce(trim(comment), '') = ''
        ORDER BY ALL";

    fn uncommented(store: &Store) -> Vec<(String, String, Option<String>)> {
        let mut stmt = store.conn().prepare(UNCOMMENTED).unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    /// How many tables, views, macros and columns the file has (each of them must be commented).
    fn objects(store: &Store) -> (i64, i64, i64, i64) {
        store
            .conn()
            .query_row(
                "SELECT (SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()),
                        (SELECT count(*) FROM duckdb_views() WHERE NOT internal AND database_name = current_database()),
                        (SELECT count(*) FROM duckdb_functions() WHERE NOT internal AND database_name = current_database()),
                        (SELECT count(*) FROM duckdb_columns() WHERE NOT internal AND database_name = current_database())",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap()
    }

    /// A self-describing schema: `duckdb_tables()`, `duckdb_views()`, `duckdb_columns()`,
    /// `duckdb_functions()` (and clients such as DBeaver) show what each object means.
    #[test]
    fn every_table_view_macro_and_column_has_a_comment() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("c.duckdb")).unwrap();
        let (tables, views, macros, columns) = objects(&store);
        assert!(
            tables >= 20 && views >= 15 && macros >= 15 && columns >= 380,
            "the objects were found: {tables} tables, {views} views, {macros} macros, {columns} columns"
        );
        let missing = uncommented(&store);
        assert!(
            missing.is_empty(),
            "{} objects without a comment (COMMENT ON in sql/comments/ for tables, next to the \
             CREATE for views and macros): {missing:?}",
            missing.len()
        );
    }

    /// A file written before the comments (or by a version with other ones) gets them when this
    /// version opens it, for writing or for a report.
    #[test]
    fn files_of_older_versions_get_the_comments() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.duckdb");
        let store = Store::open(&path).unwrap();
        let mut stmt = store
            .conn()
            .prepare(
                "SELECT 'COMMENT ON TABLE ' || table_name || ' IS NULL;' FROM duckdb_tables()
                 WHERE database_name = current_database()
                 UNION ALL
                 SELECT 'COMMENT ON VIEW ' || view_name || ' IS NULL;' FROM duckdb_views()
                 WHERE NOT internal AND database_name = current_database()
                 UNION ALL
                 SELECT 'COMMENT ON COLUMN ' || table_name || '.' || column_name || ' IS NULL;'
                 FROM duckdb_columns() WHERE NOT internal AND database_name = current_database()
                 UNION ALL
                 SELECT 'COMMENT ON ' || CASE function_type WHEN 'table_macro' THEN 'MACRO TABLE '
                        ELSE 'MACRO ' END || function_name || ' IS NULL;'
                 FROM duckdb_functions() WHERE NOT internal AND database_name = current_database()",
            )
            .unwrap();
        let strip: String = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        drop(stmt);
        store.conn().execute_batch(&strip).unwrap();
        store
            .set_setting(VIEWS_DIGEST_KEY, "written by an older callduck")
            .unwrap();
        let (tables, views, macros, columns) = objects(&store);
        assert_eq!(
            uncommented(&store).len() as i64,
            tables + views + macros + columns,
            "no comments left"
        );
        drop(store);

        let store = Store::open_for_reading(&path).unwrap();
        assert_eq!(store.views_state().unwrap(), ViewsState::Current);
        assert_eq!(uncommented(&store), vec![]);
    }
}
