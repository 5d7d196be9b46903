package sim

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func urlKey(t *testing.T, raw string) (host, key string) {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return normHost(u.Host), normHost(u.Host) + u.RequestURI()
}

// firing returns the truth URLs whose first attempt draws a request fault.
func firing(t *testing.T, n *Network, pick func(requestFaults) bool) []string {
	var out []string
	for _, tr := range n.Truth() {
		host, key := urlKey(t, tr.URL)
		if pick(n.decide(host, key, 0, 0, 0, true)) {
			out = append(out, tr.URL)
		}
	}
	return out
}

func TestUnknownFault(t *testing.T) {
	if _, err := New(Config{Faults: []string{"429", "nosuch"}}); err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Fatalf("unknown fault accepted: %v", err)
	}
	f, err := parseFaults([]string{"all"})
	if err != nil || len(f.names()) != len(faultNames) {
		t.Fatalf("all: %v %v", f.names(), err)
	}
	f, _ = parseFaults([]string{"429, slow", "EDIT"})
	if !slices.Equal(f.names(), []string{"429", "edit", "slow"}) {
		t.Fatalf("list parsing: %v", f.names())
	}
}

// TestNoFaultsUnlessAsked fetches everything twice from a world without faults: nothing
// fails, nothing changes, no truth record carries a fault.
func TestNoFaultsUnlessAsked(t *testing.T) {
	n := newNet(t, Config{Seed: 9})
	truth := n.Truth()
	for _, tr := range truth {
		if tr.Edited || tr.Deleted || tr.Disallowed || len(tr.Faults) > 0 || tr.Gone != 0 {
			t.Fatalf("%s carries a fault without any asked: %+v", tr.Key, tr)
		}
	}
	for round := range 2 {
		for _, tr := range truth {
			for _, u := range []string{tr.URL, strings.TrimSuffix(tr.URL, ".html") + "-amp.html", tr.Origin.URL} {
				res := get(t, n, u)
				if res.code != 200 {
					t.Fatalf("round %d %s: %d", round, u, res.code)
				}
				if u == tr.URL {
					doc := res.doc(t)
					if doc.Find("h1").Text() != tr.Title || doc.Find("div.article__text script, div.article__text iframe").Length() != 0 {
						t.Fatalf("round %d %s: title changed or hostile markup", round, u)
					}
					if !strings.HasSuffix(string(res.body), "</body></html>\n") || len(res.body) > 1<<20 {
						t.Fatalf("%s: malformed or oversize without the fault", u)
					}
				}
			}
		}
	}
	for _, s := range n.Sites() {
		site, _ := n.reg.Site(s)
		robots := string(get(t, n, "https://"+site.Host+"/robots.txt").body)
		if strings.Contains(robots, "Crawl-delay") || strings.Count(robots, "Disallow:") != 1 || !strings.Contains(robots, "Sitemap:") {
			t.Errorf("%s robots.txt:\n%s", s, robots)
		}
	}
	st := n.Stats()
	if len(st.Faults) != 0 {
		t.Errorf("faults fired: %v", st.Faults)
	}
	for code := range st.ByStatus {
		if code != 200 {
			t.Errorf("status %d seen: %v", code, st.ByStatus)
		}
	}
}

func TestFault429(t *testing.T) {
	n := newNet(t, Config{Seed: 9, Faults: []string{"429"}})
	hits := firing(t, n, func(d requestFaults) bool { return d.tooMany > 0 })
	frac := float64(len(hits)) / float64(len(n.Truth()))
	if frac < 0.05 || frac > 0.16 {
		t.Errorf("429 on %.1f%% of article URLs, want ~10%%", frac*100)
	}
	seen := map[string]bool{}
	for _, u := range hits {
		res := get(t, n, u)
		ra := res.header.Get("Retry-After")
		if res.code != 429 || (ra != "1" && ra != "2") {
			t.Fatalf("%s: %d Retry-After %q", u, res.code, ra)
		}
		seen[ra] = true
		if res := get(t, n, u); res.code != 200 {
			t.Fatalf("%s second attempt: %d", u, res.code)
		}
	}
	if !seen["1"] || !seen["2"] {
		t.Errorf("Retry-After values seen: %v", seen)
	}
	if n.Stats().Faults["429"] != int64(len(hits)) {
		t.Errorf("stats: %v, want %d", n.Stats().Faults, len(hits))
	}
	// Not on non-article URLs.
	for _, p := range []string{"/robots.txt", "/api/blocks", "/sitemap.xml", "/"} {
		if res := get(t, n, "https://japan.news-pravda.com"+p); res.code == 429 {
			t.Errorf("%s: 429 on a non-article URL", p)
		}
	}
}

