package catalog

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Readers keep reading consistent data while one goroutine writes articles,
// another the fetch log, and a second Catalog on the same file (the CLI while
// the daemon runs) writes too: no SQLITE_BUSY, no torn reads.
func TestConcurrentReadersWhileWriting(t *testing.T) {
	ctx := context.Background()
	n := 400
	if testing.Short() {
		n = 150
	}
	path := filepath.Join(t.TempDir(), "catalog.db")
	c, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	other, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	body := strings.Repeat("ロシア外務省のザハロワ報道官は記者会見で述べた。", 40)
	var writing atomic.Bool
	writing.Store(true)
	var wg sync.WaitGroup
	errc := make(chan error, 16)
	fail := func(err error) {
		select {
		case errc <- err:
		default:
		}
	}

	wg.Add(1)
	go func() { // the crawler
		defer wg.Done()
		defer writing.Store(false)
		for i := 1; i <= n; i++ {
			a := sample(int64(i))
			if _, err := c.PutArticle(ctx, a, capture(body+fmt.Sprint(i), t0.Add(time.Duration(i)*time.Second))); err != nil {
				fail(err)
				return
			}
			if i%50 == 0 {
				mustPutEdit := capture(body+"edited", t0.Add(time.Duration(i)*time.Second+time.Millisecond))
				if _, err := c.PutArticle(ctx, a, mustPutEdit); err != nil {
					fail(err)
					return
				}
			}
		}
	}()
	wg.Add(1)
	go func() { // the fetcher's log and cursors
		defer wg.Done()
		for i := 0; writing.Load(); i++ {
			if err := c.LogFetch(ctx, FetchLog{URL: fmt.Sprint("https://japan.news-pravda.com/", i), StartedAt: time.Now()}); err != nil {
				fail(err)
				return
			}
			if i%50 == 0 {
				if err := other.SetState(ctx, "cli/cursor", fmt.Sprint(i)); err != nil {
					fail(fmt.Errorf("second process: %w", err))
					return
				}
			}
			time.Sleep(100 * time.Microsecond)
		}
	}()

	var reads atomic.Int64
	for r := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(r), 7))
			var last int64
			for writing.Load() {
				newest, err := c.NewestID(ctx, "japan")
				if err != nil {
					fail(err)
					return
				}
				if newest < last {
					fail(fmt.Errorf("newest id went back from %d to %d", last, newest))
					return
				}
				last = newest
				if newest == 0 {
					continue
				}
				id := 1 + rng.Int64N(newest)
				a, err := c.Article(ctx, "japan", id)
				if err != nil {
					fail(fmt.Errorf("article %d of %d: %w", id, newest, err))
					return
				}
				if len(a.Versions) == 0 || a.Versions[a.CurrentVersion-1].N != a.CurrentVersion || len(a.Alternates) != 2 {
					fail(fmt.Errorf("torn article %d: %d versions, current %d", id, len(a.Versions), a.CurrentVersion))
					return
				}
				rows, err := c.DailyCounts(ctx, CountQuery{Sites: []string{"japan"}})
				if err != nil {
					fail(err)
					return
				}
				if len(rows) != 1 || rows[0].N < newest {
					fail(fmt.Errorf("counts %v behind newest id %d", rows, newest))
					return
				}
				reads.Add(1)
				time.Sleep(200 * time.Microsecond) // leave the writer a core
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	if reads.Load() < 10 {
		t.Fatalf("only %d reads completed while writing", reads.Load())
	}
	st, err := c.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Articles != int64(n) || st.Versions != int64(n+n/50) {
		t.Fatalf("stats %+v", st)
	}
	t.Logf("%d articles written, %d consistent reads meanwhile", n, reads.Load())
}

// A read transaction must never wait for a second connection of the read
// pool: with all of them held that way, none would come free. One
// connection and an empty statement cache make such a wait hang at once.
func TestReadsNeedOneConnection(t *testing.T) {
	c := openTest(t)
	mustPut(t, c, sample(1), capture("x", t0))
	c.rc.close()
	c.r.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for range 2 { // uncached, then cached
		if _, err := c.Article(ctx, "japan", 1); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Recent(ctx, t0, []string{"japan"}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Stats(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := c.ArticleByURL(ctx, sample(1).URL); err != nil {
			t.Fatal(err)
		}
		c.rc.warm(ctx, articleQueries()...)
	}
}
