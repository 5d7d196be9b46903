package web

import (
	"encoding/csv"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func keysOf(hits []hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Key)
	}
	slices.Sort(out)
	return out
}

func TestAPISearch(t *testing.T) {
	w := testWorld(t)
	var res searchResult
	getJSON(t, w.ts.URL, "/api/v1/search?q="+url.QueryEscape("外務省"), 200, &res)
	if got, want := keysOf(res.Hits), []string{"japan:101", "japan:102", "japan:103"}; !slices.Equal(got, want) {
		t.Fatalf("hits %v, want %v", got, want)
	}
	if res.Total != 3 {
		t.Errorf("total %d, want 3", res.Total)
	}
	for _, h := range res.Hits {
		if !strings.Contains(string(h.Snippet), "<mark>外務省</mark>") {
			t.Errorf("%s: snippet %q has no <mark>外務省</mark>", h.Key, h.Snippet)
		}
		if h.Page != articlePath(h.Site, h.ID) || h.API != "/api/v1"+h.Page {
			t.Errorf("%s: links %q %q", h.Key, h.Page, h.API)
		}
		switch h.Key {
		case "japan:102":
			// The text holds an <img onerror>: it must come back escaped.
			if strings.Contains(string(h.Snippet), "<img") || !strings.Contains(string(h.Snippet), "&lt;img") {
				t.Errorf("hostile snippet not escaped: %q", h.Snippet)
			}
			if h.Title != hostileTitle {
				t.Errorf("title %q", h.Title)
			}
		case "japan:103":
			if h.Origin == nil || h.Origin.Kind != "state_media" || h.Origin.Outlet != "tass" || h.Origin.Page != "/origins/outlet/tass" {
				t.Errorf("103 origin from the catalog: %+v", h.Origin)
			}
		case "japan:101":
			if h.StoryID != w.storyID || h.Origin == nil || h.Origin.Channel != "rusembjp" {
				t.Errorf("101 story %d origin %+v", h.StoryID, h.Origin)
			}
		}
	}
	if f := res.Facets["site"]; len(f) != 1 || f[0].Term != "japan" || f[0].Count != 3 {
		t.Errorf("site facet %+v", f)
	}
	if f := res.Facets["origin"]; len(f) != 2 || f[0] != (facetCount{"telegram_post", 2}) {
		t.Errorf("origin facet %+v", f)
	}

	// facets=0: the same hits, no facets.
	var lean searchResult
	getJSON(t, w.ts.URL, "/api/v1/search?facets=0&q="+url.QueryEscape("外務省"), 200, &lean)
	if !slices.Equal(keysOf(lean.Hits), keysOf(res.Hits)) || len(lean.Facets) != 0 {
		t.Errorf("facets=0: hits %v facets %v", keysOf(lean.Hits), lean.Facets)
	}

	// Filters: a channel typed in another case, a language, a site with a slash.
	getJSON(t, w.ts.URL, "/api/v1/search?channel=MID_RUSSIA", 200, &res)
	if got := keysOf(res.Hits); !slices.Equal(got, []string{"abkhazia:401"}) {
		t.Errorf("channel filter: %v", got)
	}
	getJSON(t, w.ts.URL, "/api/v1/search?lang=fr&site=canada/fr", 200, &res)
	if got := keysOf(res.Hits); !slices.Equal(got, []string{"canada/fr:301"}) {
		t.Errorf("site with a slash: %v", got)
	}
	getJSON(t, w.ts.URL, "/api/v1/search?from=2025-03-11&to=2025-03-11", 200, &res)
	if got := keysOf(res.Hits); !slices.Equal(got, []string{"abkhazia:401", "japan:103"}) {
		t.Errorf("date range: %v", got)
	}
}

