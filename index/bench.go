package index

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"text/tabwriter"
	"time"
)

// BenchConfig sizes a Bench run.
type BenchConfig struct {
	Docs    int       // synthetic articles to index (default 20,000)
	Dir     string    // parent of the scratch directory, removed afterwards (default os.TempDir())
	Out     io.Writer // where the table goes (nil: nowhere)
	Queries int       // timed queries per engine (default 100); the 365-day series runs a fifth as many
	Seed    uint64    // generator seed (default 1)
	NoLean  bool      // leave out the lean engine (bodies not stored): a third less time
}

// BenchResult is what Bench measured, one row per engine: ours (text stored for
// highlighting, the default), ours lean (bodies not stored), and the SQLite FTS5 peer.
type BenchResult struct {
	Docs    int
	CPUs    int
	Load    string // 1-minute load average at the end, where known
	Engines []EngineStats
}

// EngineStats is one engine's measurements.
type EngineStats struct {
	Engine     string
	Ingest     time.Duration // indexing time, article generation excluded
	DocsPerSec float64
	// IngestCPU is the process CPU time spent indexing; DocsPerCPUSec divides by it, a
	// rate a machine shared with other work distorts less than DocsPerSec.
	IngestCPU     time.Duration
	DocsPerCPUSec float64
	// Settle is the time the maintenance before the queries took (settle, above).
	Settle    time.Duration
	DiskBytes int64 // on disk after close
	// QueryP50 and QueryP95 time a two-term query returning the ten best hits and the
	// hit count per site.
	QueryP50, QueryP95 time.Duration
	// SeriesP50 and SeriesP95 time per-day counts of a one-term query over 365 days.
	SeriesP50, SeriesP95 time.Duration
	MeanHits             float64 // mean hits of the two-term queries: stemming finds more
}

type benchEngine interface {
	ingest(ctx context.Context, docs []Doc) error
	// settle is the maintenance the engine's owner runs once the data stops changing,
	// before the queries: ours merges closed months (as every sync does), FTS5 optimizes.
	settle(ctx context.Context) error
	search(ctx context.Context, q benchQuery) (int, error)
	series(ctx context.Context, q benchQuery, from, to time.Time) ([]DayCount, error)
	close() error
}

// Bench generates cfg.Docs articles in Japanese, Russian, French, German and English
// (Zipf-distributed words over a 20,000-word vocabulary per language, spread over 2025),
// indexes them into this package's index, stored and lean, and into SQLite FTS5, and
// measures ingest rate, disk use, query latency and 365-day count series for each. It
// prints a table to cfg.Out.
func Bench(ctx context.Context, cfg BenchConfig) (BenchResult, error) {
	if cfg.Docs <= 0 {
		cfg.Docs = 20000
	}
	if cfg.Queries <= 0 {
		cfg.Queries = 100
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	if cfg.Dir == "" {
		cfg.Dir = os.TempDir()
	}
	work, err := os.MkdirTemp(cfg.Dir, "index-bench-")
	if err != nil {
		return BenchResult{}, fmt.Errorf("bench dir: %w", err)
	}
	defer os.RemoveAll(work)

	res := BenchResult{Docs: cfg.Docs, CPUs: runtime.GOMAXPROCS(0)}
	engines := []struct {
		name string
		open func(dir string) (benchEngine, error)
	}{
		{"bleve (text stored)", func(dir string) (benchEngine, error) { return openBleveEngine(dir, true) }},
		{"bleve lean", func(dir string) (benchEngine, error) { return openBleveEngine(dir, false) }},
		{"sqlite fts5 (peer)", func(dir string) (benchEngine, error) { return openFTS(dir) }},
	}
	for i, e := range engines {
		if cfg.NoLean && e.name == "bleve lean" {
			continue
		}
		dir := filepath.Join(work, fmt.Sprint(i))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return res, err
		}
		st, err := benchEngineRun(ctx, cfg, e.name, dir, e.open)
		if err != nil {
			return res, fmt.Errorf("bench %s: %w", e.name, err)
		}
		res.Engines = append(res.Engines, st)
	}
	res.Load = loadAverage()
	res.print(cfg.Out)
	return res, nil
}

