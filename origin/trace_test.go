package origin_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pravda-archive/pravda/archive"
	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/ingest"
	"github.com/pravda-archive/pravda/origin"
	"github.com/pravda-archive/pravda/seeds"
)

var msk = time.FixedZone("MSK", 3*3600)

func openCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Open(context.Background(), filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// art is an article to put in the catalog: a network page on site with id, crediting url
// (and title), published at pub.
type art struct {
	site       string
	id         int64
	credURL    string
	credTitle  string
	pub        time.Time
	text       string
	lang       string
	images     []string
	alternates []string
	origin     catalog.Origin // as ingest would classify it; empty: classified here
	capture    int64          // where the capture is in its WARC; 0: id (a second put of one is a replay)
}

var hosts = map[string]string{"japan": "japan.news-pravda.com", "hub": "news-pravda.com",
	"francais": "francais.news-pravda.com", "deutsch": "deutsch.news-pravda.com", "canada": "canada.news-pravda.com"}

func artURL(site string, id int64, pub time.Time) string {
	return fmt.Sprintf("https://%s/world/%s/%d.html", hosts[site], pub.In(msk).Format("2006/01/02"), id)
}

func put(t testing.TB, c *catalog.Catalog, a art) int64 {
	t.Helper()
	if a.pub.IsZero() {
		a.pub = time.Date(2025, 5, 1, 10, 0, 0, 0, msk)
	}
	if a.text == "" {
		a.text = fmt.Sprintf("Body of %s:%d.", a.site, a.id)
	}
	u := artURL(a.site, a.id, a.pub)
	row := catalog.Article{Site: a.site, ID: a.id, CanonicalURL: u, URL: u, Lang: a.lang, Title: "Title " + u,
		Published: a.pub, SourceURL: a.credURL, SourceTitle: a.credTitle, Origin: a.origin}
	if row.Origin.Kind == "" {
		o := origin.Classify(nil, a.credURL, a.credTitle)
		row.Origin = catalog.Origin{Kind: string(o.Kind), URL: o.URL, Channel: o.Channel, Outlet: o.Outlet, Site: o.Site, ArtID: o.ID}
		if o.Post > 0 {
			row.Origin.Post = fmt.Sprint(o.Post)
		}
	}
	for _, m := range a.images {
		row.Images = append(row.Images, catalog.Image{URL: "https://" + hosts[a.site] + "/img/20250501/" + m + ".jpg", MD5: m})
	}
	for _, l := range a.alternates {
		row.Alternates = append(row.Alternates, catalog.Alternate{Lang: "xx", URL: l})
	}
	if a.capture == 0 {
		a.capture = a.id
	}
	res, err := c.PutArticle(context.Background(), row, catalog.Version{CapturedAt: time.Now(), BodyHash: fmt.Sprintf("%x", a.text),
		Title: row.Title, Text: a.text, WARCFile: "pages.warc.gz", WARCOffset: a.capture})
	if err != nil {
		t.Fatal(err)
	}
	return res.RowID
}

// fakeWeb answers the tracer's fetches from a map, as the archiving fetcher would: each
// response carries a capture header naming a made-up WARC location.
type fakeWeb struct {
	mu    sync.Mutex
	pages map[string]fakePage
	got   []string
}

type fakePage struct {
	status int
	body   string
	err    error
}

func (w *fakeWeb) Get(_ context.Context, u string) (*http.Response, []byte, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.got = append(w.got, u)
	p, ok := w.pages[u]
	if !ok {
		p = fakePage{status: 404, body: "not found"}
	}
	if p.err != nil {
		return nil, nil, p.err
	}
	h := http.Header{}
	c, _ := json.Marshal(archive.Capture{URL: u, File: "origins.warc.gz", Offset: int64(1000 + len(w.got))})
	h.Set(archive.CaptureHeader, string(c))
	return &http.Response{StatusCode: p.status, Header: h}, []byte(p.body), nil
}

func (w *fakeWeb) requests() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.got...)
}

