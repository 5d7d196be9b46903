package sim

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/pravda-archive/pravda/seeds"
)

type item struct {
	url, cat string
	id       int64
}

// fragmentItems reads a listing fragment: a.news-item__title hrefs, made absolute.
func fragmentItems(t *testing.T, base, html string) []item {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	if err != nil {
		t.Fatal(err)
	}
	var out []item
	doc.Find(".news-item").Each(func(_ int, s *goquery.Selection) {
		u := absolute(t, base, s.Find("a.news-item__title").AttrOr("href", ""))
		a, err := seeds.ParseArticleURL(u)
		if err != nil {
			t.Errorf("listing href %q: %v", u, err)
			return
		}
		out = append(out, item{url: u, cat: s.Find(".news-item__cat").Text(), id: a.ID})
	})
	return out
}

// pageAPI follows /api/blocks then /api/cat back to the oldest item of key, as CheckFirst's
// scraper does, and returns the URLs in the order received.
func pageAPI(t *testing.T, n *Network, base, key string) []item {
	t.Helper()
	res := get(t, n, base+"/api/blocks")
	var blocks struct {
		Blocks []struct{ Key, News string }
	}
	if err := json.Unmarshal(res.body, &blocks); err != nil {
		t.Fatalf("%s/api/blocks: %v", base, err)
	}
	var items []item
	for _, b := range blocks.Blocks {
		if b.Key == key {
			items = fragmentItems(t, base, b.News)
		}
	}
	for len(items) > 0 {
		last := items[len(items)-1].id
		res := get(t, n, base+"/api/cat?key="+key+"&id="+strconv.FormatInt(last, 10)+"&type=block")
		var page struct{ News *string }
		if err := json.Unmarshal(res.body, &page); err != nil || page.News == nil {
			t.Fatalf("api/cat: %v %s", err, res.body)
		}
		more := fragmentItems(t, base, *page.News)
		if len(more) == 0 {
			break
		}
		if len(more) > apiBatch {
			t.Fatalf("batch of %d", len(more))
		}
		items = append(items, more...)
		if len(items) > 100000 {
			t.Fatal("API paging does not end")
		}
	}
	for i := 1; i < len(items); i++ {
		if items[i].id >= items[i-1].id {
			t.Fatalf("%s key %s: ids not strictly decreasing at %d: %d then %d", base, key, i, items[i-1].id, items[i].id)
		}
	}
	return items
}

func readSitemaps(t *testing.T, n *Network, host string) []string {
	t.Helper()
	robots := string(get(t, n, "https://"+host+"/robots.txt").body)
	index := ""
	for _, line := range strings.Split(robots, "\n") {
		if v, ok := strings.CutPrefix(line, "Sitemap: "); ok {
			index = v
		}
	}
	if index == "" {
		t.Fatalf("%s robots.txt names no sitemap:\n%s", host, robots)
	}
	var idx struct {
		Sitemaps []struct {
			Loc string `xml:"loc"`
		} `xml:"sitemap"`
	}
	if err := xml.Unmarshal(get(t, n, index).body, &idx); err != nil {
		t.Fatalf("%s: %v", index, err)
	}
	var locs []string
	for _, sm := range idx.Sitemaps {
		res := get(t, n, sm.Loc)
		zr, err := gzip.NewReader(bytes.NewReader(res.body))
		if err != nil {
			t.Fatalf("%s: %v", sm.Loc, err)
		}
		raw, _ := io.ReadAll(zr)
		var set struct {
			URLs []struct {
				Loc     string `xml:"loc"`
				LastMod string `xml:"lastmod"`
				News    struct {
					Date  string `xml:"publication_date"`
					Title string `xml:"title"`
				} `xml:"news"`
			} `xml:"url"`
		}
		if err := xml.Unmarshal(raw, &set); err != nil {
			t.Fatalf("%s: %v", sm.Loc, err)
		}
		if len(set.URLs) > sitemapSize {
			t.Fatalf("%s: %d urls", sm.Loc, len(set.URLs))
		}
		for _, u := range set.URLs {
			if u.News.Date == "" || u.News.Title == "" || u.LastMod == "" {
				t.Errorf("%s: incomplete entry %+v", sm.Loc, u)
			}
			locs = append(locs, u.Loc)
		}
	}
	return locs
}

func readListings(t *testing.T, n *Network, first string) []string {
	t.Helper()
	var out []string
	for u := first; u != ""; {
		res := get(t, n, u)
		if res.code != 200 {
			t.Fatalf("%s: %d", u, res.code)
		}
		doc := res.doc(t)
		doc.Find("section.news-list a.news-item__title").Each(func(_ int, s *goquery.Selection) {
			out = append(out, absolute(t, u, s.AttrOr("href", "")))
		})
		next, ok := doc.Find("a.pagination__next").Attr("href")
		u = ""
		if ok {
			u = absolute(t, first, next)
		}
	}
	return out
}

func urls(items []item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.url)
	}
	return out
}

