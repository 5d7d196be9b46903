package catalog

import (
	"context"
	"database/sql"
	"fmt"
)

// EachVersion calls fn for every stored version, article by article, oldest first, without
// the text. `pravda verify` uses it to check each capture against the archive.
func (c *Catalog) EachVersion(ctx context.Context, fn func(site string, artID int64, v Version) error) error {
	err := eachRow(ctx, c.r, `SELECT a.site, a.art_id, v.n, v.captured_at, v.url, v.status, v.body_hash,
		v.warc_file, v.warc_offset, v.warc_length, v.record_id, v.payload_digest
		FROM versions v JOIN articles a ON a.id = v.article ORDER BY a.id, v.n`, nil,
		func(rows *sql.Rows) error {
			var site, captured string
			var id int64
			var v Version
			if err := rows.Scan(&site, &id, &v.N, &captured, &v.URL, &v.Status, &v.BodyHash,
				&v.WARCFile, &v.WARCOffset, &v.WARCLength, &v.RecordID, &v.PayloadDigest); err != nil {
				return err
			}
			v.CapturedAt = parseTime(captured)
			return fn(site, id, v)
		})
	if err != nil {
		return fmt.Errorf("each version: %w", err)
	}
	return nil
}
