package index

import (
	"log/slog"
	"runtime"
	"time"
)

// Option configures Open.
type Option func(*options)

type options struct {
	lockTimeout time.Duration
	batchSize   int
	workers     int
	storeText   bool
	logger      *slog.Logger
}

func defaults() options {
	return options{
		lockTimeout: 2 * time.Second,
		batchSize:   3000,
		workers:     min(runtime.GOMAXPROCS(0), 4),
		storeText:   true,
		logger:      slog.Default(),
	}
}

// WithLockTimeout bounds how long Open waits for another process to release the index
// before returning ErrLocked. The default is 2 s.
func WithLockTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.lockTimeout = d
		}
	}
}

// WithBatchSize sets how many documents of one month go into one bleve batch (default
// 3,000). Each batch becomes a segment: smaller ones cost more merging, larger ones cost
// more to build (bleve's per-segment term maps outgrow the CPU caches) and memory.
func WithBatchSize(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.batchSize = n
		}
	}
}

// WithWorkers sets how many batches Index builds at once (default: the number of CPUs,
// at most 4). Each holds a batch's documents and analysis in memory.
func WithWorkers(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.workers = n
		}
	}
}

// WithStoredText chooses whether months created from now on store article bodies, which
// highlighting needs (the default, true). Without, bodies are only indexed and Snippet
// stays empty; the index is smaller (Bench measures both). Titles are stored either way,
// and positions are kept either way because phrases need them. Existing months keep the
// mapping they were created with.
func WithStoredText(on bool) Option {
	return func(o *options) { o.storeText = on }
}

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.logger = l
		}
	}
}