// tgFeed renders a t.me/s/ feed page with the given messages.
func tgFeed(msgs ...tgMsg) string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>Telegram</title></head><body><section class="tgme_channel_history">`)
	for _, m := range msgs {
		fmt.Fprintf(&b, `<div class="tgme_widget_message_wrap"><div class="tgme_widget_message" data-post="%s/%d"><div class="tgme_widget_message_bubble">`, m.ch, m.post)
		fmt.Fprintf(&b, `<div class="tgme_widget_message_author"><a class="tgme_widget_message_owner_name" href="https://t.me/%s"><span>%s</span></a></div>`, m.ch, m.ch)
		if m.fwd != "" {
			fmt.Fprintf(&b, `<div class="tgme_widget_message_forwarded_from">Forwarded from <a class="tgme_widget_message_forwarded_from_name" href="%s"><span>Source</span></a></div>`, m.fwd)
		}
		fmt.Fprintf(&b, `<div class="tgme_widget_message_text js-message_text">%s</div>`, html.EscapeString(m.text))
		fmt.Fprintf(&b, `<div class="tgme_widget_message_footer"><a class="tgme_widget_message_date" href="https://t.me/%s/%d"><time datetime="%s" class="time">x</time></a></div>`,
			m.ch, m.post, m.at.UTC().Format(time.RFC3339))
		b.WriteString(`</div></div></div>`)
	}
	b.WriteString(`</section></body></html>`)
	return b.String()
}

type tgMsg struct {
	ch   string
	post int64
	fwd  string
	text string
	at   time.Time
}

// networkPage renders an article page in the network's template.
func networkPage(u, title, credURL, credTitle string, pub time.Time) string {
	credit := ""
	if credURL != "" || credTitle != "" {
		credit = fmt.Sprintf(`<div class="article__source">Источник: <a href="%s">%s</a></div>
<div class="article-meta"><span class="article-meta__item source-link" data-source-url="%s">%s</span></div>`,
			credURL, html.EscapeString(credTitle), credURL, html.EscapeString(credTitle))
	}
	return fmt.Sprintf(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>%[2]s - Pravda EN</title>
<link rel="canonical" href="%[1]s"><meta property="og:title" content="%[2]s"></head><body><main class="main">
<article class="article"><div class="article__breadcrumbs"><div class="article__breadcrumb article__breadcrumb_active"><a href="/world/"><i>World</i></a></div></div>
<h1 class="article__title">%[2]s</h1><div class="article__time"><time datetime="%[3]s">x</time></div>
<div class="article__text"><p>First paragraph of %[2]s.</p><p>Second paragraph.</p></div>%[4]s</article></main></body></html>`,
		u, html.EscapeString(title), pub.Format(time.RFC3339), credit)
}

func newTracer(c *catalog.Catalog, web *fakeWeb) *origin.Tracer {
	in := &ingest.Ingester{Registry: seeds.Default(), Catalog: c}
	return &origin.Tracer{Catalog: c, Fetcher: web, Workers: 2,
		Ingest: func(ctx context.Context, u string, resp *http.Response, body []byte) error {
			rec, _ := archive.CaptureFromHeader(resp.Header)
			_, err := in.Put(ctx, ingest.Capture{URL: u, Status: resp.StatusCode, Header: resp.Header, Body: body, Record: rec, Fetched: time.Now()})
			return err
		}}
}

func traceOne(t *testing.T, tr *origin.Tracer, c *catalog.Catalog, row int64) (*origin.Chain, *catalog.Article) {
	t.Helper()
	ch, err := tr.Trace(context.Background(), row)
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.ArticleByRowID(context.Background(), row)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Hops) != len(ch.Hops) {
		t.Fatalf("catalog holds %d hops, trace returned %d", len(a.Hops), len(ch.Hops))
	}
	return ch, a
}

