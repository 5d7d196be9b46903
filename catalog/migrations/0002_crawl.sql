-- Migration 2: crawl state: runs, the fetch log, the frontier, cursors.

-- One row per crawl.
CREATE TABLE crawl_runs (
  id          INTEGER PRIMARY KEY,
  started_at  TEXT NOT NULL,
  finished_at TEXT,
  sites       TEXT NOT NULL DEFAULT '',       -- comma-separated site names
  status      TEXT NOT NULL DEFAULT 'running',
  stats       TEXT NOT NULL DEFAULT '{}'      -- JSON, as the crawler reports it
);

-- One row per HTTP request. Diagnostic, written in batches; run is not a
-- foreign key so that one bad row cannot lose a batch.
CREATE TABLE fetch_log (
  id          INTEGER PRIMARY KEY,
  run         INTEGER,                    -- crawl_runs.id, NULL outside a run
  url         TEXT NOT NULL,
  host        TEXT NOT NULL DEFAULT '',
  status      INTEGER NOT NULL DEFAULT 0, -- 0 when no response
  error_kind  TEXT NOT NULL DEFAULT '',   -- timeout, dns, tls, reset, too_large, ...
  bytes       INTEGER NOT NULL DEFAULT 0,
  started_at  TEXT NOT NULL,
  duration_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX fetch_log_run ON fetch_log(run);
CREATE INDEX fetch_log_started_at ON fetch_log(started_at);

-- The persistent crawl frontier: a killed crawl resumes from the pending rows.
CREATE TABLE frontier (
  id         INTEGER PRIMARY KEY,         -- insertion order
  url        TEXT NOT NULL UNIQUE,
  site       TEXT NOT NULL DEFAULT '',
  kind       TEXT NOT NULL DEFAULT '',    -- article, listing, origin, ...
  run        INTEGER,                     -- run that first enqueued it
  state      TEXT NOT NULL DEFAULT 'pending', -- pending, done, failed
  attempts   INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  updated_at TEXT NOT NULL
);
CREATE INDEX frontier_pending ON frontier(site, id) WHERE state = 'pending';

-- Small named cursors (newest id per site, last sitemap seen, ...).
CREATE TABLE state (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;
