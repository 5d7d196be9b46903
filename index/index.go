package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	"github.com/blevesearch/bleve/v2/mapping"
	bolterrors "go.etcd.io/bbolt/errors"
)

// ErrLocked is returned by Open when another process holds the index.
var ErrLocked = errors.New("index is locked by another process (is `pravda serve` running?)")

// ErrClosed is returned by calls on a closed Index.
var ErrClosed = errors.New("index: closed")

var monthName = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)

// Index is the set of monthly indexes under one directory. It is safe for concurrent use;
// writes (Index, Delete) are serialised.
type Index struct {
	dir     string
	opts    options
	lock    *os.File
	mapping *mapping.IndexMappingImpl // for new months, and query analysis
	schema  schema

	write  sync.Mutex // serialises Index, Delete and Close
	create sync.Mutex // serialises creating months between Index's workers

	mu     sync.RWMutex // guards months and closed; searches hold it shared
	months map[string]bleve.Index
	closed bool

	cols columnCache // per month, of the snapshot searched last
}

// Open opens or creates the index in dir, one bleve index per month in dir/YYYY-MM
// (dir/undated for documents without a date). It fails with ErrLocked, after at most the
// lock timeout, when another process has the index open.
func Open(dir string, opts ...Option) (*Index, error) {
	o := defaults()
	for _, opt := range opts {
		opt(&o)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	lock, err := lockDir(context.Background(), dir, o.lockTimeout)
	if err != nil {
		return nil, err
	}
	x := &Index{
		dir:     dir,
		opts:    o,
		lock:    lock,
		mapping: newMapping(o.storeText),
		months:  map[string]bleve.Index{},
	}
	if err := x.mapping.Validate(); err != nil { // loads the analyzers, kagome's dictionary too
		x.Close()
		return nil, fmt.Errorf("index mapping: %w", err)
	}
	x.schema = newSchema(x.mapping)
	entries, err := os.ReadDir(dir)
	if err != nil {
		x.Close()
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || !(monthName.MatchString(name) || name == Undated) {
			continue
		}
		p := filepath.Join(dir, name)
		if _, err := os.Stat(filepath.Join(p, "index_meta.json")); errors.Is(err, os.ErrNotExist) {
			// Creation was interrupted before bleve wrote its metadata: nothing in it can
			// be read, and the catalog will feed its documents again.
			o.logger.Warn("index: removing half-created month", "path", p)
			if err := os.RemoveAll(p); err != nil {
				x.Close()
				return nil, fmt.Errorf("remove %s: %w", p, err)
			}
			continue
		}
		idx, err := bleve.OpenUsing(p, runtimeConfig(o))
		if err != nil {
			x.Close()
			if errors.Is(err, bolterrors.ErrTimeout) {
				return nil, fmt.Errorf("%w: %s", ErrLocked, p)
			}
			return nil, fmt.Errorf("open %s: %w", p, err)
		}
		idx.SetName(name)
		if idx.Mapping().FieldMappingForPath(fieldWhen).Type == "" {
			// Made before the when field: its documents are found, but no date filter
			// or date order sees them until the index is rebuilt.
			o.logger.Warn("index: month predates the when field; run `pravda reindex --index-only`", "month", name)
		}
		x.months[name] = idx
	}
	return x, nil
}

// Close closes every month and releases the lock.
func (x *Index) Close() error {
	x.write.Lock()
	defer x.write.Unlock()
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return nil
	}
	x.closed = true
	var errs []error
	for name, idx := range x.months {
		if err := idx.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close %s: %w", name, err))
		}
	}
	x.months = nil
	x.cols.forget()
	if err := unlockDir(x.lock); err != nil {
		errs = append(errs, fmt.Errorf("unlock %s: %w", x.dir, err))
	}
	return errors.Join(errs...)
}

// Months lists the months that have an index, oldest first.
func (x *Index) Months() []string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	out := make([]string, 0, len(x.months))
	for m := range x.months {
		out = append(out, m)
	}
	slices.Sort(out)
	return out
}

// Count returns the number of documents in the index.
func (x *Index) Count() (uint64, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return 0, ErrClosed
	}
	var n uint64
	for name, idx := range x.months {
		c, err := idx.DocCount()
		if err != nil {
			return 0, fmt.Errorf("count %s: %w", name, err)
		}
		n += c
	}
	return n, nil
}

// month returns the index of a month, creating it if asked. The caller holds x.write.
func (x *Index) month(name string, create bool) (bleve.Index, error) {
	x.mu.RLock()
	idx, ok := x.months[name]
	closed := x.closed
	x.mu.RUnlock()
	if closed {
		return nil, ErrClosed
	}
	if ok || !create {
		return idx, nil
	}
	x.create.Lock()
	defer x.create.Unlock()
	x.mu.RLock()
	idx, ok = x.months[name]
	x.mu.RUnlock()
	if ok {
		return idx, nil // another worker made it meanwhile
	}
	p := filepath.Join(x.dir, name)
	idx, err := bleve.NewUsing(p, x.mapping, scorch.Name, scorch.Name, runtimeConfig(x.opts))
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", p, err)
	}
	idx.SetName(name)
	x.mu.Lock()
	x.months[name] = idx
	x.mu.Unlock()
	x.opts.logger.Debug("index: new month", "month", name, "path", p)
	return idx, nil
}

// ForceMerge merges a month down to one segment. Run it on a month that no longer
// receives articles: its searches get faster and its files fewer. Searches go on meanwhile.
func (x *Index) ForceMerge(ctx context.Context, month string) error {
	if !monthName.MatchString(month) && month != Undated {
		return fmt.Errorf("force merge: bad month %q (want YYYY-MM)", month)
	}
	x.mu.RLock()
	idx, ok := x.months[month]
	closed := x.closed
	x.mu.RUnlock()
	if closed {
		return ErrClosed
	}
	if !ok {
		return fmt.Errorf("force merge: no index for %s", month)
	}
	adv, err := idx.Advanced()
	if err != nil {
		return fmt.Errorf("force merge %s: %w", month, err)
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return fmt.Errorf("force merge %s: %T is not a scorch index", month, adv)
	}
	opts := mergeplan.SingleSegmentMergePlanOptions
	if err := s.ForceMerge(ctx, &opts); err != nil {
		return fmt.Errorf("force merge %s: %w", month, err)
	}
	return ctx.Err()
}

// runtimeConfig is scorch's configuration for a month. bolt_timeout bounds the wait for
// bolt's file lock, which would otherwise block forever behind another process;
// unsafe_batch lets ingest pipeline batches (see flight).
func runtimeConfig(o options) map[string]any {
	return map[string]any{
		"bolt_timeout": o.lockTimeout.String(),
		"unsafe_batch": true,
	}
}