func TestFault5xxBursts(t *testing.T) {
	n := newNet(t, Config{Seed: 9, Faults: []string{"5xx"}})
	var urls []string
	for _, tr := range n.Truth() {
		if tr.Site == "japan" {
			urls = append(urls, tr.URL)
		}
	}
	urls = append(urls, urls...)
	urls = append(urls, urls...) // revisits count towards the host's windows too
	codes := ""
	bursts, maxRetries := 0, 0
	for _, u := range urls {
		for attempt := 0; ; attempt++ {
			res := get(t, n, u)
			if res.code == 200 {
				codes += "."
				maxRetries = max(maxRetries, attempt)
				break
			}
			if res.code != 503 {
				t.Fatalf("%s: %d", u, res.code)
			}
			codes += "X"
			if attempt > maxBurstPer {
				t.Fatalf("%s: more than %d 503s", u, maxBurstPer)
			}
		}
	}
	bursts = strings.Count(codes, ".X")
	if bursts < 1 || !strings.Contains(codes, "XX") {
		t.Errorf("no bursts of 503 in %s", codes)
	}
	if maxRetries == 0 || maxRetries > maxBurstPer {
		t.Errorf("max retries %d", maxRetries)
	}
	t.Logf("%d bursts over %d requests: %s", bursts, len(codes), codes)
}

func TestFaultSlow(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a slow response")
	}
	t.Parallel()
	n := newNet(t, Config{Seed: 9, Faults: []string{"slow"}})
	var best string
	bestD := time.Hour
	hits := 0
	for _, tr := range n.Truth() {
		host, key := urlKey(t, tr.URL)
		if d := n.decide(host, key, 0, 0, 0, true).slow; d > 0 {
			hits++
			if d < bestD {
				best, bestD = tr.URL, d
			}
		}
	}
	if hits == 0 || bestD < slowMin || bestD > slowMin+slowSpread {
		t.Fatalf("%d slow URLs, shortest delay %v", hits, bestD)
	}
	start := time.Now()
	if res := get(t, n, best); res.code != 200 {
		t.Fatalf("%s: %d", best, res.code)
	}
	if took := time.Since(start); took < bestD {
		t.Errorf("slow response took %v, want ≥ %v", took, bestD)
	}
	start = time.Now()
	get(t, n, best)
	if took := time.Since(start); took > slowMin/2 {
		t.Errorf("second attempt took %v", took)
	}
}

