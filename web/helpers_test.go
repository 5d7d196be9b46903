package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pravda-archive/pravda/archive"
	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/index"
)

// The test world: a catalog, an index and a small WARC archive built
// directly (no crawler), shared by the tests of the package because opening
// an index loads the Japanese dictionary. It is built once, on first use.
//
//	japan:101      ja  2025-03-10  telegram_post rusembjp  two versions, a hop with a 30 min lag, story S
//	japan:102      ja  2025-03-10  telegram_post rusembjp  hostile title, text and capture, 2 h lag
//	japan:103      ja  2025-03-11  state_media tass
//	francais:201   fr  2025-03-10  telegram_post rusembjp  story S
//	canada/fr:301  fr  2025-03-10  none                    story S (a site key with a slash)
//	abkhazia:401   ru  2025-03-11  telegram_post MID_Russia (the catalog keeps the case)

var (
	jst = time.FixedZone("JST", 9*3600)
	msk = time.FixedZone("MSK", 3*3600)
	cet = time.FixedZone("CET", 3600)
)

const (
	imageMD5  = "0123456789abcdef0123456789abcdef"
	imageURL  = "http://japan.news-pravda.com/img/20250310/" + imageMD5 + ".jpg"
	url101    = "http://japan.news-pravda.com/world/2025/03/10/101.html"
	url102    = "http://japan.news-pravda.com/world/2025/03/10/102.html"
	tgPostURL = "http://t.me/s/rusembjp/5001"

	hostileTitle = `<script>top.document.title='pwned-title'</script>危険な見出し`
	text101v1    = "ロシア外務省のザハロワ報道官は記者会見で日本政府を批判した。\n\n報道官は制裁について語った。"
	text101v2    = "ロシア外務省のザハロワ報道官は記者会見で日本政府を強く批判した。\n\n報道官は制裁について語った。\n\n追加の段落。"
	text102      = "ロシア外務省は日本政府を批判した。<img src=x onerror=\"top.pwned=1;top.document.title='pwned-snippet'\"> 報道官は制裁について語った。"
)

type world struct {
	dir      string
	cat      *catalog.Catalog
	idx      *index.Index
	warcDir  string
	reports  string
	srv      *Server
	ts       *httptest.Server
	caps     map[string]archive.Capture // by URL, the latest capture
	v1       archive.Capture            // 101's first capture
	storyID  int64
	tgLag    time.Duration
	closeFns []func()
}

var (
	worldOnce sync.Once
	theWorld  *world
	worldErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if theWorld != nil {
		theWorld.close()
	}
	os.Exit(code)
}

// testWorld returns the shared world, building it on first use.
func testWorld(t testing.TB) *world {
	t.Helper()
	worldOnce.Do(func() { theWorld, worldErr = buildWorld() })
	if worldErr != nil {
		t.Fatalf("build test world: %v", worldErr)
	}
	return theWorld
}

func (w *world) close() {
	for i := len(w.closeFns) - 1; i >= 0; i-- {
		w.closeFns[i]()
	}
	os.RemoveAll(w.dir)
}

func testJPEG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 48, 32))
	for y := range 32 {
		for x := range 48 {
			img.Set(x, y, color.RGBA{uint8(x * 5), uint8(y * 7), 160, 255})
		}
	}
	var b bytes.Buffer
	jpeg.Encode(&b, img, nil)
	return b.Bytes()
}

