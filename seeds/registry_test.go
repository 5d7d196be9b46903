package seeds

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultRegistryIsValid(t *testing.T) {
	r := Default()
	if len(r.Sites) < 60 {
		t.Fatalf("only %d sites seeded", len(r.Sites))
	}
	claimed := map[string]string{}
	for _, s := range r.Sites {
		if s.Lang() == "" {
			t.Errorf("site %s has no language", s.Name)
		}
		for _, h := range append([]string{s.Host}, s.Aliases...) {
			if prev, ok := claimed[h]; ok {
				t.Errorf("host %s claimed by %s and %s", h, prev, s.Name)
			}
			claimed[h] = s.Name
			got, ok := r.SiteByHost(h)
			if !ok || got.Name != s.Name {
				t.Errorf("host %s does not resolve to %s", h, s.Name)
			}
		}
	}
	for _, o := range r.Outlets {
		for _, d := range o.Domains {
			if _, ok := claimed[d]; ok {
				t.Errorf("outlet domain %s is also a network host", d)
			}
		}
	}
}

func TestPravdaNihon(t *testing.T) {
	r := Default()
	for _, q := range []string{"japan", "japan.news-pravda.com", "pravda-jp.com", "www.pravda-jp.com", "JAPAN.news-pravda.com:443"} {
		s, ok := r.Site(q)
		if !ok || s.Name != "japan" || s.Display != "Pravda Nihon" || s.Lang() != "ja" {
			t.Errorf("Site(%q) = %+v, %v", q, s, ok)
		}
	}
}

func TestRegistryRejectsDoubleClaims(t *testing.T) {
	sites := []byte("sites:\n  - {name: a, host: a.news-pravda.com, langs: [en]}\n  - {name: b, host: b.news-pravda.com, aliases: [a.news-pravda.com], langs: [en]}\n")
	if _, err := Parse(sites, defaultOrigins); err == nil || !strings.Contains(err.Error(), "claimed by a and b") {
		t.Fatalf("double claim not caught: %v", err)
	}
	nolang := []byte("sites:\n  - {name: a, host: a.news-pravda.com}\n")
	if _, err := Parse(nolang, defaultOrigins); err == nil || !strings.Contains(err.Error(), "no language") {
		t.Fatalf("missing language not caught: %v", err)
	}
}

func TestLoadOverridesSitesKeepsOrigins(t *testing.T) {
	p := filepath.Join(t.TempDir(), "seeds.yaml")
	os.WriteFile(p, []byte("sites:\n  - {name: solo, host: solo.news-pravda.com, langs: [ja]}\n"), 0o644)
	r, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Sites) != 1 || r.Sites[0].Name != "solo" {
		t.Fatalf("sites not overridden: %d", len(r.Sites))
	}
	if _, ok := r.Outlet("tass.ru"); !ok {
		t.Fatal("embedded outlets lost")
	}
	os.WriteFile(p, []byte("sites: [\n"), 0o644)
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Fatalf("broken file error should name the file: %v", err)
	}
}

func TestSelect(t *testing.T) {
	r := Default()
	got, err := r.Select([]string{"japan,francais.news-pravda.com", "pravda-jp.com"})
	if err != nil || len(got) != 2 || got[0].Name != "japan" || got[1].Name != "francais" {
		t.Fatalf("Select = %v, %v", got, err)
	}
	if _, err := r.Select([]string{"atlantis"}); err == nil || !strings.Contains(err.Error(), "atlantis") {
		t.Fatalf("unknown site not reported: %v", err)
	}
	all, _ := r.Select(nil)
	for _, s := range all {
		if s.Status != "active" {
			t.Errorf("default selection includes %s (%s)", s.Name, s.Status)
		}
	}
}

func TestOutletsAndScope(t *testing.T) {
	r := Default()
	cases := map[string]string{"tass.ru": "tass", "www.tass.com": "tass", "ria.ru": "ria",
		"fr.sputniknews.africa": "sputnik", "t.me": "telegram", "telegram.me": "telegram",
		"tokyo.mid.ru": "rusembjp", "mid.ru": "mid", "de.rt.com": "rt", "vk.com": "vk"}
	for h, want := range cases {
		o, ok := r.Outlet(h)
		if !ok || o.ID != want {
			t.Errorf("Outlet(%s) = %v, want %s", h, o, want)
		}
	}
	for _, id := range []string{"tass", "ria", "rt", "sputnik", "lenta", "kp", "izvestia", "rg", "tsargrad",
		"newsfront", "gazeta", "rbc", "topwar", "zvezda", "1tv", "vesti"} {
		if o, ok := r.OutletByID(id); !ok || o.Owner == "" {
			t.Errorf("state outlet %s missing or without owner", id)
		}
	}
	for _, h := range []string{"example.com", "notass.ru", "eco-pravda.ru", "127.0.0.1"} {
		if r.InScope(h) {
			t.Errorf("%s should be out of scope", h)
		}
	}
	for _, h := range []string{"japan.news-pravda.com", "pravda-fr.com", "t.me", "dnr-news.ru"} {
		if !r.InScope(h) {
			t.Errorf("%s should be in scope", h)
		}
	}
}

func TestFamilies(t *testing.T) {
	r := Default()
	for _, h := range []string{"dnr-news.ru", "kazan-news.net", "topnews.cn.ua", "uanews.kharkiv.ua", "news-kharkov.ru", "crimea-news.com"} {
		if s, ok := r.SiteByHost(h); !ok || s.Status != "legacy" || s.Lang() == "" {
			t.Errorf("%s not recognised as a legacy network host: %v", h, s)
		}
	}
	for _, h := range []string{"topnews.in.ua", "uanews.org.ua", "uanews.co.ua", "pravda.cn.ua", "eco-pravda.ru", "feed-news.com"} {
		if _, ok := r.SiteByHost(h); ok {
			t.Errorf("%s should not be a network host", h)
		}
	}
}
