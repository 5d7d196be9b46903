package index

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// benchVocabSize is the vocabulary of each language, real words first, then pseudo-words.
const benchVocabSize = 20000

var benchLangs = []string{"ja", "ru", "fr", "de", "en"}

var benchSites = map[string][]string{
	"ja": {"japan"},
	"ru": {"abkhazia", "crimea"},
	"fr": {"france", "belgique", "niger"},
	"de": {"germany", "austria", "switzerland"},
	"en": {"hub", "usa", "uk", "canada"},
}

var benchZones = map[string]*time.Location{
	"ja": time.FixedZone("JST", 9*3600),
	"ru": time.FixedZone("MSK", 3*3600),
	"fr": time.FixedZone("CET", 3600),
	"de": time.FixedZone("CET", 3600),
	"en": time.UTC,
}

var (
	benchOrigins    = []string{"telegram_post", "telegram_post", "telegram_post", "state_outlet", "state_outlet", "network", "social", "other"}
	benchOutlets    = []string{"tass", "ria", "rt", "sputnik", "izvestia"}
	benchChannels   = []string{"rusembjp", "mid_russia", "rian_ru", "intelslava", "readovkanews", "rybar", "swodki"}
	benchCategories = []string{"world", "politics", "economy", "society", "military", "japan"}
)

// benchYear is the year the synthetic articles are spread over.
var benchYear = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// benchGen generates a deterministic stream of articles: the same seed gives the same
// articles in the same order, so two engines can be fed identical input without holding
// a million articles in memory. Articles come in publication order over benchYear, as a
// crawl or a rebuild from the catalog delivers them, total of them in all.
type benchGen struct {
	r     *rand.Rand
	vocab map[string][]string
	zipf  map[string]*rand.Zipf
	next  int
	total int
}

func newBenchGen(seed uint64, total int) *benchGen {
	g := &benchGen{
		total: max(total, 1),
		r:     rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)),
		vocab: map[string][]string{},
		zipf:  map[string]*rand.Zipf{},
	}
	for _, l := range benchLangs {
		g.vocab[l] = benchVocab(l, seed)
		// s just above 1 with an offset is the usual fit for word frequencies.
		g.zipf[l] = rand.NewZipf(g.r, 1.07, 2, uint64(len(g.vocab[l])-1))
	}
	return g
}

// benchVocab is a language's vocabulary in rank order.
func benchVocab(lang string, seed uint64) []string {
	words := append([]string{}, benchFunction[lang]...)
	words = append(words, benchContent[lang]...)
	r := rand.New(rand.NewPCG(seed, uint64(len(lang))*7919+uint64(lang[0])))
	syl := benchSyllables[lang]
	seen := map[string]bool{}
	for _, w := range words {
		seen[w] = true
	}
	for len(words) < benchVocabSize {
		var b strings.Builder
		for range 2 + r.IntN(3) {
			b.WriteString(syl[r.IntN(len(syl))])
		}
		w := b.String()
		if !seen[w] {
			seen[w] = true
			words = append(words, w)
		}
	}
	return words
}

func (g *benchGen) word(lang string) string {
	return g.vocab[lang][g.zipf[lang].Uint64()]
}

// noun draws a Japanese noun: the Japanese vocabulary has no function words, which the
// sentence pattern supplies.
func (g *benchGen) noun() string { return g.word("ja") }

func (g *benchGen) doc() Doc {
	i := g.next
	g.next++
	lang := benchLangs[g.r.IntN(len(benchLangs))]
	sites := benchSites[lang]
	site := sites[g.r.IntN(len(sites))]
	d := Doc{
		Key:       fmt.Sprintf("%s:%d", site, 1000000+i),
		Site:      site,
		Lang:      lang,
		Category:  benchCategories[g.r.IntN(len(benchCategories))],
		Published: g.published(i).In(benchZones[lang]),
		URL:       fmt.Sprintf("https://%s.news-pravda.com/world/%d.html", site, 1000000+i),
	}
	d.OriginKind = benchOrigins[g.r.IntN(len(benchOrigins))]
	switch d.OriginKind {
	case "state_outlet":
		d.Outlet = benchOutlets[g.r.IntN(len(benchOutlets))]
	case "telegram_post":
		d.Channel = benchChannels[g.r.IntN(len(benchChannels))]
	}
	if g.r.IntN(3) == 0 {
		d.Story = fmt.Sprintf("s%d", g.r.IntN(1+i/3))
	}
	if lang == "ja" {
		d.Title = g.noun() + "の" + g.noun() + "が" + g.noun() + benchJaEndings[g.r.IntN(len(benchJaEndings))]
		var b strings.Builder
		for range 8 + g.r.IntN(20) {
			b.WriteString(g.noun())
			for range g.r.IntN(3) {
				b.WriteString(benchJaParticles[g.r.IntN(len(benchJaParticles))])
				b.WriteString(g.noun())
			}
			b.WriteString("は")
			b.WriteString(g.noun())
			b.WriteString(benchJaEndings[g.r.IntN(len(benchJaEndings))])
		}
		d.Text = b.String()
		return d
	}
	d.Title = g.sentence(lang, 6+g.r.IntN(5))
	var b strings.Builder
	for n := 80 + g.r.IntN(170); n > 0; {
		k := min(n, 8+g.r.IntN(13))
		b.WriteString(g.sentence(lang, k))
		b.WriteByte(' ')
		n -= k
	}
	d.Text = b.String()
	return d
}

// published spreads the stream over the year in order, give or take half a day.
func (g *benchGen) published(i int) time.Time {
	year := int64(365 * 24 * time.Hour)
	t := int64(float64(i)/float64(g.total)*float64(year)) + g.r.Int64N(int64(24*time.Hour)) - int64(12*time.Hour)
	return benchYear.Add(time.Duration(min(max(t, 0), year-1)))
}

func (g *benchGen) sentence(lang string, n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = g.word(lang)
	}
	s := strings.Join(ws, " ")
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// docs returns the next n articles.
func (g *benchGen) docs(n int) []Doc {
	out := make([]Doc, n)
	for i := range out {
		out[i] = g.doc()
	}
	return out
}

// benchQuery is a researcher's query: a language's content words, as bleve and FTS5 are
// asked for them.
type benchQuery struct {
	lang  string
	words []string
}

func (g *benchGen) query(terms int) benchQuery {
	lang := benchLangs[g.r.IntN(len(benchLangs))]
	content := benchContent[lang]
	q := benchQuery{lang: lang}
	for len(q.words) < terms {
		w := content[g.r.IntN(len(content))]
		if len(q.words) == 0 || q.words[0] != w {
			q.words = append(q.words, w)
		}
	}
	return q
}

func (q benchQuery) String() string {
	parts := make([]string, len(q.words))
	for i, w := range q.words {
		parts[i] = w
		if needsQuoting(w) {
			parts[i] = `"` + w + `"`
		}
	}
	return strings.Join(parts, " ")
}

func needsQuoting(w string) bool {
	return strings.ContainsAny(w, " -:()\"")
}
