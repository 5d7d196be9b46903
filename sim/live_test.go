package sim

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestPublishWithFakeClock: stories published "now" appear through the API as the newest
// items, continue the id sequences and are in the truth.
func TestPublishWithFakeClock(t *testing.T) {
	clock := newClock(testNow)
	n := newNet(t, Config{Seed: 6, Days: 1, Now: clock.Now})
	before := n.Truth()
	maxID := map[string]int64{}
	for _, tr := range before {
		seq := tr.Key[:strings.LastIndex(tr.Key, ":")]
		maxID[seq] = max(maxID[seq], tr.ID)
	}
	clock.Add(10 * time.Minute)
	var added []Truth
	for range 3 {
		got := n.Publish(1)
		sites := map[string]bool{}
		for _, tr := range got {
			sites[tr.Site] = true
		}
		if len(got) < 2 || len(got) > 4 || len(sites) != len(got) {
			t.Fatalf("a live story on %d editions over %d sites, want 2–4 sites", len(got), len(sites))
		}
		added = append(added, got...)
	}
	after := n.Truth()
	if len(after) != len(before)+len(added) {
		t.Fatalf("truth grew by %d, published %d", len(after)-len(before), len(added))
	}
	for _, tr := range added {
		seq := tr.Key[:strings.LastIndex(tr.Key, ":")]
		if tr.ID <= maxID[seq] {
			t.Errorf("%s: id does not continue the sequence (max was %d)", tr.Key, maxID[seq])
		}
		maxID[seq] = tr.ID
		if !tr.Published.Equal(clock.Now()) {
			t.Errorf("%s published %v, want now %v", tr.Key, tr.Published, clock.Now())
		}
		if res := get(t, n, tr.URL); res.code != 200 || res.doc(t).Find("h1").Text() != tr.Title {
			t.Errorf("%s: %d", tr.URL, res.code)
		}
		if res := get(t, n, tr.Origin.URL); res.code != 200 {
			t.Errorf("origin %s: %d", tr.Origin.URL, res.code)
		}
		if tr.Edition == "" {
			items := pageAPI(t, n, "https://"+hostOfURL(tr.URL), "all")
			if !slices.ContainsFunc(items[:min(len(items), 12)], func(it item) bool { return it.url == tr.URL }) {
				t.Errorf("%s is not among the newest API items", tr.URL)
			}
		}
		if !slices.Contains(readSitemaps(t, n, hostOfURL(tr.URL)), tr.URL) {
			t.Errorf("%s not in the sitemaps", tr.URL)
		}
	}
	// Deterministic: another world of the same seed publishes the same stories.
	clock2 := newClock(testNow)
	m := newNet(t, Config{Seed: 6, Days: 1, Now: clock2.Now})
	clock2.Add(10 * time.Minute)
	var again []Truth
	for range 3 {
		again = append(again, m.Publish(1)...)
	}
	a, _ := json.Marshal(added)
	b, _ := json.Marshal(again)
	if string(a) != string(b) {
		t.Error("Publish is not deterministic")
	}
}

func TestLiveTicker(t *testing.T) {
	s := startSim(t, Config{Seed: 6, Days: 1, Live: true, LiveEvery: 20 * time.Millisecond, Now: time.Now})
	start := len(s.Network.Truth())
	deadline := time.Now().Add(5 * time.Second)
	for len(s.Network.Truth()) < start+4 {
		if time.Now().After(deadline) {
			t.Fatalf("live mode published %d articles in 5 s", len(s.Network.Truth())-start)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The newest article is reachable over the wire.
	tr := s.Network.Truth()
	var newest Truth
	for _, x := range tr {
		if x.Published.After(newest.Published) {
			newest = x
		}
	}
	res, err := s.Client().Get(newest.URL)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("%s: %v %v", newest.URL, err, res)
	}
	res.Body.Close()
}

// TestConcurrentPublishAndServe reads every kind of page while stories are published
// (run with -race).
func TestConcurrentPublishAndServe(t *testing.T) {
	clock := newClock(testNow)
	n := newNet(t, Config{Seed: 6, Days: 1, Now: clock.Now, Faults: []string{"edit", "delete"}})
	truth := n.Truth()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 30 {
			clock.Add(time.Minute)
			n.Publish(1)
		}
	}()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(truth); i += 8 { // half the articles, four readers
				tr := truth[i]
				for _, u := range []string{tr.URL, "https://" + hostOfURL(tr.URL) + "/api/blocks",
					"https://" + hostOfURL(tr.URL) + "/sitemap_news_1.xml.gz", tr.Origin.URL, "https://" + hostOfURL(tr.URL) + "/"} {
					if res := get(t, n, u); res.code >= 500 {
						t.Errorf("%s: %d", u, res.code)
					}
				}
			}
		}()
	}
	wg.Wait()
	<-done
	if st := n.Stats(); st.Panics != 0 {
		t.Fatalf("%d panics", st.Panics)
	}
}
