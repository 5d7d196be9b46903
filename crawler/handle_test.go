package crawler

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"
)

// doneFrontier records Done and Failed; the rest of Frontier is unused here.
type doneFrontier struct {
	Frontier
	mu           sync.Mutex
	done, failed []string
}

func (f *doneFrontier) Done(_ context.Context, u string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.done = append(f.done, u)
	return nil
}

func (f *doneFrontier) Failed(_ context.Context, u string, _ error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failed = append(f.failed, u)
	return nil
}

func (f *doneFrontier) count() (done, failed int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.done), len(f.failed)
}

func stageRun(f Frontier, h Handler) *run {
	return &run{cfg: Config{Frontier: f, Handler: h, Progress: nopProgress{},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, sum: Summary{ErrorsBy: map[string]int{}}}
}

func page(u string, size int) *Page {
	return &Page{Item: Item{URL: u}, Status: 200, Body: make([]byte, size)}
}

// A fetch worker hands its page over and is free again while the Handler still
// works on it: one worker keeps several pages in the Handler at once.
func TestHandleStageFreesTheFetcher(t *testing.T) {
	release := make(chan struct{})
	h := HandlerFunc(func(ctx context.Context, p Page) (Outcome, error) {
		<-release
		return New, nil
	})
	f := &doneFrontier{}
	r := stageRun(f, h)
	hs := newHandleStage(context.Background(), r, 1)
	for i := range handlersPerWorker {
		handed := make(chan bool, 1)
		go func() { handed <- hs.hand(job{}, page("https://a.example/"+string(rune('a'+i)), 100)) }()
		select {
		case ok := <-handed:
			if !ok {
				t.Fatalf("page %d not handed", i)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("page %d: the fetcher waited for the Handler", i)
		}
	}
	if d, _ := f.count(); d != 0 {
		t.Fatalf("%d pages done before their Handler returned", d)
	}
	close(release)
	hs.close()
	if d, _ := f.count(); d != handlersPerWorker {
		t.Errorf("%d pages done, want %d", d, handlersPerWorker)
	}
	if r.sum.New != handlersPerWorker {
		t.Errorf("summary counts %d new, want %d", r.sum.New, handlersPerWorker)
	}
}

// Bodies waiting for the Handler are bounded in bytes, and a cancelled crawl drops
// the page it could not hand over: it stays pending, neither done nor failed.
func TestHandleStageBoundsBytesAndCancels(t *testing.T) {
	release := make(chan struct{})
	h := HandlerFunc(func(ctx context.Context, p Page) (Outcome, error) {
		<-release
		return New, nil
	})
	f := &doneFrontier{}
	ctx, cancel := context.WithCancel(context.Background())
	hs := newHandleStage(ctx, stageRun(f, h), 4)
	if !hs.hand(job{}, page("https://a.example/big", maxHandleBytes)) {
		t.Fatal("first page not handed")
	}
	handed := make(chan bool, 1)
	go func() { handed <- hs.hand(job{}, page("https://a.example/small", 10)) }()
	select {
	case <-handed:
		t.Fatal("a page was handed over the byte bound")
	case <-time.After(100 * time.Millisecond):
	}
	cancel()
	if <-handed {
		t.Error("hand reported a page handed after the crawl was cancelled")
	}
	close(release)
	hs.close()
	done, failed := f.count()
	if done+failed != 1 {
		t.Errorf("done %d failed %d: want only the handed page finished", done, failed)
	}
	for _, u := range append(f.done, f.failed...) {
		if u == "https://a.example/small" {
			t.Error("the page dropped at cancel was finished in the frontier")
		}
	}
}
