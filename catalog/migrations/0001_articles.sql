-- Migration 1: the article store. See schema.sql for the column notes.

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