func TestAPISearchPaging(t *testing.T) {
	w := testWorld(t)
	var all []string
	path := "/api/v1/search?sort=-date&size=2"
	pages := 0
	for path != "" {
		var res searchResult
		getJSON(t, w.ts.URL, path, 200, &res)
		if res.Total != 7-1 { // seven captures, six articles
			t.Fatalf("total %d, want 6", res.Total)
		}
		for _, h := range res.Hits {
			all = append(all, h.Key)
		}
		path = res.NextAPI
		if pages++; pages > 10 {
			t.Fatal("paging does not end")
		}
	}
	if pages != 3 || len(all) != 6 {
		t.Fatalf("%d pages, hits %v", pages, all)
	}
	if all[0] != "abkhazia:401" || all[5] != "japan:101" {
		t.Errorf("not newest first: %v", all)
	}
	seen := map[string]bool{}
	for _, k := range all {
		if seen[k] {
			t.Errorf("%s on two pages", k)
		}
		seen[k] = true
	}
}

func TestAPIBadInput(t *testing.T) {
	w := testWorld(t)
	for _, tc := range []struct {
		path   string
		status int
		want   string // in the message
	}{
		{"/api/v1/search?q=" + url.QueryEscape(`"unclosed`), 400, "query: at character"},
		{"/api/v1/search?q=" + url.QueryEscape(`(nato OR`), 400, "query"},
		{"/api/v1/search?q=sit:japan", 400, "sit"},
		{"/api/v1/search?size=0", 400, "size"},
		{"/api/v1/search?size=100000", 400, "size"},
		{"/api/v1/search?sort=best", 400, "sort"},
		{"/api/v1/search?facets=maybe", 400, "facets"},
		{"/api/v1/search?from=yesterday", 400, "from"},
		{"/api/v1/search?from=2025-03-12&to=2025-03-01", 400, "after"},
		{"/api/v1/search?after=garbage!", 400, "cursor"},
		{"/api/v1/search?after=" + encodeCursor(cursor{After: []string{"x", "y"}}), 400, "cursor"},
		{"/api/v1/search?q=" + strings.Repeat("a", maxQueryLen+1), 400, "q:"},
		{"/api/v1/search?site=" + strings.Repeat("a,", maxValues+1), 400, "site"},
		{"/api/v1/counts?by=hour", 400, "by"},
		{"/api/v1/counts?q=" + url.QueryEscape(`"x`), 400, "query"},
		{"/api/v1/counts?from=1000-01-01&to=2025-01-01", 400, "days"},
		{"/api/v1/export?format=xml", 400, "format"},
		{"/api/v1/export?q=" + url.QueryEscape("a OR"), 400, "query"},
		{"/api/v1/articles/japan/999", 404, "no article"},
		{"/api/v1/articles/japan/abc", 404, "id"},
		{"/api/v1/articles/japan", 404, "SITE/ID"},
		{"/api/v1/articles/nowhere/1", 404, "no article"},
		{"/api/v1/origins/channel/nobody_at_all", 404, "no articles"},
		{"/api/v1/origins/planet/x", 404, "kind"},
		{"/api/v1/stories/99999", 404, "no story"},
		{"/api/v1/stories/x", 404, "story"},
		{"/api/v1/nothing", 404, "no API endpoint"},
	} {
		var p struct {
			Error    string `json:"error"`
			Position *int   `json:"position"`
		}
		getJSON(t, w.ts.URL, tc.path, tc.status, &p)
		if !strings.Contains(p.Error, tc.want) {
			t.Errorf("%s: error %q, want it to mention %q", tc.path, p.Error, tc.want)
		}
		if strings.Contains(tc.path, "unclosed") && (p.Position == nil || *p.Position != 0) {
			t.Errorf("%s: position %v, want 0", tc.path, p.Position)
		}
	}
}

