package catalog

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Concurrent puts share commits, and one that fails inside SQLite rolls back
// alone.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	// The writer pool has one connection, so a TEMP trigger on it sees
	// every put.
	if _, err := c.w.Exec(`CREATE TEMP TRIGGER reject_666 BEFORE INSERT ON articles
		WHEN NEW.art_id = 666 BEGIN SELECT RAISE(ABORT, 'rejected by test'); END`); err != nil {
		t.Fatal(err)
	}
	const workers, each = 8, 40
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				id := int64(1 + w*each + i)
				if i == 7 {
					id = 666 // one worker's seventh put fails
					if w != 3 {
						continue
					}
				}
				_, err := c.PutArticle(ctx, sample(id), capture("body", t0))
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	var got []error
	for err := range errs {
		got = append(got, err)
	}
	if len(got) != 1 || !strings.Contains(got[0].Error(), "rejected by test") || !strings.Contains(got[0].Error(), "japan/666") {
		t.Fatalf("errors %v; want exactly the rejected put", got)
	}
	want := int64(workers*(each-1) + 0)
	if n := countRows(t, c, "SELECT count(*) FROM articles"); n != want {
		t.Fatalf("%d articles, want %d", n, want)
	}
	if n := countRows(t, c, "SELECT sum(n) FROM daily_counts"); n != want {
		t.Fatalf("daily counts %d, want %d", n, want)
	}
	groups, jobs := c.commit.groups.Load(), c.commit.jobs.Load()
	t.Logf("%d puts in %d commits", jobs, groups)
	if jobs != want+1 || groups > jobs {
		t.Fatalf("%d jobs in %d groups", jobs, groups)
	}
}

func TestSubmitContextAndClose(t *testing.T) {
	c := openTest(t)
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.PutArticle(done, sample(1), capture("x", t0)); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: %v", err)
	}
	if ok, _ := c.Has(context.Background(), "japan", 1); ok {
		t.Fatal("a put with a cancelled context was recorded")
	}

	// Puts racing Close either complete or fail with ErrClosed; none hangs.
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.PutArticle(context.Background(), sample(int64(100+i)), capture("x", t0))
			if err != nil && !errors.Is(err, ErrClosed) {
				t.Error(err)
			}
		}()
	}
	time.Sleep(time.Millisecond)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if _, err := c.PutArticle(context.Background(), sample(2), capture("x", t0)); !errors.Is(err, ErrClosed) {
		t.Fatalf("put after Close: %v", err)
	}
}

// A write's closure, and what it holds, is not kept once the write has returned: a
// regroup's batches hold a whole window of articles.
func TestWriteDoesNotKeepItsClosure(t *testing.T) {
	c := openTest(t)
	ctx := context.Background()
	freed := make(chan struct{})
	func() {
		big := make([]byte, 1<<20)
		runtime.AddCleanup(&big[0], func(ch chan struct{}) { close(ch) }, freed)
		if err := c.Write(ctx, func(*Batch) error {
			big[0] = 1
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		runtime.GC()
		select {
		case <-freed:
			return
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("the data a finished write captured is still reachable")
		}
	}
}
