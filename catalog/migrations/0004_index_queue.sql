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
