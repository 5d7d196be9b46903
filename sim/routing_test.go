package sim

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestLegacyAliasesRedirect(t *testing.T) {
	n := newNet(t, Config{Seed: 1})
	tr := n.Truth()[0] // a japan article
	path := strings.TrimPrefix(tr.URL, "https://japan.news-pravda.com")
	for _, alias := range []string{"pravda-jp.com", "jp.news-pravda.com", "www.pravda-jp.com", "PRAVDA-JP.COM:443"} {
		for _, scheme := range []string{"https://", "http://"} {
			res := get(t, n, scheme+alias+path+"?utm_source=x")
			if res.code != http.StatusMovedPermanently || res.header.Get("Location") != tr.URL+"?utm_source=x" {
				t.Errorf("%s%s: %d → %q", scheme, alias, res.code, res.header.Get("Location"))
			}
		}
	}
	// Aliases of sites that are not simulated redirect too (their targets then 404).
	if res := get(t, n, "https://pravda-de.com/germany/2024/05/01/1.html"); res.code != 301 ||
		res.header.Get("Location") != "https://germany.news-pravda.com/germany/2024/05/01/1.html" {
		t.Errorf("pravda-de.com: %d %s", res.code, res.header.Get("Location"))
	}
	if res := get(t, n, "https://germany.news-pravda.com/"); res.code != 404 {
		t.Errorf("unsimulated site: %d, want 404", res.code)
	}
	if st := n.Stats(); st.OffScope != 0 {
		t.Errorf("network hosts counted off-scope: %+v", st.OffScopeHosts)
	}
}

func TestArticleRedirectsAndNotFound(t *testing.T) {
	clock := newClock(testNow)
	n := newNet(t, Config{Seed: 1, Now: clock.Now})
	var tr Truth
	for _, x := range n.Truth() {
		if x.Site == "canada" && x.Edition == "fr" {
			tr = x
			break
		}
	}
	if !strings.Contains(tr.URL, "/fr/") || !strings.HasPrefix(tr.Key, "canada/fr:") {
		t.Fatalf("canada /fr/ edition: %+v", tr)
	}
	host := "https://canada.news-pravda.com"
	id := itoa64(tr.ID)
	for _, wrong := range []string{
		"/fr/world/2001/01/01/" + id + ".html",
		"/fr/nosuchcat/" + tr.Published.Format("2006/01/02") + "/" + id + ".html",
	} {
		res := get(t, n, host+wrong)
		if res.code != 301 || res.header.Get("Location") != tr.URL {
			t.Errorf("%s: %d → %q, want 301 → %s", wrong, res.code, res.header.Get("Location"), tr.URL)
		}
	}
	amp := strings.TrimSuffix(tr.URL, ".html") + "-amp.html"
	if res := get(t, n, host+"/fr/world/2001/01/01/"+id+"-amp.html"); res.code != 301 || res.header.Get("Location") != amp {
		t.Errorf("amp redirect: %d %s", res.code, res.header.Get("Location"))
	}
	for _, p := range []string{
		"/fr/world/2025/05/01/999999999.html",  // unknown id
		"/en/world/2025/05/01/" + id + ".html", // an edition canada does not have
		"/world/2025/05/01/" + id + ".html/",   // trailing junk
		"/de/",
		"/nosuch/",
	} {
		if res := get(t, n, host+p); res.code != 404 {
			t.Errorf("%s: %d, want 404", p, res.code)
		}
	}
	if res := get(t, n, host+"/fr"); res.code != 301 || res.header.Get("Location") != "/fr/" {
		t.Errorf("/fr: %d %s", res.code, res.header.Get("Location"))
	}
	if res := get(t, n, host+"/world"); res.code != 301 || res.header.Get("Location") != "/world/" {
		t.Errorf("/world: %d %s", res.code, res.header.Get("Location"))
	}
	// An article is invisible before its publication time.
	clock.Add(-72 * time.Hour)
	if res := get(t, n, tr.URL); tr.Published.After(clock.Now()) && res.code != 404 {
		t.Errorf("future article: %d, want 404", res.code)
	}
}

func TestOffScopeHostsAreCounted(t *testing.T) {
	n := newNet(t, Config{Seed: 1})
	for _, u := range []string{"https://example.org/news/1", "https://www.facebook.com/sharer/sharer.php?u=x",
		"http://127.0.0.1:8443/", "https://cdn.ampproject.org/v0.js", "https://example.org/other"} {
		if res := get(t, n, u); res.code != http.StatusMisdirectedRequest {
			t.Errorf("%s: %d, want 421", u, res.code)
		}
	}
	// In scope: network hosts, registered origins (even without content).
	for _, u := range []string{"https://vk.com/wall-1_2", "https://dnr-news.ru/society/2024/01/01/1.html", "https://t.me/s/MID_Russia"} {
		if res := get(t, n, u); res.code == http.StatusMisdirectedRequest {
			t.Errorf("%s: 421, but the registry names it", u)
		}
	}
	st := n.Stats()
	if st.OffScope != 5 || st.OffScopeHosts["example.org"] != 2 || st.OffScopeHosts["facebook.com"] != 1 || st.OffScopeHosts["127.0.0.1"] != 1 {
		t.Errorf("off-scope: %d %v", st.OffScope, st.OffScopeHosts)
	}
	if st.Requests != 8 || st.ByStatus[421] != 5 {
		t.Errorf("requests %d, by status %v", st.Requests, st.ByStatus)
	}
}

