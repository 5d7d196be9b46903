-- catalog.db: the research catalog of the Pravda-network archive.
--
-- This file documents the current schema, table by table. It is not executed:
-- databases are built and upgraded by the numbered files in migrations/, and a
-- test keeps the two identical (comments and layout aside). PRAGMA user_version
-- holds the number of the last migration applied.
--
-- Everything here is derived from the WARC files and can be rebuilt from them.
--
-- Conventions
--   * Instants are TEXT in UTC, fixed width, "2006-01-02T15:04:05.000Z", so
--     they sort and compare as text and SQLite's date functions read them.
--   * articles.published keeps the site's own UTC offset (RFC 3339), because
--     the site-local date is what the article URL and daily counts use.
--   * Days are TEXT "YYYY-MM-DD".
--   * Missing text is '' rather than NULL; NULL is kept for "not yet"
--     (deleted_at, finished_at, story_id, lag_seconds, ...).
--   * A site is a name such as "japan", or "canada/en" for a language edition
--     living on another site's host.

-- One row per network site, from seeds/. Articles do not reference this table
-- by a foreign key: retired and unseeded sites keep their articles.
CREATE TABLE sites (
  name    TEXT PRIMARY KEY,          -- "japan", "canada/en"
  host    TEXT NOT NULL DEFAULT '',  -- "japan.news-pravda.com"
  display TEXT NOT NULL DEFAULT '',  -- "Pravda Nihon"
  langs   TEXT NOT NULL DEFAULT '',  -- comma-separated ISO 639-1 codes: "ja" or "fr,en"
  country TEXT NOT NULL DEFAULT '',  -- ISO 3166 alpha-2 of the target audience, '' for themes
  kind    TEXT NOT NULL DEFAULT ''   -- country, language, theme, legacy, ...
);

-- Registry of known origins (outlets, Telegram channels, social accounts), from
-- seeds/. articles.origin_id joins to origins.id.
CREATE TABLE origins (
  id       TEXT PRIMARY KEY,          -- outlet id ("tass") or Telegram channel ("rusembjp")
  kind     TEXT NOT NULL DEFAULT '',  -- telegram, outlet, social, official, network, other
  name     TEXT NOT NULL DEFAULT '',  -- display name
  owner    TEXT NOT NULL DEFAULT '',  -- who controls it, e.g. "Russian state"
  platform TEXT NOT NULL DEFAULT '',  -- telegram, vk, web, ...
  country  TEXT NOT NULL DEFAULT '',
  url      TEXT NOT NULL DEFAULT ''   -- home page or channel URL
);

-- Groups of articles that carry one story across language editions.
CREATE TABLE stories (
  id         INTEGER PRIMARY KEY,
  method     TEXT NOT NULL,           -- how the group was found: alternates, image, text, ...
  created_at TEXT NOT NULL
);