// TestDiscoveryEqualsTruth: the API paged back to the oldest id, the sitemaps, and the
// listing pages each list exactly the articles of the truth, per site.
func TestDiscoveryEqualsTruth(t *testing.T) {
	n := newNet(t, Config{Seed: 21, Days: 4, PerDay: 30})
	truth := n.Truth()
	for _, site := range n.Sites() {
		s, _ := seeds.Default().Site(site)
		var want, wantPrimary []string
		byEdition := map[string][]string{}
		for _, tr := range truth {
			if tr.Site == site {
				want = append(want, tr.URL)
				byEdition[tr.Edition] = append(byEdition[tr.Edition], tr.URL)
			}
		}
		wantPrimary = byEdition[""]
		base := "https://" + s.Host
		api := urls(pageAPI(t, n, base, "all"))
		if !sameSet(api, wantPrimary) || len(api) != len(wantPrimary) {
			t.Errorf("%s: API lists %d articles, truth has %d", site, len(api), len(wantPrimary))
		}
		for _, ed := range s.Langs[1:] {
			got := urls(pageAPI(t, n, base+"/"+ed, "all"))
			if !sameSet(got, byEdition[ed]) {
				t.Errorf("%s/%s: API lists %d articles, truth has %d", site, ed, len(got), len(byEdition[ed]))
			}
			if l := readListings(t, n, base+"/"+ed+"/"); !sameSet(l, byEdition[ed]) {
				t.Errorf("%s/%s: listings show %d articles, truth has %d", site, ed, len(l), len(byEdition[ed]))
			}
		}
		sm := readSitemaps(t, n, s.Host)
		if !sameSet(sm, want) || len(sm) != len(want) {
			t.Errorf("%s: sitemaps list %d articles, truth has %d", site, len(sm), len(want))
		}
		if l := readListings(t, n, base+"/"); !sameSet(l, wantPrimary) {
			t.Errorf("%s: listings show %d articles, truth has %d", site, len(l), len(wantPrimary))
		}
	}
}

func TestSitemapsSplitAtAThousand(t *testing.T) {
	n := newNet(t, Config{Seed: 2, Days: 10, PerDay: 130, Sites: []string{"hub"}})
	locs := readSitemaps(t, n, "news-pravda.com")
	if len(locs) != len(n.Truth()) || len(locs) <= sitemapSize {
		t.Fatalf("%d sitemap urls, %d articles", len(locs), len(n.Truth()))
	}
	var idx struct {
		Sitemaps []struct {
			Loc string `xml:"loc"`
		} `xml:"sitemap"`
	}
	xml.Unmarshal(get(t, n, "https://news-pravda.com/sitemap.xml").body, &idx)
	if len(idx.Sitemaps) != 2 || !strings.HasSuffix(idx.Sitemaps[1].Loc, "/sitemap_news_2.xml.gz") {
		t.Fatalf("index: %+v", idx)
	}
	// Newest first: the first file's first entry is the most recent article.
	tr := n.Truth()
	newest := tr[len(tr)-1].URL
	if locs[0] != newest {
		t.Errorf("first sitemap entry %s, want newest %s", locs[0], newest)
	}
	if res := get(t, n, "https://news-pravda.com/sitemap_news_3.xml.gz"); res.code != 404 {
		t.Errorf("sitemap 3: %d, want 404", res.code)
	}
}

func TestAPICategoryKeys(t *testing.T) {
	n := newNet(t, Config{Seed: 4})
	truth := n.Truth()
	for _, c := range []struct{ site, key string }{{"japan", "japan"}, {"japan", "world"}, {"francais", "ue"}, {"hub", "usa"}} {
		s, _ := seeds.Default().Site(c.site)
		var want []string
		label := ""
		for _, tr := range truth {
			if tr.Site == c.site && tr.Edition == "" && tr.Category == c.key {
				want = append(want, tr.URL)
				label = tr.CategoryLabel
			}
		}
		got := pageAPI(t, n, "https://"+s.Host, c.key)
		if !sameSet(urls(got), want) {
			t.Errorf("%s key %s: %d items, truth has %d", c.site, c.key, len(got), len(want))
		}
		for _, it := range got {
			if it.cat != label {
				t.Errorf("%s key %s: item in category %q", c.site, c.key, it.cat)
			}
		}
	}
	for _, q := range []string{"key=nosuch&id=99999999", "key=all&id=abc", "key=all&id=-5", "key=all&id=1"} {
		res := get(t, n, "https://japan.news-pravda.com/api/cat?"+q)
		var page map[string]string
		if err := json.Unmarshal(res.body, &page); err != nil || page["news"] != "" || res.code != 200 {
			t.Errorf("api/cat?%s: %d %s, want {\"news\":\"\"}", q, res.code, res.body)
		}
	}
	// Both absolute and root-relative hrefs occur in fragments.
	res := get(t, n, "https://japan.news-pravda.com/api/blocks")
	if !bytes.Contains(res.body, []byte(`href=\"/`)) || !bytes.Contains(res.body, []byte(`href=\"https://japan.news-pravda.com/`)) {
		t.Error("fragments do not mix absolute and root-relative hrefs")
	}
	keys := []string{}
	var blocks struct{ Blocks []struct{ Key string } }
	json.Unmarshal(res.body, &blocks)
	for _, b := range blocks.Blocks {
		keys = append(keys, b.Key)
	}
	if !slices.Equal(keys, []string{"all", "world", "japan", "russia"}) {
		t.Errorf("blocks keys %v", keys)
	}
}
