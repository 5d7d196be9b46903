-- Migration 3: daily counts, kept by triggers, backfilled from articles so
-- that the upgrade works on a populated catalog.

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

INSERT INTO daily_counts (day, site, lang, origin_kind, origin_id, n)
SELECT published_day, site, lang, origin_kind, origin_id, COUNT(*)
FROM articles
GROUP BY published_day, site, lang, origin_kind, origin_id;