-- One row per article, identified by (site, art_id): the per-site integer id of
-- the article URL. A host move, an AMP copy or a legacy alias is the same row.
-- The descriptive columns hold the newest version's values.
CREATE TABLE articles (
  id              INTEGER PRIMARY KEY,       -- catalog row id, referenced by the tables below
  site            TEXT NOT NULL,
  art_id          INTEGER NOT NULL,          -- the id in the article URL
  canonical_url   TEXT NOT NULL DEFAULT '',  -- <link rel=canonical>
  url             TEXT NOT NULL DEFAULT '',  -- the URL last fetched
  lang            TEXT NOT NULL DEFAULT '',
  category        TEXT NOT NULL DEFAULT '',
  title           TEXT NOT NULL DEFAULT '',
  published       TEXT NOT NULL DEFAULT '',  -- RFC 3339 with the site's offset, '' if unknown
  published_day   TEXT NOT NULL,             -- site-local publication day; first_seen's UTC day if unknown
  first_seen      TEXT NOT NULL,             -- earliest capture
  last_seen       TEXT NOT NULL,             -- latest capture that answered with the article
  deleted_at      TEXT,                      -- first 404/410 after last_seen; NULL while it answers
  delete_status   INTEGER,                   -- the HTTP status that marked it deleted
  current_version INTEGER NOT NULL,          -- versions.n of the newest capture
  source_title    TEXT NOT NULL DEFAULT '',  -- the credit line as printed
  source_url      TEXT NOT NULL DEFAULT '',  -- data-source-url as printed
  og_title        TEXT NOT NULL DEFAULT '',
  og_description  TEXT NOT NULL DEFAULT '',
  origin_kind     TEXT NOT NULL DEFAULT '',  -- resolved origin: telegram, outlet, social, network, other
  origin_outlet   TEXT NOT NULL DEFAULT '',  -- outlet id, e.g. "tass"
  origin_owner    TEXT NOT NULL DEFAULT '',
  origin_channel  TEXT NOT NULL DEFAULT '',  -- Telegram channel
  origin_post     TEXT NOT NULL DEFAULT '',  -- Telegram post number
  origin_platform TEXT NOT NULL DEFAULT '',
  origin_url      TEXT NOT NULL DEFAULT '',  -- end of the origin chain
  origin_site     TEXT NOT NULL DEFAULT '',  -- for a network origin: its site ...
  origin_art_id   INTEGER,                   -- ... and article id
  origin_id       TEXT NOT NULL DEFAULT '',  -- origin_outlet, else origin_channel, else ''
  story_id        INTEGER REFERENCES stories(id) ON DELETE SET NULL,
  UNIQUE (site, art_id)
);
CREATE INDEX articles_published_day ON articles(published_day);
CREATE INDEX articles_first_seen ON articles(first_seen);
CREATE INDEX articles_source_url ON articles(source_url);
CREATE INDEX articles_origin_url ON articles(origin_url);
CREATE INDEX articles_story ON articles(story_id) WHERE story_id IS NOT NULL;
CREATE INDEX articles_deleted ON articles(site) WHERE deleted_at IS NOT NULL;

-- Every distinct body an article has had. A capture whose body_hash equals the
-- current version's only moves articles.last_seen; any other capture is a new
-- version, and all versions are kept.
CREATE TABLE versions (
  article        INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  n              INTEGER NOT NULL,          -- 1, 2, ... in the order recorded
  captured_at    TEXT NOT NULL,             -- WARC-Date of the response
  url            TEXT NOT NULL DEFAULT '',  -- the URL fetched
  status         INTEGER NOT NULL DEFAULT 0,
  body_hash      TEXT NOT NULL,             -- hash of the extracted body: what "changed" means
  title          TEXT NOT NULL DEFAULT '',
  text           TEXT NOT NULL DEFAULT '',  -- extracted plain text
  warc_file      TEXT NOT NULL DEFAULT '',  -- where the raw response is
  warc_offset    INTEGER NOT NULL DEFAULT 0,
  warc_length    INTEGER NOT NULL DEFAULT 0,
  record_id      TEXT NOT NULL DEFAULT '',  -- WARC-Record-ID
  payload_digest TEXT NOT NULL DEFAULT '',  -- WARC-Payload-Digest
  etag           TEXT NOT NULL DEFAULT '',  -- newest validators seen for this body,
  last_modified  TEXT NOT NULL DEFAULT '',  -- for conditional GETs
  PRIMARY KEY (article, n)
);

-- Every URL an article has been fetched or canonicalised under: hosts it
-- moved from, AMP copies, legacy aliases. One index for lookups by URL.
CREATE TABLE urls (
  url     TEXT NOT NULL,
  article INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  PRIMARY KEY (url, article)
) WITHOUT ROWID;

-- hreflang alternates: the same story on other language sites.
CREATE TABLE alternates (
  article INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  lang    TEXT NOT NULL,
  url     TEXT NOT NULL,
  PRIMARY KEY (article, url)
) WITHOUT ROWID;
CREATE INDEX alternates_url ON alternates(url);

-- Images of an article. The md5 in /img/YYYYMMDD/<md5>.jpg recurs across the
-- language editions of one story.
CREATE TABLE images (
  article INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  url     TEXT NOT NULL,
  md5     TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (article, url)
) WITHOUT ROWID;
CREATE INDEX images_md5 ON images(md5) WHERE md5 <> '';