func TestTraceFollowsForwardedPost(t *testing.T) {
	c := openCatalog(t)
	pub := time.Date(2025, 5, 1, 10, 0, 0, 0, msk)
	fwdAt, rootAt := pub.Add(-50*time.Minute), pub.Add(-90*time.Minute)
	web := &fakeWeb{pages: map[string]fakePage{
		"https://t.me/s/rusembjp/1234": {200, tgFeed(
			tgMsg{ch: "rusembjp", post: 1233, text: "older", at: fwdAt.Add(-time.Hour)},
			tgMsg{ch: "rusembjp", post: 1234, fwd: "https://t.me/MID_Russia/5678", text: "forwarded", at: fwdAt}), nil},
		"https://t.me/s/MID_Russia/5678": {200, tgFeed(tgMsg{ch: "MID_Russia", post: 5678, text: "the original", at: rootAt}), nil},
	}}
	row := put(t, c, art{site: "japan", id: 1, credURL: "https://t.me/rusembjp/1234", credTitle: `Telegram "rusembjp"`, pub: pub})
	// A neighbour on the same feed page: proved by the same capture, fetched once.
	row2 := put(t, c, art{site: "japan", id: 2, credURL: "https://t.me/rusembjp/1233", pub: pub})
	tr := newTracer(c, web)

	ch, a := traceOne(t, tr, c, row)
	if len(a.Hops) != 2 {
		t.Fatalf("hops: %+v", a.Hops)
	}
	h1, h2 := a.Hops[0], a.Hops[1]
	if h1.Kind != "telegram_post" || h1.Channel != "rusembjp" || h1.Post != "1234" || !h1.OriginTime.Equal(fwdAt) || h1.Lag != 50*time.Minute {
		t.Errorf("hop 1: %+v", h1)
	}
	if !strings.HasPrefix(h1.Evidence, "data-source-url on japan:1 (pages.warc.gz@1)") || h1.WARCFile != "origins.warc.gz" {
		t.Errorf("hop 1 evidence %q, capture %s@%d", h1.Evidence, h1.WARCFile, h1.WARCOffset)
	}
	if h2.Channel != "MID_Russia" || h2.Post != "5678" || h2.Lag != 90*time.Minute || !strings.HasPrefix(h2.Evidence, "forwarded_from on post rusembjp/1234 as t.me/s/rusembjp/1234 shows it (origins.warc.gz@") {
		t.Errorf("hop 2: %+v", h2)
	}
	if a.Origin.Kind != "telegram_post" || a.Origin.Channel != "MID_Russia" || a.Origin.Post != "5678" || a.Origin.URL != "https://t.me/MID_Russia/5678" {
		t.Errorf("root origin: %+v", a.Origin)
	}
	if lag, ok := ch.Lag(); !ok || lag != 90*time.Minute {
		t.Errorf("total lag %v %v", lag, ok)
	}

	_, b := traceOne(t, tr, c, row2)
	if len(b.Hops) != 1 || !b.Hops[0].OriginTime.Equal(fwdAt.Add(-time.Hour)) {
		t.Errorf("neighbour: %+v", b.Hops)
	}
	if got := web.requests(); len(got) != 2 {
		t.Errorf("requests %v: want the two feed pages once each", got)
	}
}

func TestTraceFetchesAndIngestsMissingNetworkPages(t *testing.T) {
	c := openCatalog(t)
	pub := time.Date(2025, 5, 1, 10, 0, 0, 0, msk)
	hubPub := pub.Add(-20 * time.Minute)
	hubURL := "https://news-pravda.com/world/2025/05/01/500.html"
	web := &fakeWeb{pages: map[string]fakePage{
		hubURL:                         {200, networkPage(hubURL, "Hub story", "https://t.me/rian_ru/77", "Telegram \"rian_ru\"", hubPub), nil},
		"https://t.me/s/rian_ru/77":    {200, tgFeed(tgMsg{ch: "rian_ru", post: 77, text: "root", at: hubPub.Add(-30 * time.Minute)}), nil},
		"https://pravda-en.com/x.html": {200, "", nil},
	}}
	// Credited through the hub's legacy host: the same article.
	row := put(t, c, art{site: "japan", id: 1, credURL: "https://pravda-en.com/world/2025/05/01/500.html", credTitle: "Pravda EN", pub: pub})
	tr := newTracer(c, web)
	ch, a := traceOne(t, tr, c, row)
	if len(a.Hops) != 2 || a.Hops[0].Kind != "network" || a.Hops[0].URL != hubURL || a.Hops[1].Kind != "telegram_post" {
		t.Fatalf("hops: %+v", a.Hops)
	}
	if a.Hops[0].Lag != 20*time.Minute || a.Hops[1].Lag != 50*time.Minute {
		t.Errorf("lags %v %v", a.Hops[0].Lag, a.Hops[1].Lag)
	}
	if !strings.HasPrefix(a.Hops[1].Evidence, "data-source-url on hub:500") {
		t.Errorf("hop 2 evidence: %s", a.Hops[1].Evidence)
	}
	hub, err := c.Article(context.Background(), "hub", 500)
	if err != nil {
		t.Fatalf("the hub page was not ingested: %v", err)
	}
	if hub.SourceURL != "https://t.me/rian_ru/77" || a.Hops[0].WARCFile != "origins.warc.gz" {
		t.Errorf("hub article %+v; hop capture %s", hub.SourceURL, a.Hops[0].WARCFile)
	}
	if a.Origin.Channel != "rian_ru" || a.Origin.Post != "77" || !ch.Credited {
		t.Errorf("root %+v", a.Origin)
	}
}