func TestAPICounts(t *testing.T) {
	w := testWorld(t)
	rows := func(path string) map[string]countRow {
		t.Helper()
		var c counts
		getJSON(t, w.ts.URL, path, 200, &c)
		out := map[string]countRow{}
		for _, r := range c.Rows {
			out[r.Key] = r
		}
		return out
	}
	// Without a query: the catalog's daily counts, over the days it holds.
	var c counts
	getJSON(t, w.ts.URL, "/api/v1/counts", 200, &c)
	if c.Source != "catalog" || c.From != "2025-03-10" || c.To != "2025-03-11" || len(c.Rows) != 2 {
		t.Fatalf("default window: %s %s..%s, %d rows", c.Source, c.From, c.To, len(c.Rows))
	}
	// At most the newest 365 days.
	getJSON(t, w.ts.URL, "/api/v1/counts?to=2026-03-11", 200, &c)
	if c.From != "2025-03-12" || len(c.Rows) != 365 {
		t.Errorf("window before to: %s..%s, %d rows", c.From, c.To, len(c.Rows))
	}
	day := rows("/api/v1/counts?by=day&from=2025-03-09&to=2025-03-12")
	want := map[string]countRow{
		"2025-03-09": {"2025-03-09", 0, 0, 0},
		"2025-03-10": {"2025-03-10", 4, 4, 1},
		"2025-03-11": {"2025-03-11", 2, 2, 1},
		"2025-03-12": {"2025-03-12", 0, 0, 0},
	}
	for k, r := range want {
		if day[k] != r {
			t.Errorf("catalog counts %s: %+v, want %+v", k, day[k], r)
		}
	}
	// With a query: counts from the index, totals from the catalog.
	day = rows("/api/v1/counts?by=day&from=2025-03-10&to=2025-03-11&site=japan&q=" + url.QueryEscape("報道官"))
	if r := day["2025-03-10"]; r.Count != 2 || r.Total != 2 || r.Ratio != 1 {
		t.Errorf("query counts on the 10th: %+v", r)
	}
	if r := day["2025-03-11"]; r.Count != 0 || r.Total != 1 || r.Ratio != 0 {
		t.Errorf("query counts on the 11th: %+v", r)
	}
	site := rows("/api/v1/counts?by=site&from=2025-03-10&to=2025-03-11&q=" + url.QueryEscape("ministère OR 外務省"))
	if r := site["japan"]; r.Count != 3 || r.Total != 3 {
		t.Errorf("by site japan: %+v", r)
	}
	if r := site["francais"]; r.Count != 1 || r.Total != 1 {
		t.Errorf("by site francais: %+v", r)
	}
	if r := site["abkhazia"]; r.Count != 0 || r.Total != 1 {
		t.Errorf("by site abkhazia: %+v", r)
	}
	ch := rows("/api/v1/counts?by=channel&from=2025-03-10&to=2025-03-11")
	if len(ch) != 2 || ch["rusembjp"].Count != 3 || ch["MID_Russia"].Count != 1 {
		t.Errorf("by channel: %+v", ch)
	}
	// The index folds the case; the catalog's spelling is kept.
	ch = rows("/api/v1/counts?by=channel&from=2025-03-10&to=2025-03-11&q=" + url.QueryEscape("санкции"))
	if r := ch["MID_Russia"]; r.Count != 1 || r.Total != 1 {
		t.Errorf("by channel with a query: %+v", ch)
	}
	out := rows("/api/v1/counts?by=outlet&from=2025-03-10&to=2025-03-11")
	if len(out) != 1 || out["tass"].Count != 1 {
		t.Errorf("by outlet: %+v", out)
	}
	kind := rows("/api/v1/counts?by=origin_kind&from=2025-03-10&to=2025-03-11")
	if kind["telegram_post"].Count != 4 || kind["state_media"].Count != 1 || kind["none"].Count != 1 {
		t.Errorf("by origin kind: %+v", kind)
	}
	lang := rows("/api/v1/counts?by=lang&from=2025-03-10&to=2025-03-11&channel=mid_russia")
	if len(lang) != 1 || lang["ru"].Count != 1 {
		t.Errorf("by lang for a channel typed in lower case: %+v", lang)
	}
}