func TestMethods(t *testing.T) {
	n := newNet(t, Config{Seed: 1})
	tr := n.Truth()[0]
	if res := do(t, n, http.MethodPost, tr.URL); res.code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", res.code)
	}
	res := do(t, n, http.MethodHead, tr.URL)
	if res.code != 200 || len(res.body) != 0 || res.header.Get("Content-Length") == "" {
		t.Errorf("HEAD: %d, %d bytes, CL %q", res.code, len(res.body), res.header.Get("Content-Length"))
	}
}

func TestGzipAndConditionalGet(t *testing.T) {
	n := newNet(t, Config{Seed: 1})
	tr := n.Truth()[0]
	plain := get(t, n, tr.URL)
	r := httptest.NewRequest("GET", tr.URL, nil)
	r.Header.Set("Accept-Encoding", "br, gzip;q=0.8")
	w := httptest.NewRecorder()
	n.Handler().ServeHTTP(w, r)
	if w.Header().Get("Content-Encoding") != "gzip" || w.Body.Len() >= len(plain.body) {
		t.Errorf("gzip: encoding %q, %d bytes vs %d plain", w.Header().Get("Content-Encoding"), w.Body.Len(), len(plain.body))
	}
	gz := get(t, n, tr.URL, "Accept-Encoding", "gzip")
	if string(gz.body) != string(plain.body) {
		t.Error("gzip body differs once decoded")
	}
	if res := get(t, n, tr.URL, "Accept-Encoding", "gzip;q=0"); res.header.Get("Content-Encoding") != "" {
		t.Error("gzip;q=0 answered with gzip")
	}
	etag := plain.header.Get("ETag")
	if res := get(t, n, tr.URL, "If-None-Match", etag); res.code != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", res.code)
	}
	if res := get(t, n, tr.URL, "If-Modified-Since", plain.header.Get("Last-Modified")); res.code != http.StatusNotModified {
		t.Errorf("If-Modified-Since: %d", res.code)
	}
	if res := get(t, n, tr.URL, "If-None-Match", `"other"`); res.code != 200 {
		t.Errorf("other etag: %d", res.code)
	}
}

// TestHandlerNeverPanics throws odd hosts, paths and queries at the handler.
func TestHandlerNeverPanics(t *testing.T) {
	n := newNet(t, Config{Seed: 1, Faults: []string{"malformed", "hostile", "edit", "delete", "redirectloop", "robots"}})
	tr := n.Truth()[3]
	hosts := []string{"japan.news-pravda.com", "news-pravda.com", "canada.news-pravda.com", "t.me", "tass.ru",
		"pravda-jp.com", "", ":", "[::1]:80", "japan.news-pravda.com.", "JAPAN.NEWS-PRAVDA.COM:99999",
		"xn--80ak6aa92e.com", "a..b", strings.Repeat("a", 300) + ".com", "t.me:0", "telegram.dog", "www.rt.com",
		"%00", "japan.news-pravda.com\x00", "@evil.example"}
	paths := []string{"/", "//", "/.", "/..", "/%2e%2e/", "/api/cat", "/api/cat?key=", "/api/cat?key=all&id=9223372036854775807",
		"/api/cat?key=all&id=99999999999999999999999", "/api/cat?id=%00&key=%ff", "/fr/api/blocks", "/fr/fr/fr/",
		"/sitemap_news_0.xml.gz", "/sitemap_news_-1.xml.gz", "/sitemap_news_01.xml.gz", "/sitemap_news_99999999999999999999.xml.gz",
		"/img/", "/img/2025/x.jpg", "/img/99999999/ffffffffffffffffffffffffffffffff_o.jpg", "/world/9999/99/99/1.html",
		"/world/2025/05/01/0.html", "/world/2025/05/01/999999999999999999.html", "/world/2025/05/01/9999999999999999999999.html",
		"/s/", "/s/a", "/s/MID_Russia/-1", "/s/MID_Russia/99999999999999", "/MID_Russia/0", "/+join", "/c/123/4",
		"/?page=-1", "/?page=99999999", "/world/?page=abc", "/search/?q=<script>", "/robots.txt?x", strings.Repeat("/a", 2000),
		"/%ZZ", "/world/2025/05/01/" + itoa64(tr.ID) + "-amp-amp.html", "/ü/日本/", "/\u202e/"}
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "/az09.-_%?&=:#~!$'()*+,;@[]\x7f\xff"
	for range 300 {
		b := make([]byte, 1+rng.IntN(40))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		paths = append(paths, "/"+string(b))
	}
	for _, h := range hosts {
		for _, p := range paths {
			r := httptest.NewRequest("GET", "http://x/", nil)
			r.Host = h
			r.URL.Path, r.URL.RawQuery, _ = strings.Cut(p, "?")
			r.RequestURI = p
			w := httptest.NewRecorder()
			func() {
				defer func() {
					if v := recover(); v != nil {
						t.Fatalf("panic on host %q path %q: %v", h, p, v)
					}
				}()
				n.Handler().ServeHTTP(w, r)
			}()
			if w.Code < 200 || w.Code > 599 {
				t.Errorf("host %q path %q: status %d", h, p, w.Code)
			}
		}
	}
	if st := n.Stats(); st.Panics != 0 || st.ByStatus[500] != 0 {
		t.Errorf("panics %d, 500s %d", st.Panics, st.ByStatus[500])
	}
}