func benchEngineRun(ctx context.Context, cfg BenchConfig, name, dir string, open func(string) (benchEngine, error)) (EngineStats, error) {
	st := EngineStats{Engine: name}
	eng, err := open(dir)
	if err != nil {
		return st, err
	}
	defer func() {
		if eng != nil {
			eng.close()
		}
	}()
	gen := newBenchGen(cfg.Seed, cfg.Docs)
	const chunk = 10000
	for left := cfg.Docs; left > 0; left -= chunk {
		docs := gen.docs(min(chunk, left))
		start, cpu := time.Now(), cpuTime()
		if err := eng.ingest(ctx, docs); err != nil {
			return st, err
		}
		st.Ingest += time.Since(start)
		st.IngestCPU += cpuTime() - cpu
	}
	st.DocsPerSec = float64(cfg.Docs) / st.Ingest.Seconds()
	if st.IngestCPU > 0 {
		st.DocsPerCPUSec = float64(cfg.Docs) / st.IngestCPU.Seconds()
	}

	start := time.Now()
	if err := eng.settle(ctx); err != nil {
		return st, err
	}
	st.Settle = time.Since(start)

	// Same queries for every engine: a generator of their own, seeded alike.
	qgen := newBenchGen(cfg.Seed+1, 1)
	for range 20 { // warm caches, as a server would be
		if _, err := eng.search(ctx, qgen.query(2)); err != nil {
			return st, err
		}
	}
	var took []time.Duration
	hits := 0
	for range cfg.Queries {
		q := qgen.query(2)
		start := time.Now()
		n, err := eng.search(ctx, q)
		if err != nil {
			return st, fmt.Errorf("query %q: %w", q, err)
		}
		took = append(took, time.Since(start))
		hits += n
	}
	st.QueryP50, st.QueryP95 = percentiles(took)
	st.MeanHits = float64(hits) / float64(cfg.Queries)

	took = took[:0]
	from, to := benchYear, benchYear.AddDate(1, 0, 0)
	for range max(cfg.Queries/5, 5) {
		q := qgen.query(1)
		start := time.Now()
		if _, err := eng.series(ctx, q, from, to); err != nil {
			return st, fmt.Errorf("series %q: %w", q, err)
		}
		took = append(took, time.Since(start))
	}
	st.SeriesP50, st.SeriesP95 = percentiles(took)

	err = eng.close()
	eng = nil
	if err != nil {
		return st, err
	}
	st.DiskBytes, err = diskUsage(dir)
	return st, err
}

func percentiles(d []time.Duration) (p50, p95 time.Duration) {
	if len(d) == 0 {
		return 0, 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[(len(s)-1)/2], s[(len(s)-1)*95/100]
}

func diskUsage(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			n += info.Size()
		}
		return nil
	})
	return n, err
}

func (r BenchResult) print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	load := ""
	if r.Load != "" {
		load = ", load average " + r.Load
	}
	fmt.Fprintf(w, "index bench: %d articles (ja ru fr de en), %d CPUs%s\n", r.Docs, r.CPUs, load)
	fmt.Fprintln(tw, "engine\tingest docs/s\tdocs/cpu-s\tsettle s\tdisk MB\tquery p50\tquery p95\tseries p50\tseries p95\tmean hits\t")
	for _, e := range r.Engines {
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%.1f\t%.1f\t%s\t%s\t%s\t%s\t%.0f\t\n", e.Engine, e.DocsPerSec, e.DocsPerCPUSec, e.Settle.Seconds(), float64(e.DiskBytes)/1e6,
			ms(e.QueryP50), ms(e.QueryP95), ms(e.SeriesP50), ms(e.SeriesP95), e.MeanHits)
	}
	if len(r.Engines) >= 2 {
		peer := r.Engines[len(r.Engines)-1]
		for _, e := range r.Engines[:len(r.Engines)-1] {
			fmt.Fprintf(tw, "%s / peer\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", e.Engine,
				ratio(e.DocsPerSec, peer.DocsPerSec), ratio(e.DocsPerCPUSec, peer.DocsPerCPUSec), ratio(e.Settle.Seconds(), peer.Settle.Seconds()), ratio(float64(e.DiskBytes), float64(peer.DiskBytes)),
				ratio(float64(e.QueryP50), float64(peer.QueryP50)), ratio(float64(e.QueryP95), float64(peer.QueryP95)),
				ratio(float64(e.SeriesP50), float64(peer.SeriesP50)), ratio(float64(e.SeriesP95), float64(peer.SeriesP95)),
				ratio(e.MeanHits, peer.MeanHits))
		}
	}
	tw.Flush()
	if len(r.Engines) > 0 {
		e := r.Engines[0]
		fmt.Fprintf(w, "targets (%s): ingest >= 2000 docs/s %s, query p95 < 100 ms %s, 365-day series < 50 ms %s\n",
			e.Engine, verdict(e.DocsPerSec >= 2000), verdict(e.QueryP95 < 100*time.Millisecond), verdict(e.SeriesP95 < 50*time.Millisecond))
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }

func ratio(a, b float64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", a/b)
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

// bleveEngine adapts Index to the bench.
type bleveEngine struct{ x *Index }

func openBleveEngine(dir string, storeText bool) (benchEngine, error) {
	x, err := Open(dir, WithStoredText(storeText))
	if err != nil {
		return nil, err
	}
	return &bleveEngine{x: x}, nil
}

func (b *bleveEngine) ingest(ctx context.Context, docs []Doc) error { return b.x.Index(ctx, docs) }

func (b *bleveEngine) search(ctx context.Context, q benchQuery) (int, error) {
	res, err := b.x.search(ctx, Request{Query: q.String(), Size: 10, Facets: true}, []string{"site"})
	if err != nil {
		return 0, err
	}
	return int(res.Total), nil
}

func (b *bleveEngine) series(ctx context.Context, q benchQuery, from, to time.Time) ([]DayCount, error) {
	return b.x.DayCounts(ctx, Request{Query: q.String(), From: from, To: to})
}

func (b *bleveEngine) close() error { return b.x.Close() }

// settle merges the closed months, as syncIndex does after every sync (the articles are
// dated 2025). ForceMerge returns once the merged segments are in place.
func (b *bleveEngine) settle(ctx context.Context) error {
	_, err := b.x.MergeClosed(ctx, time.Now(), DefaultMergeGrace)
	return err
}
