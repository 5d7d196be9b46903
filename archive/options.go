package archive

import (
	"io"
	"log/slog"
	"time"
)

// Option configures a Writer.
type Option func(*config)

type config struct {
	maxFileSize int64
	prefix      string
	software    string
	logger      *slog.Logger
	syncEvery   int
	dedupe      bool
	dedupeLimit int
	info        Fields
	now         func() time.Time
}

func defaultConfig() config {
	return config{
		maxFileSize: 1 << 30,
		prefix:      "pravda",
		software:    "pravda-archive/0.1",
		logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		dedupe:      true,
		now:         time.Now,
	}
}

// WithMaxFileSize rotates to a new WARC file once the current one would grow
// past n bytes (compressed). A single record larger than n still gets a file
// of its own. Default 1 GiB.
func WithMaxFileSize(n int64) Option {
	return func(c *config) {
		if n > 0 {
			c.maxFileSize = n
		}
	}
}

// WithPrefix sets the file name prefix. Default "pravda".
func WithPrefix(p string) Option {
	return func(c *config) {
		if p != "" {
			c.prefix = p
		}
	}
}

// WithSoftware sets the software field of each warcinfo record.
func WithSoftware(s string) Option { return func(c *config) { c.software = s } }

// WithLogger sets where repairs, rotations and write failures are logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.logger = l
		}
	}
}

// WithSyncEvery fsyncs the current file after every n writes. Records are
// always written to the file before RoundTrip returns, which survives a
// killed process; fsync only matters for power loss. Files are always synced
// on rotation and Close. Default 0: only then.
func WithSyncEvery(n int) Option { return func(c *config) { c.syncEvery = n } }

// WithDedupe turns revisit records for unchanged payloads on or off.
// Default on.
func WithDedupe(on bool) Option { return func(c *config) { c.dedupe = on } }

// WithDedupeLimit sets how many recent captures the Writer remembers for
// revisit records (DefaultDedupeLimit, about 100 bytes each, if n <= 0). An
// identical payload whose original was forgotten is archived in full.
func WithDedupeLimit(n int) Option { return func(c *config) { c.dedupeLimit = n } }

// WithInfo adds a field to each warcinfo record, such as operator or
// isPartOf.
func WithInfo(name, value string) Option {
	return func(c *config) { c.info = append(c.info, Field{name, value}) }
}
