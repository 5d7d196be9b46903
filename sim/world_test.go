package sim

import (
	"bytes"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/pravda-archive/pravda/seeds"
)

func TestDeterminism(t *testing.T) {
	var a, b, c bytes.Buffer
	n1 := newNet(t, Config{Seed: 42, Faults: []string{"all"}})
	n2 := newNet(t, Config{Seed: 42, Faults: []string{"all"}})
	n1.WriteTruth(&a)
	n2.WriteTruth(&b)
	if a.Len() == 0 || !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("same seed, different truth")
	}
	newNet(t, Config{Seed: 43, Faults: []string{"all"}}).WriteTruth(&c)
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Fatal("different seeds, same truth")
	}
	// Pages too, byte for byte (the CA differs; the content does not). Request faults
	// would drop in-process connections: compare content faults only.
	content := []string{"malformed", "hostile", "edit", "delete", "robots"}
	n1 = newNet(t, Config{Seed: 42, Faults: content})
	n2 = newNet(t, Config{Seed: 42, Faults: content})
	for _, tr := range n1.Truth()[:40] {
		for _, u := range []string{tr.URL, tr.Origin.URL, "https://" + hostOfURL(tr.URL) + "/api/blocks"} {
			if x, y := get(t, n1, u), get(t, n2, u); !bytes.Equal(x.body, y.body) || x.code != y.code {
				t.Fatalf("%s differs between two worlds of one seed", u)
			}
		}
	}
}