func TestTraceStopsAtCycles(t *testing.T) {
	c := openCatalog(t)
	pub := time.Date(2025, 5, 1, 10, 0, 0, 0, msk)
	hub := artURL("hub", 2, pub)
	jp := artURL("japan", 1, pub)
	row := put(t, c, art{site: "japan", id: 1, credURL: hub, pub: pub})
	put(t, c, art{site: "hub", id: 2, credURL: jp, pub: pub})
	self := put(t, c, art{site: "francais", id: 3, credURL: artURL("francais", 3, pub), pub: pub})
	web := &fakeWeb{}
	tr := newTracer(c, web)

	_, a := traceOne(t, tr, c, row)
	if len(a.Hops) != 1 || a.Hops[0].URL != hub || !strings.Contains(a.Hops[0].Evidence, "cycle: credits japan:1") {
		t.Fatalf("hops: %+v", a.Hops)
	}
	if a.Origin.Kind != "network" || a.Origin.Site != "hub" || a.Origin.ArtID != 2 {
		t.Errorf("root %+v", a.Origin)
	}
	_, s := traceOne(t, tr, c, self)
	if len(s.Hops) != 1 || !strings.Contains(s.Hops[0].Evidence, "credits itself") {
		t.Errorf("self-credit: %+v", s.Hops)
	}
	if r := web.requests(); len(r) != 0 {
		t.Errorf("fetched %v for articles the catalog holds", r)
	}
}

func TestTraceDepthCap(t *testing.T) {
	c := openCatalog(t)
	pub := time.Date(2025, 5, 1, 10, 0, 0, 0, msk)
	// hub:1 → hub:2 → … → hub:9 → t.me post.
	var first int64
	for i := int64(1); i <= 9; i++ {
		cred := artURL("hub", i+1, pub)
		if i == 9 {
			cred = "https://t.me/rian_ru/5"
		}
		row := put(t, c, art{site: "hub", id: i, credURL: cred, pub: pub})
		if i == 1 {
			first = row
		}
	}
	tr := newTracer(c, &fakeWeb{})
	tr.MaxDepth = 3
	_, a := traceOne(t, tr, c, first)
	if len(a.Hops) != 3 || !strings.Contains(a.Hops[2].Evidence, "depth cap 3: not followed to https://news-pravda.com/world/2025/05/01/5.html") {
		t.Fatalf("hops: %+v", a.Hops)
	}
	tr = newTracer(c, &fakeWeb{})
	_, a = traceOne(t, tr, c, first)
	if len(a.Hops) != origin.DefaultMaxDepth {
		t.Errorf("default depth: %d hops", len(a.Hops))
	}
}

func TestTraceRecordsUnreachableHops(t *testing.T) {
	c := openCatalog(t)
	pub := time.Date(2025, 5, 1, 10, 0, 0, 0, msk)
	web := &fakeWeb{pages: map[string]fakePage{
		"https://t.me/s/rian_ru/9":   {err: context.DeadlineExceeded},
		"https://t.me/s/MFARussia/1": {200, tgFeed(tgMsg{ch: "MFARussia", post: 2, text: "another post", at: pub}), nil},
	}}
	rows := []int64{
		put(t, c, art{site: "japan", id: 1, credURL: "https://t.me/rian_ru/9", pub: pub}),                          // timeout
		put(t, c, art{site: "japan", id: 2, credURL: "https://t.me/tass_agency/3", pub: pub}),                      // 404
		put(t, c, art{site: "japan", id: 3, credURL: "https://t.me/MFARussia/1", pub: pub}),                        // post not on the page
		put(t, c, art{site: "japan", id: 4, credURL: "https://tass.ru/politika/123", credTitle: "ТАСС", pub: pub}), // outlet 404
		put(t, c, art{site: "japan", id: 5, credURL: artURL("deutsch", 77, pub), pub: pub}),                        // network 404
	}
	tr := newTracer(c, web)
	st, err := tr.TraceAll(context.Background(), rows)
	if err != nil || st.Articles != 5 || st.Unreachable != 5 || st.Failed != 0 {
		t.Fatalf("stats %+v, err %v", st, err)
	}
	for i, row := range rows {
		a, _ := c.ArticleByRowID(context.Background(), row)
		if len(a.Hops) != 1 || !origin.Unreachable(a.Hops[0]) || !a.Hops[0].OriginTime.IsZero() {
			t.Errorf("article %d: %+v", i+1, a.Hops)
			continue
		}
		// The root is what the credit names, unconfirmed.
		if a.Origin.Kind == "" || a.Origin.Kind == "none" || a.Origin.URL == "" {
			t.Errorf("article %d: root %+v", i+1, a.Origin)
		}
	}
	a, _ := c.ArticleByRowID(context.Background(), rows[0])
	if !strings.Contains(a.Hops[0].Evidence, "deadline") {
		t.Errorf("timeout evidence: %s", a.Hops[0].Evidence)
	}
}