func TestFaultResetAndTruncate(t *testing.T) {
	s := startSim(t, Config{Seed: 9, Faults: []string{"reset", "truncate"}})
	n := s.Network
	resets := firing(t, n, func(d requestFaults) bool { return d.reset })
	truncs := firing(t, n, func(d requestFaults) bool { return d.truncate && !d.reset })
	if len(resets) == 0 || len(truncs) == 0 {
		t.Fatalf("%d resets, %d truncations", len(resets), len(truncs))
	}
	c := s.Client()
	for _, u := range append(resets[:min(3, len(resets))], truncs[:min(3, len(truncs))]...) {
		res, err := c.Get(u)
		if err == nil {
			_, err = io.ReadAll(res.Body)
			res.Body.Close()
		}
		if err == nil {
			t.Errorf("%s: first attempt succeeded", u)
		} else if slices.Contains(truncs, u) && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%s: truncation gave %v, want unexpected EOF", u, err)
		}
		res, err = c.Get(u)
		if err != nil {
			t.Fatalf("%s: second attempt: %v", u, err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || res.StatusCode != 200 || !strings.Contains(string(body), "</html>") {
			t.Fatalf("%s: second attempt %d, %v", u, res.StatusCode, err)
		}
	}
	st := n.Stats()
	if st.Faults["reset"] == 0 || st.Faults["truncate"] == 0 {
		t.Errorf("stats: %v", st.Faults)
	}
}

func TestFaultMalformed(t *testing.T) {
	n := newNet(t, Config{Seed: 9, Faults: []string{"malformed"}})
	count := 0
	for _, tr := range n.Truth() {
		if !slices.Contains(tr.Faults, "malformed") {
			continue
		}
		count++
		res := get(t, n, tr.URL)
		body := string(res.body)
		if strings.Contains(body, "</p>") || strings.Contains(body, "</html>") || !strings.Contains(body, "class=article__title") {
			t.Fatalf("%s: not malformed", tr.URL)
		}
		doc := res.doc(t)
		if doc.Find("h1.article__title").Text() != tr.Title {
			t.Errorf("%s: title lost", tr.URL)
		}
		paras, _ := articleText(doc, tr.Title)
		if strings.Join(paras, "\n\n") != tr.Text {
			t.Errorf("%s: text lost:\n%q\n%q", tr.URL, strings.Join(paras, "\n\n"), tr.Text)
		}
		if tr.Credited && doc.Find("span.source-link").AttrOr("data-source-url", "") != tr.CreditURL {
			t.Errorf("%s: credit lost", tr.URL)
		}
	}
	frac := float64(count) / float64(len(n.Truth()))
	if frac < 0.02 || frac > 0.1 {
		t.Errorf("%.1f%% malformed, want ~5%%", frac*100)
	}
}

func TestFaultOversizeAndRedirectLoop(t *testing.T) {
	n := newNet(t, Config{Seed: 9, Faults: []string{"oversize", "redirectloop"}})
	var over, loop []Truth
	for _, tr := range n.Truth() {
		if slices.Contains(tr.Faults, "oversize") {
			over = append(over, tr)
		}
		if slices.Contains(tr.Faults, "redirectloop") {
			loop = append(loop, tr)
		}
	}
	if len(over) != 1 || len(loop) != 1 {
		t.Fatalf("%d oversize, %d loops, want one each", len(over), len(loop))
	}
	res := get(t, n, over[0].URL, "Accept-Encoding", "gzip")
	if len(res.body) != oversizeSize || res.header.Get("Content-Length") != "20971520" || res.header.Get("Content-Encoding") != "" {
		t.Errorf("oversize: %d bytes, CL %q", len(res.body), res.header.Get("Content-Length"))
	}
	if doc := res.doc(t); doc.Find("h1.article__title").Text() != over[0].Title {
		t.Error("oversize page lost its title")
	}
	for range 3 {
		res := get(t, n, loop[0].URL)
		if res.code != 301 || res.header.Get("Location") != loop[0].URL {
			t.Fatalf("loop: %d → %q", res.code, res.header.Get("Location"))
		}
	}
	// The loop is listed like any other article.
	if locs := readSitemaps(t, n, hostOfURL(loop[0].URL)); !slices.Contains(locs, loop[0].URL) {
		t.Error("the redirect loop is not listed")
	}
}

func TestFaultEditAndDelete(t *testing.T) {
	clock := newClock(testNow)
	n := newNet(t, Config{Seed: 9, Days: 5, Faults: []string{"edit", "delete"}, Now: clock.Now})
	var edits, deletes []Truth
	for _, tr := range n.Truth() {
		if tr.Edited {
			edits = append(edits, tr)
		}
		if tr.Deleted {
			deletes = append(deletes, tr)
		}
	}
	total := float64(len(n.Truth()))
	if f := float64(len(edits)) / total; f < 0.02 || f > 0.1 {
		t.Errorf("%.1f%% edited", f*100)
	}
	if f := float64(len(deletes)) / total; f < 0.01 || f > 0.07 {
		t.Errorf("%.1f%% deleted", f*100)
	}
	titleChanged := 0
	for _, tr := range edits {
		doc := get(t, n, tr.URL).doc(t)
		if doc.Find("h1").Text() != tr.Title {
			t.Fatalf("%s: first serve is not v1", tr.URL)
		}
		clock.Add(time.Minute)
		for range 2 {
			doc = get(t, n, tr.URL).doc(t)
			paras, _ := articleText(doc, tr.TitleV2)
			if doc.Find("h1").Text() != tr.TitleV2 || strings.Join(paras, "\n\n") != tr.TextV2 || tr.TextV2 == tr.Text {
				t.Fatalf("%s: second serve is not v2", tr.URL)
			}
		}
		if tr.TitleV2 != tr.Title {
			titleChanged++
		}
	}
	// The sitemap shows the edit time as lastmod, for incremental crawlers.
	tr := edits[0]
	raw := string(get(t, n, "https://"+hostOfURL(tr.URL)+"/sitemap_news_1.xml.gz").body)
	var mods []string
	for _, line := range strings.Split(gunzipString(t, raw), "\n") {
		if strings.Contains(line, "<loc>"+tr.URL+"</loc>") {
			mods = append(mods, line[strings.Index(line, "<lastmod>")+9:strings.Index(line, "</lastmod>")])
		}
	}
	if len(mods) != 1 || mods[0] == tr.Published.Format(time.RFC3339) {
		t.Errorf("%s: sitemap lastmod %v after the edit, published %v", tr.URL, mods, tr.Published)
	}
	if titleChanged == 0 || titleChanged == len(edits) {
		t.Errorf("%d of %d edits change the title, want some", titleChanged, len(edits))
	}
	for _, tr := range deletes {
		if res := get(t, n, tr.URL); res.code != 200 {
			t.Fatalf("%s: first serve %d", tr.URL, res.code)
		}
		if res := get(t, n, tr.URL); res.code != tr.Gone || (tr.Gone != 404 && tr.Gone != 410) {
			t.Fatalf("%s: then %d, want %d", tr.URL, res.code, tr.Gone)
		}
		if res := get(t, n, strings.TrimSuffix(tr.URL, ".html")+"-amp.html"); res.code != tr.Gone {
			t.Fatalf("%s: AMP copy %d after deletion", tr.URL, res.code)
		}
	}
	// Deleted articles leave the listings.
	for _, tr := range deletes {
		if tr.Edition != "" {
			continue
		}
		for _, it := range pageAPI(t, n, "https://"+hostOfURL(tr.URL), "all") {
			if it.url == tr.URL {
				t.Fatalf("%s still listed after deletion", tr.URL)
			}
		}
		break
	}
}

func TestFaultRobots(t *testing.T) {
	n := newNet(t, Config{Seed: 9, Faults: []string{"robots", "nositemapline"}})
	disallowed := map[string]int{}
	for _, tr := range n.Truth() {
		if tr.Disallowed {
			disallowed[tr.Site]++
		}
	}
	for _, s := range n.Sites() {
		site, _ := n.reg.Site(s)
		robots := string(get(t, n, "https://"+site.Host+"/robots.txt").body)
		if !strings.Contains(robots, "Crawl-delay: 1") || strings.Contains(robots, "Sitemap:") {
			t.Errorf("%s robots.txt:\n%s", s, robots)
		}
		var prefix string
		for _, line := range strings.Split(robots, "\n") {
			if p, ok := strings.CutPrefix(line, "Disallow: "); ok && p != "/search/" {
				prefix = p
			}
		}
		if prefix == "" || disallowed[s] == 0 {
			t.Errorf("%s: disallowed prefix %q over %d articles", s, prefix, disallowed[s])
		}
		for _, tr := range n.Truth() {
			if tr.Site == s && tr.Disallowed != strings.HasPrefix(tr.URL, "https://"+site.Host+prefix) {
				t.Errorf("%s: disallowed=%v but prefix %q", tr.URL, tr.Disallowed, prefix)
			}
		}
		if res := get(t, n, "https://"+site.Host+"/sitemap.xml"); res.code != 200 {
			t.Errorf("%s: sitemap gone with the Sitemap: line", s)
		}
	}
	before := n.Stats().Disallowed
	for _, tr := range n.Truth() {
		if tr.Disallowed {
			get(t, n, tr.URL)
			break
		}
	}
	get(t, n, "https://japan.news-pravda.com/search/?q=x")
	if got := n.Stats().Disallowed - before; got != 2 {
		t.Errorf("disallowed requests counted %d, want 2", got)
	}
}

func TestFaultHostile(t *testing.T) {
	n := newNet(t, Config{Seed: 9, Faults: []string{"hostile"}})
	count := 0
	for _, tr := range n.Truth() {
		if !slices.Contains(tr.Faults, "hostile") {
			continue
		}
		count++
		doc := get(t, n, tr.URL).doc(t)
		body := doc.Find("div.article__text")
		if body.Find("script").Length() == 0 || body.Find("[onerror]").Length() == 0 || body.Find(`a[href^="javascript:"]`).Length() == 0 {
			t.Fatalf("%s: hostile markup missing", tr.URL)
		}
		paras, _ := articleText(doc, tr.Title)
		if strings.Join(paras, "\n\n") != tr.Text {
			t.Errorf("%s: hostile markup changed the text", tr.URL)
		}
	}
	if count == 0 {
		t.Fatal("no hostile article")
	}
}

// TestFaultsLeaveTheWorldAlone: switching faults on changes fault fields only.
func TestFaultsLeaveTheWorldAlone(t *testing.T) {
	plain := newNet(t, Config{Seed: 31}).Truth()
	all := newNet(t, Config{Seed: 31, Faults: []string{"all"}}).Truth()
	if len(plain) != len(all) {
		t.Fatalf("%d vs %d articles", len(plain), len(all))
	}
	kinds := map[string]int{}
	for i := range plain {
		a, b := plain[i], all[i]
		for _, f := range b.Faults {
			kinds[f]++
		}
		a.Edited, a.Deleted, a.Disallowed, a.Faults, a.TitleV2, a.TextV2, a.Gone = b.Edited, b.Deleted, b.Disallowed, b.Faults, b.TitleV2, b.TextV2, b.Gone
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if string(ja) != string(jb) {
			t.Fatalf("faults changed the world:\n%s\n%s", ja, jb)
		}
	}
	for _, k := range []string{"malformed", "hostile", "edit", "delete", "oversize", "redirectloop"} {
		if kinds[k] == 0 {
			t.Errorf("fault %s on no article with all", k)
		}
	}
}

func gunzipString(t *testing.T, s string) string {
	zr, err := gzip.NewReader(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
