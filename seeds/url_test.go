package seeds

import (
	"encoding/csv"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
)

// reference is the grammar exactly as the network notes state it; the test checks that our
// parser accepts every URL it accepts.
var reference = regexp.MustCompile(`^https?://([^/]+)/(?:([a-z]{2})/)?([^/]+)/(\d{4})/(\d{2})/(\d{2})/(\d+)(-amp)?\.html(\?.*)?$`)

func realURLs(t *testing.T) []string {
	f, err := os.Open("testdata/wikipedia_results.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, r := range rows[1:] {
		urls = append(urls, r[2])
	}
	if len(urls) != 1932 {
		t.Fatalf("want 1932 rows, got %d", len(urls))
	}
	return urls
}

func TestGrammarOnRealURLs(t *testing.T) {
	r := Default()
	var matched, images, network, tolerated int
	falsePositive := regexp.MustCompile(`(^|\.)(eco-pravda\.ru|polarpravda\.ru|veteranpravda\.ru|pravda-voiny\.ru|pravda\.cn\.ua)$`)
	for _, u := range realURLs(t) {
		if m := reference.FindStringSubmatch(u); m != nil {
			matched++
			a, err := ParseArticleURL(u)
			if err != nil {
				t.Errorf("grammar row rejected: %s: %v", u, err)
				continue
			}
			if a.Category != m[3] || a.Edition != m[2] || a.AMP != (m[8] != "") || a.Date.Format("2006") != m[4] {
				t.Errorf("%s parsed as %+v", u, a)
			}
			s, a2, err := r.Article(u)
			if err != nil {
				t.Errorf("network article not resolved: %s: %v", u, err)
				continue
			}
			network++
			c := CanonicalURL(s, a2)
			if _, back, err := r.Article(c); err != nil || back.Key() != a2.Key() {
				t.Errorf("canonical %s of %s does not round-trip: %v", c, u, err)
			}
		}
		if !reference.MatchString(u) && strings.HasSuffix(strings.TrimRight(u, "/,"), ".html") {
			if _, err := ParseArticleURL(u); err == nil {
				tolerated++
			}
		}
		if _, err := ParseImageURL(u); err == nil {
			images++
		}
		host := strings.SplitN(strings.SplitN(u, "://", 2)[1], "/", 2)[0]
		if falsePositive.MatchString(strings.TrimPrefix(host, "www.")) {
			if _, _, err := r.Article(u); !errors.Is(err, ErrNotNetwork) {
				t.Errorf("false positive accepted as network: %s", u)
			}
			if r.InScope(host) {
				t.Errorf("false positive host in scope: %s", host)
			}
		}
	}
	if matched != 1820 || network != matched {
		t.Errorf("matched %d (want 1820), resolved to a site %d", matched, network)
	}
	if tolerated != 4 { // "….html/" ×3 and "….html," are real links to real articles
		t.Errorf("tolerated %d sloppy article links, want 4", tolerated)
	}
	if images < 4 {
		t.Errorf("only %d image URLs recognised", images)
	}
}

func TestAliasesShareIdentity(t *testing.T) {
	r := Default()
	a := "https://pravda-jp.com/world/2024/05/01/12345.html"
	b := "https://japan.news-pravda.com/world/2024/05/01/12345-amp.html"
	_, x, err1 := r.Article(a)
	_, y, err2 := r.Article(b)
	if err1 != nil || err2 != nil || x.Key() != y.Key() || x.Key() != "japan:12345" {
		t.Fatalf("alias and AMP copy should be one article: %v %v %v %v", x.Key(), y.Key(), err1, err2)
	}
	c, _ := r.Canonical(a)
	if c != "https://japan.news-pravda.com/world/2024/05/01/12345.html" {
		t.Fatalf("canonical = %s", c)
	}
	_, e, _ := r.Article("https://canada.news-pravda.com/fr/world/2025/01/02/77.html")
	if e.Key() != "canada/fr:77" {
		t.Fatalf("edition key = %s", e.Key())
	}
	site, id, err := ParseKey("canada/fr:77")
	if err != nil || site != "canada/fr" || id != 77 {
		t.Fatalf("ParseKey = %s %d %v", site, id, err)
	}
}

func TestImageURL(t *testing.T) {
	im, err := ParseImageURL("https://dnr-news.ru/img/20230510/f60e23d301c0949360d5fc28a6312700_o.jpg")
	if err != nil || im.MD5 != "f60e23d301c0949360d5fc28a6312700" || !im.Original || im.Date.Format("2006-01-02") != "2023-05-10" {
		t.Fatalf("%+v %v", im, err)
	}
	for _, bad := range []string{"https://x/img/2023051/abc.jpg", "https://x/img/20231310/f60e23d301c0949360d5fc28a6312700.jpg", "ftp://x/img/20230510/f60e23d301c0949360d5fc28a6312700.jpg"} {
		if _, err := ParseImageURL(bad); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func FuzzParseArticleURL(f *testing.F) {
	f.Add("https://japan.news-pravda.com/world/2024/05/01/12345-amp.html")
	f.Add("http://x/en/a/2024/13/40/0.html")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseArticleURL(s)
		if err != nil {
			return
		}
		if a.ID <= 0 {
			t.Fatalf("accepted non-positive id: %q", s)
		}
		if _, err := ParseArticleURL("https://h" + a.Path()); err != nil {
			t.Fatalf("canonical path of %q does not parse: %v", s, err)
		}
	})
}
