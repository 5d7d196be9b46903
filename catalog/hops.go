package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Hop is one step of an article's origin chain. Hop 1 is the source the
// article credits; the last hop is the resolved origin.
type Hop struct {
	N          int    // position, 1-based; assigned by SetHops
	Kind       string // telegram, outlet, social, network, other
	URL        string
	Channel    string
	Post       string
	Outlet     string
	Evidence   string // why this hop was taken
	WARCFile   string // capture of the hop's page, if archived
	WARCOffset int64
	OriginTime time.Time // when the hop's page says it was published; zero if unknown
	// Lag is the article's publication time minus OriginTime. It is stored
	// only when OriginTime is known.
	Lag time.Duration
}

// SetHops replaces the origin chain of an article.
func (c *Catalog) SetHops(ctx context.Context, rowID int64, hops []Hop) error {
	if err := c.submitFunc(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return c.setHops(ctx, tx, rowID, hops)
	}); err != nil {
		return fmt.Errorf("set hops of article %d: %w", rowID, err)
	}
	return nil
}

// SetTrace records what tracing found for an article, its origin and its chain, in one
// write shared with other callers' (see group commit).
func (c *Catalog) SetTrace(ctx context.Context, rowID int64, o Origin, hops []Hop) error {
	if err := c.submitFunc(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return c.setTrace(ctx, tx, rowID, o, hops)
	}); err != nil {
		return fmt.Errorf("set trace of article %d: %w", rowID, err)
	}
	return nil
}

func (c *Catalog) setTrace(ctx context.Context, tx *sql.Tx, rowID int64, o Origin, hops []Hop) error {
	clipOrigin(&o)
	// Most traces confirm the origin the credit gave at insert time: the UPDATE writes
	// only a changed origin rather than rewrite the row and run its triggers for nothing.
	// When it writes nothing, the article may still be missing.
	r, err := tx.StmtContext(ctx, c.st.setChangedOrigin).ExecContext(ctx, originArgs(o, rowID)...)
	if err != nil {
		return fmt.Errorf("set origin: %w", err)
	}
	if n, err := r.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		if err := c.mustExist(ctx, tx, rowID); err != nil {
			return err
		}
	}
	return c.writeHops(ctx, tx, rowID, hops)
}

func (c *Catalog) setHops(ctx context.Context, tx *sql.Tx, rowID int64, hops []Hop) error {
	if err := c.mustExist(ctx, tx, rowID); err != nil {
		return err
	}
	return c.writeHops(ctx, tx, rowID, hops)
}

// mustExist is ErrNotFound for an article row that is not there.
func (c *Catalog) mustExist(ctx context.Context, tx *sql.Tx, rowID int64) error {
	var one int
	err := tx.StmtContext(ctx, c.st.articleExists).QueryRowContext(ctx, rowID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// writeHops replaces the hops of an article known to exist.
func (c *Catalog) writeHops(ctx context.Context, tx *sql.Tx, rowID int64, hops []Hop) error {
	if len(hops) > maxHops {
		hops = hops[:maxHops]
	}
	if _, err := tx.StmtContext(ctx, c.st.deleteHops).ExecContext(ctx, rowID); err != nil {
		return err
	}
	ins := tx.StmtContext(ctx, c.st.insertHop)
	for i, h := range hops {
		var lag any
		if !h.OriginTime.IsZero() {
			lag = int64(h.Lag / time.Second)
		}
		_, err := ins.ExecContext(ctx, rowID, i+1, clip(h.Kind, maxShort), clip(h.URL, maxURL),
			clip(h.Channel, maxShort), clip(h.Post, maxShort), clip(h.Outlet, maxShort),
			clip(h.Evidence, maxDesc), clip(h.WARCFile, maxURL), h.WARCOffset, nullTime(h.OriginTime), lag)
		if err != nil {
			return fmt.Errorf("hop %d: %w", i+1, err)
		}
	}
	return nil
}

const hopsQuery = `SELECT n, kind, url, channel, post, outlet, evidence, warc_file, warc_offset,
	origin_time, lag_seconds FROM hops WHERE article = ? ORDER BY n`

func (c *Catalog) readHops(ctx context.Context, tx *sql.Tx, id int64) ([]Hop, error) {
	var hs []Hop
	err := c.rc.each(ctx, tx, hopsQuery, []any{id},
		func(rows *sql.Rows) error {
			var h Hop
			var t sql.NullString
			var lag sql.NullInt64
			err := rows.Scan(&h.N, &h.Kind, &h.URL, &h.Channel, &h.Post, &h.Outlet, &h.Evidence,
				&h.WARCFile, &h.WARCOffset, &t, &lag)
			h.OriginTime, h.Lag = parseNullTime(t), time.Duration(lag.Int64)*time.Second
			hs = append(hs, h)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("hops: %w", err)
	}
	return hs, nil
}