func page101(text string) string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>ザハロワ報道官の会見</title></head><body>`)
	b.WriteString(`<h1>ザハロワ報道官の会見</h1><img data-src="/img/20250310/` + imageMD5 + `.jpg" src="/img/blank.gif" alt="写真">`)
	for _, p := range paragraphs(text) {
		b.WriteString("<p>" + p + "</p>")
	}
	b.WriteString(`</body></html>`)
	return b.String()
}

// origin serves the pages the archive captures, whatever the host.
func originHandler(hostile []byte) http.Handler {
	var mu sync.Mutex
	hits := map[string]int{}
	jpg := testJPEG()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Host + r.URL.Path
		mu.Lock()
		hits[key]++
		n := hits[key]
		mu.Unlock()
		switch key {
		case "japan.news-pravda.com/world/2025/03/10/101.html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			if n == 1 {
				io.WriteString(w, page101(text101v1))
			} else {
				io.WriteString(w, page101(text101v2))
			}
		case "japan.news-pravda.com/world/2025/03/10/102.html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(hostile)
		case "japan.news-pravda.com/img/20250310/" + imageMD5 + ".jpg":
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(jpg)
		case "japan.news-pravda.com/data.json":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"a":"<script>top.pwned=1</script>"}`)
		case "t.me/s/rusembjp/5001":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, `<!DOCTYPE html><html><body><div class="tgme_widget_message_text">在日ロシア大使館の投稿</div>`+
				`<time datetime="2025-03-10T08:30:00+09:00">08:30</time><script>top.pwned=10</script></body></html>`)
		default:
			http.NotFound(w, r)
		}
	})
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func buildWorld() (*world, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "pravda-web-test-")
	if err != nil {
		return nil, err
	}
	w := &world{dir: dir, warcDir: filepath.Join(dir, "warc"), reports: filepath.Join(dir, "reports"), caps: map[string]archive.Capture{}}
	fail := func(err error) (*world, error) {
		w.close()
		return nil, err
	}
	hostile, err := os.ReadFile(filepath.Join("testdata", "hostile.html"))
	if err != nil {
		return fail(err)
	}

	// The archive: fetch through the recording transport, every host
	// routed to a local server.
	origin := httptest.NewServer(originHandler(hostile))
	defer origin.Close()
	aw, err := archive.Open(w.warcDir, archive.WithPrefix("test"))
	if err != nil {
		return fail(err)
	}
	addr := origin.Listener.Addr().String()
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	client := &http.Client{Transport: aw.Transport(archive.TransportOptions{DialContext: dial})}
	fetch := func(u string) (archive.Capture, error) {
		resp, err := client.Get(u)
		if err != nil {
			return archive.Capture{}, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		c, ok := archive.CaptureOf(resp)
		if !ok {
			return c, fmt.Errorf("%s: not archived", u)
		}
		w.caps[u] = c
		return c, nil
	}
	for _, u := range []string{url101, url102, imageURL, tgPostURL, "http://japan.news-pravda.com/data.json"} {
		if _, err := fetch(u); err != nil {
			aw.Close()
			return fail(err)
		}
		if u == url101 {
			w.v1 = w.caps[u]
			if _, err := fetch(u); err != nil { // the edited second version
				aw.Close()
				return fail(err)
			}
		}
	}
	if err := aw.Close(); err != nil {
		return fail(err)
	}

	// The catalog.
	w.cat, err = catalog.Open(ctx, filepath.Join(dir, "catalog.db"))
	if err != nil {
		return fail(err)
	}
	w.closeFns = append(w.closeFns, func() { w.cat.Close() })
	version := func(c archive.Capture, title, text string) catalog.Version {
		return catalog.Version{CapturedAt: c.Time, URL: c.URL, Status: 200, BodyHash: sum(title + text), Title: title, Text: text,
			WARCFile: c.File, WARCOffset: c.Offset, WARCLength: c.Length, RecordID: c.RecordID, PayloadDigest: c.PayloadDigest}
	}
	stamp := func(c archive.Capture, at time.Time) archive.Capture { c.Time = at; return c }
	t0 := time.Date(2025, 3, 10, 3, 0, 0, 0, time.UTC)
	type put struct {
		a catalog.Article
		v catalog.Version
	}
	tg := catalog.Origin{Kind: "telegram_post", Channel: "rusembjp", Post: "5001", Platform: "telegram", URL: "https://t.me/rusembjp/5001"}
	a101 := catalog.Article{Site: "japan", ID: 101, URL: url101, CanonicalURL: url101, Lang: "ja", Category: "world",
		Title: "ザハロワ報道官の会見", Published: time.Date(2025, 3, 10, 9, 0, 0, 0, jst),
		SourceTitle: "Telegram 在日ロシア大使館", SourceURL: "https://t.me/rusembjp/5001", Origin: tg,
		Alternates: []catalog.Alternate{{Lang: "fr", URL: "http://francais.news-pravda.com/monde/2025/03/10/201.html"}}}
	puts := []put{
		{a101, version(stamp(w.v1, t0), "ザハロワ報道官の会見", text101v1)},
		{a101, version(stamp(w.caps[url101], t0.Add(time.Hour)), "ザハロワ報道官の会見", text101v2)},
		{catalog.Article{Site: "japan", ID: 102, URL: url102, CanonicalURL: url102, Lang: "ja", Category: "world",
			Title: hostileTitle, Published: time.Date(2025, 3, 10, 10, 30, 0, 0, jst),
			Origin: catalog.Origin{Kind: "telegram_post", Channel: "rusembjp", Post: "5002", URL: "https://t.me/rusembjp/5002"}},
			version(w.caps[url102], hostileTitle, text102)},
		{catalog.Article{Site: "japan", ID: 103, URL: "http://japan.news-pravda.com/world/2025/03/11/103.html", Lang: "ja",
			Title: "タス通信の報道", Published: time.Date(2025, 3, 11, 9, 0, 0, 0, jst),
			Origin: catalog.Origin{Kind: "state_media", Outlet: "tass", URL: "https://tass.ru/politika/1"}},
			catalog.Version{CapturedAt: t0.Add(24 * time.Hour), Status: 200, BodyHash: sum("103"), Title: "タス通信の報道",
				Text: "タス通信によると、ロシア外務省は声明を出した。"}},
		{catalog.Article{Site: "francais", ID: 201, URL: "http://francais.news-pravda.com/monde/2025/03/10/201.html", Lang: "fr",
			Title: "Le ministère russe critique Tokyo", Published: time.Date(2025, 3, 10, 2, 0, 0, 0, cet), Origin: tg},
			catalog.Version{CapturedAt: t0, Status: 200, BodyHash: sum("201"), Title: "Le ministère russe critique Tokyo",
				Text: "Le ministère russe des Affaires étrangères a critiqué le gouvernement japonais."}},
		{catalog.Article{Site: "canada/fr", ID: 301, URL: "http://canada.news-pravda.com/fr/monde/2025/03/10/301.html", Lang: "fr",
			Title: "Moscou et Tokyo", Published: time.Date(2025, 3, 10, 4, 0, 0, 0, cet), Origin: catalog.Origin{Kind: "none"}},
			catalog.Version{CapturedAt: t0, Status: 200, BodyHash: sum("301"), Title: "Moscou et Tokyo",
				Text: "Les relations entre Moscou et Tokyo se tendent."}},
		{catalog.Article{Site: "abkhazia", ID: 401, URL: "http://abkhazia.news-pravda.com/world/2025/03/11/401.html", Lang: "ru",
			Title: "МИД России о санкциях", Published: time.Date(2025, 3, 11, 12, 0, 0, 0, msk),
			Origin: catalog.Origin{Kind: "telegram_post", Channel: "MID_Russia", Post: "9", URL: "https://t.me/MID_Russia/9"}},
			catalog.Version{CapturedAt: t0.Add(30 * time.Hour), Status: 200, BodyHash: sum("401"), Title: "МИД России о санкциях",
				Text: "МИД России критикует новые санкции."}},
	}
	rows := map[string]int64{}
	for _, p := range puts {
		res, err := w.cat.PutArticle(ctx, p.a, p.v)
		if err != nil {
			return fail(err)
		}
		rows[p.a.Site+":"+fmt.Sprint(p.a.ID)] = res.RowID
	}
	tgCap := w.caps[tgPostURL]
	w.tgLag = 30 * time.Minute
	if err := w.cat.SetHops(ctx, rows["japan:101"], []catalog.Hop{{Kind: "telegram_post", URL: "https://t.me/rusembjp/5001",
		Channel: "rusembjp", Post: "5001", Evidence: "data-source-url on the article capture", WARCFile: tgCap.File,
		WARCOffset: tgCap.Offset, OriginTime: time.Date(2025, 3, 10, 8, 30, 0, 0, jst), Lag: w.tgLag}}); err != nil {
		return fail(err)
	}
	if err := w.cat.SetHops(ctx, rows["japan:102"], []catalog.Hop{{Kind: "telegram_post", URL: "https://t.me/rusembjp/5002",
		Channel: "rusembjp", Post: "5002", Evidence: `<b onmouseover="top.pwned=11">evidence</b>`,
		OriginTime: time.Date(2025, 3, 10, 8, 30, 0, 0, jst), Lag: 2 * time.Hour}}); err != nil {
		return fail(err)
	}
	if w.storyID, err = w.cat.NewStory(ctx, "alternates"); err != nil {
		return fail(err)
	}
	if err := w.cat.SetStory(ctx, []int64{rows["japan:101"], rows["francais:201"], rows["canada/fr:301"]}, w.storyID); err != nil {
		return fail(err)
	}
	if err := w.cat.SyncOrigins(ctx, []catalog.OriginInfo{{ID: "tass", Kind: "state_media", Name: "TASS"}}); err != nil {
		return fail(err)
	}

	// The index, fed from the catalog as the daemon does.
	w.idx, err = index.Open(filepath.Join(dir, "index"), index.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return fail(err)
	}
	w.closeFns = append(w.closeFns, func() { w.idx.Close() })
	var docs []index.Doc
	for key := range rows {
		site, id, _ := strings.Cut(key, ":")
		var n int64
		fmt.Sscan(id, &n)
		a, err := w.cat.Article(ctx, site, n)
		if err != nil {
			return fail(err)
		}
		docs = append(docs, docOf(a))
	}
	if err := w.idx.Index(ctx, docs); err != nil {
		return fail(err)
	}

	// Reports.
	if err := os.MkdirAll(w.reports, 0o755); err != nil {
		return fail(err)
	}
	for name, body := range map[string]string{
		"2025-03-10.html": "<!DOCTYPE html><title>report</title><script>top.pwned=12</script><p>japan 2</p>",
		"2025-03-10.json": `{"date":"2025-03-10"}`,
		"2025-03-11.csv":  "site,count\njapan,1\n",
		"notes.txt":       "not a report",
	} {
		if err := os.WriteFile(filepath.Join(w.reports, name), []byte(body), 0o644); err != nil {
			return fail(err)
		}
	}

	w.srv, err = New(Options{Catalog: w.cat, Index: w.idx, WARCDir: w.warcDir, ReportsDir: w.reports,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return fail(err)
	}
	w.ts = httptest.NewServer(w.srv)
	w.closeFns = append(w.closeFns, w.ts.Close)
	return w, nil
}

// docOf is the index document of a catalog article.
func docOf(a *catalog.Article) index.Doc {
	d := index.Doc{Key: a.Site + ":" + fmt.Sprint(a.ID), Site: a.Site, Lang: a.Lang, Category: a.Category, Title: a.Title,
		Published: a.Published, OriginKind: a.Origin.Kind, Outlet: a.Origin.Outlet, Channel: a.Origin.Channel, URL: a.URL}
	if n := len(a.Versions); n > 0 {
		d.Text = a.Versions[n-1].Text
	}
	if a.StoryID != 0 {
		d.Story = fmt.Sprint(a.StoryID)
	}
	return d
}

// get fetches a path from a server and returns status, headers and body.
func get(t testing.TB, base, path string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.Get(base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// getJSON fetches a path, checks the status and decodes the body.
func getJSON(t testing.TB, base, path string, wantStatus int, v any) string {
	t.Helper()
	status, h, body := get(t, base, path)
	if status != wantStatus {
		t.Fatalf("GET %s: status %d, want %d: %s", path, status, wantStatus, body)
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("GET %s: Content-Type %q", path, ct)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(body), v); err != nil {
			t.Fatalf("GET %s: %v: %s", path, err, body)
		}
	}
	return body
}

// emptyServer is a server over an empty catalog, with no index, no WARC
// directory and no reports.
func emptyServer(t testing.TB, withIndex bool) *httptest.Server {
	t.Helper()
	dir := t.TempDir()
	cat, err := catalog.Open(context.Background(), filepath.Join(dir, "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	opts := Options{Catalog: cat, WARCDir: filepath.Join(dir, "warc"), ReportsDir: filepath.Join(dir, "reports"),
		Logger: slog.New(slog.DiscardHandler)}
	if withIndex {
		x, err := index.Open(filepath.Join(dir, "index"), index.WithLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { x.Close() })
		opts.Index = x
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts
}

func httptestServer(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts
}

func mustRead(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustReadF(f *testing.F, name string) []byte { return mustRead(f, name) }
