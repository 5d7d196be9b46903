package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// BeginRun records the start of a crawl over the given sites and returns its id.
func (c *Catalog) BeginRun(ctx context.Context, sites []string) (int64, error) {
	r, err := c.w.ExecContext(ctx, "INSERT INTO crawl_runs (started_at, sites) VALUES (?, ?)",
		formatTime(time.Now()), clip(strings.Join(sites, ","), maxDesc))
	if err != nil {
		return 0, fmt.Errorf("begin run: %w", err)
	}
	id, err := r.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("begin run: %w", err)
	}
	return id, nil
}

// FinishRun records the end of a run with its status ("ok", "failed",
// "interrupted", ...) and stats, stored as JSON. It first writes out the
// fetch log buffered so far, so the run's log is complete when it is marked
// finished.
func (c *Catalog) FinishRun(ctx context.Context, runID int64, status string, stats any) error {
	b, err := json.Marshal(stats)
	if err != nil {
		return fmt.Errorf("finish run %d: encode stats: %w", runID, err)
	}
	if err := c.fetches.flush(ctx); err != nil {
		return fmt.Errorf("finish run %d: %w", runID, err)
	}
	r, err := c.w.ExecContext(ctx, "UPDATE crawl_runs SET finished_at = ?, status = ?, stats = ? WHERE id = ?",
		formatTime(time.Now()), clip(status, maxShort), string(b), runID)
	if err != nil {
		return fmt.Errorf("finish run %d: %w", runID, err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return fmt.Errorf("finish run %d: %w", runID, ErrNotFound)
	}
	return nil
}

// Run is one crawl as recorded.
type Run struct {
	ID         int64
	StartedAt  time.Time
	FinishedAt time.Time // zero while running, or if the crawl died
	Sites      []string
	Status     string
	Stats      json.RawMessage
}

// Runs lists the most recent runs, newest first.
func (c *Catalog) Runs(ctx context.Context, limit int) ([]Run, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := c.r.QueryContext(ctx, `SELECT id, started_at, finished_at, sites, status, stats
		FROM crawl_runs ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		var r Run
		var started, sites, stats string
		var finished sql.NullString
		if err := rows.Scan(&r.ID, &started, &finished, &sites, &r.Status, &stats); err != nil {
			return nil, fmt.Errorf("list runs: %w", err)
		}
		r.StartedAt, r.FinishedAt = parseTime(started), parseNullTime(finished)
		if sites != "" {
			r.Sites = strings.Split(sites, ",")
		}
		r.Stats = json.RawMessage(stats)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return out, nil
}

// FetchLog is one HTTP request as the fetcher saw it.
type FetchLog struct {
	Run       int64 // 0 outside a run
	URL       string
	Host      string
	Status    int    // 0 if there was no response
	ErrorKind string // timeout, dns, tls, reset, too_large, ...
	Bytes     int64
	StartedAt time.Time
	Duration  time.Duration
}

// Fetch log batching. LogFetch is called once per request, so it only
// appends to memory; rows reach the database in batches, when the buffer
// fills, every flushEvery, on FinishRun and on Close. A crash loses at most
// the last second of a diagnostic log; the WARC files hold the requests.
const (
	fetchBatch = 512
	flushEvery = time.Second
)

type fetchBuffer struct {
	c      *Catalog
	mu     sync.Mutex
	rows   []FetchLog
	dones  []doneMark // frontier URLs finished, written with the log rows
	closed bool

	flushMu sync.Mutex // one flush at a time keeps rows in order
	stopc   chan struct{}
	done    chan struct{}
}

// LogFetch records one request. It is cheap: the row is buffered and written
// with others.
func (c *Catalog) LogFetch(ctx context.Context, f FetchLog) error {
	b := &c.fetches
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return ErrClosed
	}
	b.rows = append(b.rows, f)
	full := len(b.rows) >= fetchBatch
	b.mu.Unlock()
	if full {
		return b.flush(ctx)
	}
	return nil
}

func (b *fetchBuffer) start(c *Catalog) {
	b.c = c
	b.stopc, b.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(b.done)
		t := time.NewTicker(flushEvery)
		defer t.Stop()
		for {
			select {
			case <-b.stopc:
				return
			case <-t.C:
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				if err := b.flush(ctx); err != nil {
					slog.Warn("catalog: fetch log rows dropped", "db", c.path, "err", err)
				}
				cancel()
			}
		}
	}()
}

// stop ends the ticker and writes what is left; LogFetch fails from then on.
func (b *fetchBuffer) stop() error {
	b.mu.Lock()
	if b.closed || b.stopc == nil {
		b.closed = true
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	b.mu.Unlock()
	close(b.stopc)
	<-b.done
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return b.flush(ctx)
}

// flush writes the buffered rows. On failure they are dropped: retrying a
// batch that hit a full disk would only grow memory, and the log is
// diagnostic.
func (b *fetchBuffer) flush(ctx context.Context) error {
	b.flushMu.Lock()
	defer b.flushMu.Unlock()
	b.mu.Lock()
	rows, dones := b.rows, b.dones
	b.rows, b.dones = nil, nil
	b.mu.Unlock()
	if len(rows) == 0 && len(dones) == 0 {
		return nil
	}
	tx, err := b.c.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("write fetch log: %w", err)
	}
	defer tx.Rollback()
	for _, d := range dones {
		if _, err := tx.StmtContext(ctx, b.c.st.frontierDone).ExecContext(ctx, formatTime(d.at), d.url); err != nil {
			return fmt.Errorf("mark %s done: %w", d.url, err)
		}
	}
	st, err := tx.PrepareContext(ctx, `INSERT INTO fetch_log (run, url, host, status, error_kind, bytes,
		started_at, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("write fetch log: %w", err)
	}
	defer st.Close()
	for _, f := range rows {
		started := f.StartedAt
		if started.IsZero() {
			started = time.Now()
		}
		if _, err := st.ExecContext(ctx, nullInt(f.Run), clip(f.URL, maxURL), clip(f.Host, maxShort),
			f.Status, clip(f.ErrorKind, maxShort), f.Bytes, formatTime(started), f.Duration.Milliseconds()); err != nil {
			return fmt.Errorf("write fetch log: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("write fetch log: commit %d rows: %w", len(rows), err)
	}
	return nil
}

// PruneFetchLog deletes fetch log rows older than before and reports how many.
func (c *Catalog) PruneFetchLog(ctx context.Context, before time.Time) (int64, error) {
	r, err := c.w.ExecContext(ctx, "DELETE FROM fetch_log WHERE started_at < ?", formatTime(before))
	if err != nil {
		return 0, fmt.Errorf("prune fetch log: %w", err)
	}
	n, _ := r.RowsAffected()
	return n, nil
}
