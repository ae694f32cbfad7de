-- When each stream's trailing window was last re-scanned in full, and what each run cost against
-- JustCall's rate limit.
--
-- By default every `callduck sync` re-scans the trailing window (`--trailing-days`, 3) so late
-- notes, dispositions and ratings land at the next run. With `--full-rescan-every 24h` (and under
-- `callduck serve`, daily by default) the runs in between re-scan only a short overlap before the
-- watermark: the full re-scan is due again once `--full-rescan-every` has passed since the time
-- stored here. Only a run that finished without error stores it, so a failed run never counts as
-- a full re-scan, and the cadence survives restarts of cron jobs and servers.
CREATE TABLE callduck_full_rescans (
    stream                VARCHAR   NOT NULL PRIMARY KEY, -- calls | texts
    rescanned_until       TIMESTAMP NOT NULL, -- UTC: the run's end (its now); the trailing window before it was re-read
    run_id                BIGINT    NOT NULL, -- the callduck_sync_runs row that did it
    updated_at            TIMESTAMP NOT NULL  -- UTC, when it was stored
);

-- The hourly limit JustCall's `X-Rate-Limit-Limit` header reported during the run (NULL: no
-- header seen), so `callduck status` can show the share of the plan's budget the runs used; and
-- which streams the run re-scanned in full ('' for none: an overlap run).
ALTER TABLE callduck_sync_runs ADD COLUMN rate_limit_per_hour BIGINT;
ALTER TABLE callduck_sync_runs ADD COLUMN full_rescan_streams VARCHAR;