func TestAPIArticle(t *testing.T) {
	w := testWorld(t)
	var a articleJSON
	getJSON(t, w.ts.URL, "/api/v1/articles/japan/101", 200, &a)
	if a.Key != "japan:101" || a.Lang != "ja" || a.Title != "ザハロワ報道官の会見" || a.PublishedDay != "2025-03-10" {
		t.Errorf("record: %+v", a)
	}
	if len(a.Versions) != 2 || a.Versions[0].Text != text101v1 || a.Versions[1].Text != text101v2 {
		t.Fatalf("versions: %+v", a.Versions)
	}
	v2 := a.Versions[1].Capture
	if v2 == nil || v2.File != w.caps[url101].File || v2.Offset != w.caps[url101].Offset || v2.Replay != capturePath(v2.File, v2.Offset) {
		t.Errorf("version 2 capture %+v, want %+v", v2, w.caps[url101])
	}
	if len(a.Hops) != 1 || a.Hops[0].LagSeconds == nil || *a.Hops[0].LagSeconds != 1800 || a.Hops[0].Capture == nil {
		t.Errorf("hops: %+v", a.Hops)
	}
	if a.Origin == nil || a.Origin.Channel != "rusembjp" || a.Origin.Page != "/origins/channel/rusembjp" {
		t.Errorf("origin %+v", a.Origin)
	}
	if a.Story == nil || a.Story.ID != w.storyID || len(a.Story.Members) != 3 {
		t.Fatalf("story %+v", a.Story)
	}
	var sites []string
	for _, m := range a.Story.Members {
		sites = append(sites, m.Key)
	}
	if !slices.Equal(sites, []string{"canada/fr:301", "francais:201", "japan:101"}) {
		t.Errorf("story members %v", sites)
	}
	if len(a.Alternates) != 1 || a.Alternates[0].Lang != "fr" {
		t.Errorf("alternates %+v", a.Alternates)
	}

	getJSON(t, w.ts.URL, "/api/v1/articles/canada/fr/301", 200, &a)
	if a.Site != "canada/fr" || a.ID != 301 || a.Page != "/articles/canada/fr/301" {
		t.Errorf("edition article: %s %d %s", a.Site, a.ID, a.Page)
	}
}

func TestAPIOrigin(t *testing.T) {
	w := testWorld(t)
	var o originReport
	getJSON(t, w.ts.URL, "/api/v1/origins/channel/rusembjp?from=2025-03-10&to=2025-03-11", 200, &o)
	if o.Articles != 3 || !o.Known || o.Name != "Russian Embassy in Japan" {
		t.Errorf("channel: %d articles, known %v, name %q", o.Articles, o.Known, o.Name)
	}
	by := map[string]countRow{}
	for _, r := range o.BySite {
		by[r.Key] = r
	}
	if by["japan"] != (countRow{"japan", 2, 3, 2.0 / 3}) || by["francais"] != (countRow{"francais", 1, 1, 1}) {
		t.Errorf("by site %+v", o.BySite)
	}
	if len(o.OverTime) != 2 || o.OverTime[0] != (countRow{"2025-03-10", 3, 4, 0.75}) || o.OverTime[1].Count != 0 {
		t.Errorf("over time %+v", o.OverTime)
	}
	if o.LagSource != "index" || o.Lag.Sample != 3 || o.Lag.Known != 2 {
		t.Fatalf("lag sample: %s %+v", o.LagSource, o.Lag)
	}
	if o.Lag.P10 == nil || *o.Lag.P10 != 1800 || *o.Lag.P90 != 7200 {
		t.Errorf("lag quantiles %v %v", o.Lag.P10, o.Lag.P90)
	}
	n := map[string]int{}
	for _, b := range o.Lag.Buckets {
		n[b.Label] = b.N
	}
	if n["30–60 min"] != 1 || n["2–6 h"] != 1 {
		t.Errorf("lag buckets %+v", o.Lag.Buckets)
	}
	if len(o.Recent) != 3 || o.Recent[0].Key != "japan:102" {
		t.Errorf("recent %+v", o.Recent)
	}

	// The same name as an outlet is another origin: the embassy's site.
	getJSON(t, w.ts.URL, "/api/v1/origins/outlet/rusembjp?from=2025-03-10&to=2025-03-11", 200, &o)
	if o.Articles != 0 || !o.Known || o.Kind != "outlet" {
		t.Errorf("outlet rusembjp: %+v", o)
	}
	getJSON(t, w.ts.URL, "/api/v1/origins/outlet/tass?from=2025-03-10&to=2025-03-11", 200, &o)
	if o.Articles != 1 || o.Name != "TASS" || len(o.Recent) != 1 || o.Recent[0].Key != "japan:103" {
		t.Errorf("outlet tass: %+v", o)
	}
	// A channel spelled in another case is found in both stores.
	getJSON(t, w.ts.URL, "/api/v1/origins/channel/mid_russia?from=2025-03-10&to=2025-03-11", 200, &o)
	if o.Articles != 1 || o.ID != "MID_Russia" || len(o.Recent) != 1 {
		t.Errorf("mid_russia: %+v", o)
	}
}