-- The origin chain of an article, hop by hop: n = 1 is the source the article
-- credits, the last hop is the resolved origin (articles.origin_*).
CREATE TABLE hops (
  article     INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  n           INTEGER NOT NULL,
  kind        TEXT NOT NULL DEFAULT '',  -- telegram, outlet, social, network, other
  url         TEXT NOT NULL DEFAULT '',
  channel     TEXT NOT NULL DEFAULT '',
  post        TEXT NOT NULL DEFAULT '',
  outlet      TEXT NOT NULL DEFAULT '',
  evidence    TEXT NOT NULL DEFAULT '',  -- why this hop was taken
  warc_file   TEXT NOT NULL DEFAULT '',  -- capture of the hop's page, if archived
  warc_offset INTEGER NOT NULL DEFAULT 0,
  origin_time TEXT,                      -- when the hop's page says it was published
  lag_seconds INTEGER,                   -- article published minus origin_time; NULL if unknown
  PRIMARY KEY (article, n)
);
CREATE INDEX hops_url ON hops(url);

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

-- Articles per publication day, site, language and origin. origin_id is the
-- outlet id, else the Telegram channel, else ''. Kept exact by the triggers
-- below, inside the transaction that writes the article: a new article adds
-- one, a new version that changes a key moves one, a deletion of the row
-- (never done by the catalog itself) removes one. Marking an article deleted
-- does not change counts: it was published.
CREATE TABLE daily_counts (
  day         TEXT NOT NULL,
  site        TEXT NOT NULL,
  lang        TEXT NOT NULL,
  origin_kind TEXT NOT NULL,
  origin_id   TEXT NOT NULL,
  n           INTEGER NOT NULL,
  PRIMARY KEY (day, site, lang, origin_kind, origin_id)
) WITHOUT ROWID;

CREATE TRIGGER daily_counts_insert AFTER INSERT ON articles
BEGIN
  INSERT INTO daily_counts (day, site, lang, origin_kind, origin_id, n)
  VALUES (NEW.published_day, NEW.site, NEW.lang, NEW.origin_kind, NEW.origin_id, 1)
  ON CONFLICT (day, site, lang, origin_kind, origin_id) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER daily_counts_update
AFTER UPDATE OF published_day, site, lang, origin_kind, origin_id ON articles
WHEN OLD.published_day IS NOT NEW.published_day OR OLD.site IS NOT NEW.site
  OR OLD.lang IS NOT NEW.lang OR OLD.origin_kind IS NOT NEW.origin_kind
  OR OLD.origin_id IS NOT NEW.origin_id
BEGIN
  UPDATE daily_counts SET n = n - 1
  WHERE day = OLD.published_day AND site = OLD.site AND lang = OLD.lang
    AND origin_kind = OLD.origin_kind AND origin_id = OLD.origin_id;
  DELETE FROM daily_counts
  WHERE day = OLD.published_day AND site = OLD.site AND lang = OLD.lang
    AND origin_kind = OLD.origin_kind AND origin_id = OLD.origin_id AND n <= 0;
  INSERT INTO daily_counts (day, site, lang, origin_kind, origin_id, n)
  VALUES (NEW.published_day, NEW.site, NEW.lang, NEW.origin_kind, NEW.origin_id, 1)
  ON CONFLICT (day, site, lang, origin_kind, origin_id) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER daily_counts_delete AFTER DELETE ON articles
BEGIN
  UPDATE daily_counts SET n = n - 1
  WHERE day = OLD.published_day AND site = OLD.site AND lang = OLD.lang
    AND origin_kind = OLD.origin_kind AND origin_id = OLD.origin_id;
  DELETE FROM daily_counts
  WHERE day = OLD.published_day AND site = OLD.site AND lang = OLD.lang
    AND origin_kind = OLD.origin_kind AND origin_id = OLD.origin_id AND n <= 0;
END;

-- The search index is fed from here: every article inserted, or changed in a way the index
-- shows (new version, title, origin, story, deletion), is queued in the same transaction by
-- triggers, and leaves the queue only once indexed. A crash between catalog and index
-- therefore loses nothing: the next sync picks the article up again.
CREATE TABLE index_queue (
  article INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE
);

CREATE TRIGGER index_queue_insert AFTER INSERT ON articles BEGIN
  INSERT OR IGNORE INTO index_queue (article) VALUES (new.id);
END;

CREATE TRIGGER index_queue_update AFTER UPDATE OF
  current_version, title, lang, category, published, origin_kind, origin_outlet,
  origin_channel, story_id, deleted_at ON articles BEGIN
  INSERT OR IGNORE INTO index_queue (article) VALUES (new.id);
END;