func TestTraceReadsOutletTime(t *testing.T) {
	c := openCatalog(t)
	pub := time.Date(2025, 5, 1, 10, 0, 0, 0, msk)
	at := pub.Add(-2 * time.Hour)
	u := "https://ria.ru/20250501/sanctions-123.html"
	web := &fakeWeb{pages: map[string]fakePage{u: {200, fmt.Sprintf(`<html><head><title>T</title>
<meta property="article:published_time" content="%s"></head><body><article><h1>T</h1><p>Some text of the article, long enough.</p></article></body></html>`,
		at.Format(time.RFC3339)), nil}}}
	row := put(t, c, art{site: "japan", id: 1, credURL: "https://www.ria.ru/20250501/sanctions-123.html?utm_source=x", credTitle: "РИА Новости", pub: pub})
	_, a := traceOne(t, newTracer(c, web), c, row)
	if len(a.Hops) != 1 || a.Hops[0].Outlet != "ria" || a.Hops[0].Lag != 2*time.Hour {
		t.Fatalf("hops %+v", a.Hops)
	}
	if a.Origin.Kind != "state_media" || a.Origin.Outlet != "ria" || a.Origin.URL != u {
		t.Errorf("root %+v", a.Origin)
	}
}

func TestTraceWithoutCredit(t *testing.T) {
	c := openCatalog(t)
	none := put(t, c, art{site: "japan", id: 1})
	garbled := put(t, c, art{site: "japan", id: 2, credTitle: "???"})
	tr := newTracer(c, &fakeWeb{})
	ch, a := traceOne(t, tr, c, none)
	if ch.Credited || len(a.Hops) != 0 || a.Origin.Kind != "none" {
		t.Errorf("uncredited: %+v %+v", ch, a.Hops)
	}
	_, b := traceOne(t, tr, c, garbled)
	if len(b.Hops) != 1 || !strings.HasPrefix(b.Hops[0].Evidence, "credit not understood") || b.Origin.Kind != "none" {
		t.Errorf("garbled credit: %+v, origin %+v", b.Hops, b.Origin)
	}
	ids, err := c.Untraced(context.Background(), 10)
	if err != nil || len(ids) != 0 {
		t.Errorf("untraced after tracing: %v %v", ids, err)
	}
}

func TestTraceOffline(t *testing.T) {
	c := openCatalog(t)
	row := put(t, c, art{site: "japan", id: 1, credURL: "https://t.me/rian_ru/9"})
	tr := &origin.Tracer{Catalog: c}
	_, a := traceOne(t, tr, c, row)
	if len(a.Hops) != 1 || !strings.Contains(a.Hops[0].Evidence, "offline") {
		t.Errorf("hops %+v", a.Hops)
	}
}

func TestTraceCancelledStoresNothing(t *testing.T) {
	c := openCatalog(t)
	row := put(t, c, art{site: "japan", id: 1, credURL: "https://t.me/rian_ru/9"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tr := newTracer(c, &fakeWeb{pages: map[string]fakePage{"https://t.me/s/rian_ru/9": {err: context.Canceled}}})
	if _, err := tr.Trace(ctx, row); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	a, _ := c.ArticleByRowID(context.Background(), row)
	if len(a.Hops) != 0 {
		t.Errorf("a cancelled trace stored %+v", a.Hops)
	}
}