func TestAPIStory(t *testing.T) {
	w := testWorld(t)
	var st storyJSON
	getJSON(t, w.ts.URL, "/api/v1/stories/"+itoa(w.storyID), 200, &st)
	if st.Method != "alternates" || len(st.Members) != 3 || st.Members[0].Site != "canada/fr" {
		t.Errorf("story %+v", st)
	}
}

func TestAPIExport(t *testing.T) {
	w := testWorld(t)
	old := exportChunk
	exportChunk = 2 // page through the index several times
	defer func() { exportChunk = old }()

	status, h, body := get(t, w.ts.URL, "/api/v1/export?format=csv&sort=date")
	if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !strings.Contains(h.Get("Content-Disposition"), "attachment") {
		t.Fatalf("csv: %d %v", status, h)
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 7 || !slices.Equal(recs[0], exportHeader) {
		t.Fatalf("csv: %d records, header %v", len(recs), recs[0])
	}
	var keys []string
	for _, r := range recs[1:] {
		keys = append(keys, r[0])
		if r[0] == "japan:102" && !strings.HasPrefix(r[6], "<script>") {
			t.Errorf("title cell %q", r[6])
		}
		if r[0] == "japan:101" && (r[8] != "telegram_post" || r[10] != "rusembjp" || r[13] != "1800") {
			t.Errorf("101 row %v", r)
		}
	}
	if keys[0] != "japan:101" || keys[5] != "abkhazia:401" {
		t.Errorf("csv keys (oldest first) %v", keys)
	}

	_, h, body = get(t, w.ts.URL, "/api/v1/export?format=jsonl&q="+url.QueryEscape("外務省"))
	if !strings.HasPrefix(h.Get("Content-Type"), "application/x-ndjson") {
		t.Errorf("jsonl content type %q", h.Get("Content-Type"))
	}
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if len(lines) != 3 {
		t.Fatalf("jsonl: %d lines: %s", len(lines), body)
	}
	for _, l := range lines {
		var r exportRow
		if err := json.Unmarshal([]byte(l), &r); err != nil || r.Site != "japan" {
			t.Errorf("line %s: %v", l, err)
		}
	}
}

func TestCSVSafe(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "@x": "'@x", "-2": "'-2", "ok": "ok", "": ""} {
		if got := csvSafe(in); got != want {
			t.Errorf("csvSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

// The OpenAPI document parses and describes every API route the server has.
func TestOpenAPI(t *testing.T) {
	w := testWorld(t)
	status, h, body := get(t, w.ts.URL, "/api/v1/openapi.yaml")
	if status != 200 || !strings.Contains(h.Get("Content-Type"), "yaml") {
		t.Fatalf("openapi: %d %s", status, h.Get("Content-Type"))
	}
	var doc struct {
		OpenAPI string                    `yaml:"openapi"`
		Paths   map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/api/v1/search", "/api/v1/counts", "/api/v1/articles/{site}/{id}", "/api/v1/origins/{kind}/{id}",
		"/api/v1/stories/{id}", "/api/v1/export", "/api/v1/openapi.yaml"} {
		if doc.Paths[p]["get"] == nil {
			t.Errorf("openapi.yaml does not describe GET %s", p)
		}
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi version %q", doc.OpenAPI)
	}
}
