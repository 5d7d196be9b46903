package crawler

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gocolly/colly/v2"
)

// bigPages is a RoundTripper that asks a budget for room the way the recording
// transport does for a big body, then answers with size bytes.
type bigPages struct {
	bodies  *BodyBudget
	size    int
	fetched atomic.Int32
}

func (b *bigPages) RoundTrip(req *http.Request) (*http.Response, error) {
	if _, err := b.bodies.Reserve(req.Context(), int64(b.size)); err != nil {
		return nil, err
	}
	b.fetched.Add(1)
	return &http.Response{StatusCode: 200, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"text/html"}}, Request: req,
		Body: io.NopCloser(bytes.NewReader(make([]byte, b.size))), ContentLength: int64(b.size)}, nil
}

// While the Handler is stuck, fetch workers take big pages off the wire only as far as
// the handle stage's bound and the body budget allow; without the budget every worker
// would hold one.
func TestBodyBudgetBoundsPagesInFlight(t *testing.T) {
	const size = 3 << 20 // over the handle stage's bound after two
	for _, withBudget := range []bool{true, false} {
		t.Run(fmt.Sprintf("budget=%v", withBudget), func(t *testing.T) {
			var bodies *BodyBudget
			if withBudget {
				bodies = NewBodyBudget(size) // one page
			}
			tr := &bigPages{bodies: bodies, size: size}
			release := make(chan struct{})
			var handled atomic.Int32
			h := HandlerFunc(func(ctx context.Context, p Page) (Outcome, error) {
				<-release
				handled.Add(1)
				return New, nil
			})
			f := &doneFrontier{}
			r := stageRun(f, h)
			r.cfg.Bodies = bodies
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			coll := colly.NewCollector(colly.AllowURLRevisit(), colly.StdlibContext(ctx), colly.MaxBodySize(0))
			coll.WithTransport(tr)
			hs := newHandleStage(ctx, r, 1)
			const workers = 12
			var wg sync.WaitGroup
			for i := range workers {
				wg.Go(func() { r.fetch(ctx, coll, job{Item: Item{URL: fmt.Sprintf("https://a.example/%d.html", i)}}, hs) })
			}
			time.Sleep(300 * time.Millisecond)
			// Two pages fit the handle stage; a third waits to be handed, on the budget.
			got := int(tr.fetched.Load())
			if withBudget && got != 3 {
				t.Errorf("%d pages fetched while the Handler was stuck, want 3 (2 in the handle stage, 1 waiting)", got)
			}
			if !withBudget && got != workers {
				t.Errorf("without a budget %d pages fetched, want all %d (the test would not show the bound)", got, workers)
			}
			close(release)
			wg.Wait()
			hs.close()
			if n := int(handled.Load()); n != workers {
				t.Errorf("%d pages handled, want %d", n, workers)
			}
			if withBudget && !bodies.sem.TryAcquire(size) {
				t.Error("the budget was not all given back")
			}
		})
	}
}

// A fetch that asks again (a retry, a body that decodes bigger) replaces what it holds;
// fetches that all hold part of the budget and all ask for more must not wait for each
// other forever.
func TestBodyBudgetLeasesGrowWithoutDeadlock(t *testing.T) {
	b := NewBodyBudget(100)
	var holding, wg sync.WaitGroup
	holding.Add(3)
	for i := range 3 {
		wg.Go(func() {
			ctx, l := b.begin(context.Background())
			defer l.end()
			if _, err := b.Reserve(ctx, 30); err != nil {
				t.Error(err)
			}
			holding.Done()
			holding.Wait() // all three hold 30: 10 left
			for _, n := range []int64{60, 100, 1000, int64(10 + i)} {
				if _, err := b.Reserve(ctx, n); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("leases growing at once deadlocked")
	}
	if !b.sem.TryAcquire(100) {
		t.Error("the budget was not all given back")
	}
}

// Requests that are not page fetches are not held up by a spent budget.
func TestBodyBudgetIgnoresOtherRequests(t *testing.T) {
	b := NewBodyBudget(10)
	ctx, l := b.begin(context.Background())
	defer l.end()
	if _, err := b.Reserve(ctx, 10); err != nil {
		t.Fatal(err)
	}
	other, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := b.Reserve(other, 5); err != nil {
		t.Errorf("a request without a lease waited on the budget: %v", err)
	}
	// And a page fetch whose context ends while it waits gets an error, not a hang.
	ctx2, l2 := b.begin(other)
	defer l2.end()
	short, cancel2 := context.WithTimeout(ctx2, 50*time.Millisecond)
	defer cancel2()
	if _, err := b.Reserve(short, 5); err == nil {
		t.Error("Reserve on a spent budget returned without room")
	}
}