func TestTruthJSONShape(t *testing.T) {
	var buf bytes.Buffer
	n := newNet(t, Config{Seed: 1, Days: 1})
	if err := n.WriteTruth(&buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != len(n.Truth()) {
		t.Fatalf("%d lines for %d articles", len(lines), len(n.Truth()))
	}
	for _, field := range []string{`"key":`, `"site":`, `"edition":`, `"id":`, `"url":`, `"canonical_url":`, `"lang":`,
		`"published":`, `"category":`, `"title":`, `"story":`, `"credited":`, `"credit_url":`, `"credit_kind":`,
		`"origin":{"kind":`, `"chain":[`, `"evidence":`, `"near_duplicate_of":`, `"edited":`, `"deleted":`,
		`"disallowed":`, `"lang_fallback":`, `"images":[`} {
		if !strings.Contains(lines[0], field) {
			t.Errorf("truth line lacks %s: %s", field, lines[0])
		}
	}
	if !strings.Contains(buf.String(), `"near_duplicate_of":null`) {
		t.Error("near_duplicate_of is not null when absent")
	}
}

// TestWorldShape checks the proportions the brief asks for on a larger world.
func TestWorldShape(t *testing.T) {
	n := newNet(t, Config{Seed: 5, Days: 4, PerDay: 50})
	truth := n.Truth()
	reg := seeds.Default()
	stories := map[string][]Truth{}
	perSeq := map[string]int{}
	var direct, network, none, dups, evid, noEvid, forwards, telegram, alternated int
	var lags []time.Duration
	for _, tr := range truth {
		stories[tr.Story] = append(stories[tr.Story], tr)
		site, a, err := reg.Article(tr.URL)
		if err != nil || site.Name != tr.Site || a.Key() != tr.Key || seeds.CanonicalURL(site, a) != tr.CanonicalURL {
			t.Fatalf("%s does not parse back to %s: %v", tr.URL, tr.Key, err)
		}
		if seeds.EditionLang(site, a) != tr.Lang {
			t.Errorf("%s: lang %s, registry says %s", tr.Key, tr.Lang, seeds.EditionLang(site, a))
		}
		if tr.NearDuplicateOf != nil {
			dups++
			if tr.Credited || !strings.HasPrefix(*tr.NearDuplicateOf, strings.Split(tr.Key, ":")[0]+":") {
				t.Errorf("%s: near-duplicate credited or on another site", tr.Key)
			}
			continue
		}
		perSeq[strings.Split(tr.Key, ":")[0]]++
		if tr.Published.Before(tr.Origin.Time) {
			t.Errorf("%s published before its origin", tr.Key)
		}
		lags = append(lags, tr.Published.Sub(tr.Origin.Time))
		if len(tr.Alternates) > 0 {
			alternated++
		}
		switch tr.CreditKind {
		case "telegram_post", "state_media":
			direct++
			if tr.CreditKind != tr.Origin.Kind {
				t.Errorf("%s: direct credit kind %s for origin %s", tr.Key, tr.CreditKind, tr.Origin.Kind)
			}
		case "network":
			network++
			if _, _, err := reg.Article(tr.CreditURL); err != nil {
				t.Errorf("%s: network credit %s is not a network article", tr.Key, tr.CreditURL)
			}
		case "none":
			none++
			if tr.Evidence {
				evid++
			} else {
				noEvid++
			}
		}
		if tr.Credited {
			if tr.Chain[0] != tr.CreditURL || tr.Chain[len(tr.Chain)-1] != tr.Origin.URL || !tr.Evidence {
				t.Errorf("%s: chain %v does not run from the credit to the origin %s", tr.Key, tr.Chain, tr.Origin.URL)
			}
		} else if len(tr.Chain) != 0 || tr.CreditURL != "" {
			t.Errorf("%s: uncredited with chain %v", tr.Key, tr.Chain)
		}
	}
	for k, c := range perSeq {
		if c != 4*50 {
			t.Errorf("%s: %d articles, want %d", k, c, 200)
		}
	}
	for _, eds := range stories {
		o := eds[0].Origin
		if o.Kind == "telegram_post" {
			telegram++
			for _, e := range eds {
				if e.CreditKind == "telegram_post" && len(e.Chain) == 2 {
					forwards++
					break
				}
			}
		}
		japan := false
		for _, e := range eds {
			japan = japan || e.Site == "japan"
			if e.Origin != o {
				t.Errorf("story %s has two origins", e.Story)
			}
		}
		_ = japan
	}
	// Evidence is exactly: a credited edition of the story shares an image, an alternate
	// link or the text language, or is the original of a near-duplicate.
	textLang := func(tr Truth) string {
		if tr.LangFallback {
			return "en"
		}
		return tr.Lang
	}
	for _, tr := range truth {
		if tr.Credited {
			continue
		}
		want := false
		for _, b := range stories[tr.Story] {
			if !b.Credited {
				continue
			}
			shared := slices.ContainsFunc(tr.Images, func(m string) bool { return slices.Contains(b.Images, m) })
			if shared || slices.Contains(b.Alternates, tr.URL) || textLang(b) == textLang(tr) ||
				(tr.NearDuplicateOf != nil && *tr.NearDuplicateOf == b.Key) {
				want = true
			}
		}
		if tr.Evidence != want {
			t.Errorf("%s: evidence %v, want %v", tr.Key, tr.Evidence, want)
		}
	}
	credited := direct + network + none
	ratio := func(a, b int) float64 { return float64(a) / float64(b) }
	checkRange := func(what string, got, lo, hi float64) {
		t.Helper()
		if got < lo || got > hi {
			t.Errorf("%s = %.3f, want in [%.2f, %.2f]", what, got, lo, hi)
		} else {
			t.Logf("%s = %.3f", what, got)
		}
	}
	checkRange("telegram share of stories", ratio(telegram, len(stories)), 0.68, 0.82)
	checkRange("forwarded share of telegram roots", ratio(forwards, telegram), 0.08, 0.25) // some forwards are only credited through the network
	checkRange("direct credits", ratio(direct, credited), 0.74, 0.86)
	checkRange("network credits", ratio(network, credited), 0.03, 0.10)
	checkRange("uncredited", ratio(none, credited), 0.08, 0.16)
	checkRange("near-duplicates per article", ratio(dups, len(truth)), 0.008, 0.04)
	checkRange("editions with alternates", ratio(alternated, credited), 0.4, 0.8)
	if evid == 0 || noEvid == 0 || evid < noEvid {
		t.Errorf("uncredited with evidence %d, without %d: want most with", evid, noEvid)
	}
	sort.Slice(lags, func(i, j int) bool { return lags[i] < lags[j] })
	med := lags[len(lags)/2]
	if med < 20*time.Minute || med > 90*time.Minute || lags[0] < 3*time.Minute {
		t.Errorf("lag median %v, min %v", med, lags[0])
	}
	t.Logf("%d articles, %d stories, lag median %v, p95 %v", len(truth), len(stories), med, lags[len(lags)*95/100])
}

func TestIDsFollowPublication(t *testing.T) {
	n := newNet(t, Config{Seed: 8, Days: 2})
	last := map[string]Truth{}
	gaps := 0
	for _, tr := range n.Truth() {
		seq := strings.Split(tr.Key, ":")[0]
		if p, ok := last[seq]; ok {
			if tr.ID <= p.ID || tr.Published.Before(p.Published) {
				t.Fatalf("%s after %s: ids or times out of order", tr.Key, p.Key)
			}
			if tr.ID > p.ID+1 {
				gaps++
			}
		}
		last[seq] = tr
	}
	if gaps == 0 {
		t.Error("ids are dense: a client could wrongly assume they always are")
	}
	if _, ok := last["canada/fr"]; !ok {
		t.Error("no canada/fr sequence")
	}
}

func TestLanguages(t *testing.T) {
	n := newNet(t, Config{Seed: 3, Days: 1, Sites: []string{"japan", "taiwan", "latvia", "francais"}})
	langs := map[string]Truth{}
	for _, tr := range n.Truth() {
		langs[tr.Key[:strings.Index(tr.Key, ":")]] = tr
	}
	if tw := langs["taiwan"]; tw.Lang != "zh" || !tw.LangFallback {
		t.Errorf("taiwan: lang %s fallback %v", tw.Lang, tw.LangFallback)
	}
	if lv := langs["latvia/en"]; lv.Lang != "en" || lv.LangFallback || !strings.Contains(lv.URL, "/en/") {
		t.Errorf("latvia/en: %+v", lv)
	}
	hasKana := func(s string) bool {
		return strings.ContainsFunc(s, func(r rune) bool { return r >= 0x3040 && r <= 0x30ff })
	}
	if jp := langs["japan"]; !hasKana(jp.Text) || jp.LangFallback {
		t.Errorf("japan text: %q", jp.Text)
	}
	if fr := langs["francais"]; !strings.Contains(fr.Text, " ") || hasKana(fr.Text) {
		t.Errorf("francais text: %q", fr.Text)
	}
	// A story's editions are translations: its large number ({m}) appears in all of them
	// or in none.
	n.mu.RLock()
	defer n.mu.RUnlock()
	checked := 0
	for _, s := range n.w.stories {
		m := strconv.Itoa(s.fill.m)
		var in []bool
		for _, a := range s.editions {
			if a.dupOf == nil {
				in = append(in, strings.Contains(n.w.articleBody(a, false).plain(), m))
			}
		}
		if len(in) > 1 {
			checked++
			if slices.Contains(in, true) && slices.Contains(in, false) {
				t.Errorf("story %s: %s appears in some editions only", s.id, m)
			}
		}
	}
	if checked == 0 {
		t.Error("no multi-edition story")
	}
}

func TestCorpus(t *testing.T) {
	c, err := loadCorpus()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.templates) < 40 {
		t.Errorf("%d templates, want ≥ 40", len(c.templates))
	}
	for _, tmpl := range c.templates {
		if len(tmpl.Body) < 4 || len(tmpl.Body) > 8 {
			t.Errorf("%s: %d sentences", tmpl.ID, len(tmpl.Body))
		}
	}
	// The validator catches a missing language and mismatched slots.
	bad := fstest.MapFS{
		"corpus/slots.yaml": {Data: []byte("city:\n  - {en: A, ru: A, fr: A, de: A, ja: A}\n  - {en: B, ru: B, fr: B, de: B, ja: B}\nexpert:\n  - {en: A, ru: A, fr: A, de: A, ja: A}\n  - {en: B, ru: B, fr: B, de: B, ja: B}\n")},
		"corpus/s.yaml": {Data: []byte(`- id: x
  slug: x
  topics: [world]
  title: {en: "T {city}", ru: "T", fr: "T {city}", de: "T {city}", ja: "T {city}"}
  body:
    - {en: a, ru: a, fr: a, de: a}
    - {en: a, ru: a, fr: a, de: a, ja: a}
    - {en: a, ru: a, fr: a, de: a, ja: "{nosuch}"}
    - {en: a, ru: a, fr: a, de: a, ja: a}
`)},
	}
	_, err = parseCorpus(bad)
	for _, want := range []string{"no ja", "ru has slots [], en has [city]", "unknown slot {nosuch}"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("corpus validation misses %q: %v", want, err)
		}
	}
}

func TestRegistryWithoutOrigins(t *testing.T) {
	sites := []byte("sites:\n  - {name: japan, host: japan.news-pravda.com, langs: [ja], kind: country, display: Pravda Nihon}\n")
	reg, err := seeds.Parse(sites, []byte("outlets: []\nchannels: []\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{Registry: reg, Sites: []string{"japan"}}); err == nil {
		t.Error("a world without any possible origin was generated")
	}
	if _, err := New(Config{Sites: []string{"nosuchsite"}}); err == nil {
		t.Error("unknown site accepted")
	}
	if _, err := New(Config{Days: -1}); err == nil {
		t.Error("negative days accepted")
	}
}
