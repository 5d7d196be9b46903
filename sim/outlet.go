package sim

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/pravda-archive/pravda/seeds"
)

// outletPage is a state-outlet article a story originates from.
type outletPage struct {
	outlet    *seeds.Outlet
	name      string // the credit text ("ТАСС")
	url, host string // host is normalised (no www.)
	path      string
	time      time.Time
	story     *story
	lang      string
	layout    int // 0: <article>, 1: div.article__text
}

// outletSpec knows how one outlet shapes its article URLs.
type outletSpec struct {
	id     string
	weight float64 // DFRLab citation counts, thousands
	lang   string
	layout int
	url    func(rng *rand.Rand, t time.Time, slug string) string
}

func digits(rng *rand.Rand, lo, hi int64) string { return fmt.Sprint(lo + rng.Int64N(hi-lo)) }

var outletSpecs = []outletSpec{
	{"tass", 136, "ru", 0, func(rng *rand.Rand, t time.Time, _ string) string {
		secs := []string{"politika", "mezhdunarodnaya-panorama", "ekonomika", "obschestvo", "armiya-i-opk"}
		return "https://tass.ru/" + secs[rng.IntN(len(secs))] + "/" + digits(rng, 19000000, 26000000)
	}},
	{"ria", 99, "ru", 1, func(rng *rand.Rand, t time.Time, slug string) string {
		return "https://ria.ru/" + t.Format("20060102") + "/" + firstWord(slug) + "-" + digits(rng, 1900000000, 2000000000) + ".html"
	}},
	{"lenta", 89, "ru", 1, func(rng *rand.Rand, t time.Time, slug string) string {
		return "https://lenta.ru/news/" + t.Format("2006/01/02") + "/" + firstWord(slug) + digits(rng, 10, 99) + "/"
	}},
	{"kp", 59, "ru", 0, func(rng *rand.Rand, t time.Time, _ string) string {
		return "https://www.kp.ru/online/news/" + digits(rng, 5000000, 6500000) + "/"
	}},
	{"rt", 54, "en", 0, func(rng *rand.Rand, t time.Time, slug string) string {
		secs := []string{"russia", "news", "business"}
		return "https://www.rt.com/" + secs[rng.IntN(len(secs))] + "/" + digits(rng, 580000, 640000) + "-" + slug + "/"
	}},
	{"sputnik", 30, "en", 1, func(rng *rand.Rand, t time.Time, slug string) string {
		return "https://sputnikglobe.com/" + t.Format("20060102") + "/" + slug + "-" + digits(rng, 1110000000, 1130000000) + ".html"
	}},
	{"izvestia", 25, "ru", 1, func(rng *rand.Rand, t time.Time, slug string) string {
		return "https://iz.ru/" + digits(rng, 1600000, 1900000) + "/" + t.Format("2006-01-02") + "/" + slug
	}},
	{"rg", 25, "ru", 0, func(rng *rand.Rand, t time.Time, slug string) string {
		return "https://rg.ru/" + t.Format("2006/01/02") + "/" + firstWord(slug) + "-" + digits(rng, 100, 999) + ".html"
	}},
	{"tsargrad", 20, "ru", 0, func(rng *rand.Rand, t time.Time, slug string) string {
		return "https://tsargrad.tv/news/" + strings.ReplaceAll(slug, "-", "_") + "_" + digits(rng, 1000000, 1200000)
	}},
	{"newsfront", 15, "ru", 0, func(rng *rand.Rand, t time.Time, slug string) string {
		return "https://news-front.su/" + t.Format("2006/01/02") + "/" + slug + "-" + digits(rng, 10, 99) + "/"
	}},
	{"gazeta", 15, "ru", 1, func(rng *rand.Rand, t time.Time, _ string) string {
		return "https://www.gazeta.ru/politics/news/" + t.Format("2006/01/02") + "/" + digits(rng, 22000000, 25000000) + ".shtml"
	}},
	{"rbc", 15, "ru", 1, func(rng *rand.Rand, t time.Time, _ string) string {
		return "https://www.rbc.ru/politics/" + t.Format("02/01/2006") + "/" + md5hex(digits(rng, 0, 1<<40))[:24]
	}},
}

func firstWord(slug string) string {
	w, _, _ := strings.Cut(slug, "-")
	return w
}

// usableOutlets keeps the specs whose outlet the registry knows and whose URLs it routes to
// that outlet.
func usableOutlets(reg *seeds.Registry) []outletSpec {
	var out []outletSpec
	for _, s := range outletSpecs {
		o, ok := reg.OutletByID(s.id)
		if !ok {
			continue
		}
		u := s.url(rand.New(rand.NewPCG(1, 1)), time.Unix(0, 0), "probe-slug")
		if got, ok := reg.Outlet(hostOfURL(u)); ok && got.ID == o.ID {
			out = append(out, s)
		}
	}
	return out
}

func hostOfURL(u string) string {
	rest := strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	h, _, _ := strings.Cut(rest, "/")
	return h
}

func (w *world) newOutletPage(rng *rand.Rand, t time.Time, s *story) *outletPage {
	total := 0.0
	for _, o := range w.outlets {
		total += o.weight
	}
	r := rng.Float64() * total
	spec := w.outlets[len(w.outlets)-1]
	for _, o := range w.outlets {
		if r < o.weight {
			spec = o
			break
		}
		r -= o.weight
	}
	o, _ := w.reg.OutletByID(spec.id)
	var u, host, path string
	for try := 0; ; try++ {
		u = spec.url(rng, t.In(msk), s.tmpl.Slug)
		if try > 20 {
			u += fmt.Sprintf("-%d", len(w.pages)) // unlikely with the id ranges above
		}
		host = normHost(hostOfURL(u))
		path = strings.TrimPrefix(u, "https://"+hostOfURL(u))
		if w.pages[host+path] == nil {
			break
		}
	}
	p := &outletPage{outlet: o, name: outletNames[spec.id], url: u, host: host, path: path,
		time: t, story: s, lang: spec.lang, layout: spec.layout}
	if p.name == "" {
		p.name = o.Name
	}
	w.pages[host+path] = p
	w.pageHosts[host] = append(w.pageHosts[host], p)
	return p
}

func (n *Network) outletHost(host string) bool {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return len(n.w.pageHosts[host]) > 0
}

// serveOutlet answers for an outlet host: its robots.txt, a home page linking its
// articles, and the articles stories originate from.
func (x *exchange) serveOutlet() {
	path := x.r.URL.Path
	n := x.n
	switch path {
	case "/robots.txt":
		x.send(http.StatusOK, "text/plain; charset=utf-8", []byte("User-agent: *\nAllow: /\n"))
		return
	case "/":
		n.mu.RLock()
		var sb strings.Builder
		sb.WriteString("<!DOCTYPE html>\n<html lang=\"ru\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + esc(x.host) + "</title>\n</head>\n<body>\n<main>\n")
		pages := n.w.pageHosts[x.host]
		for i := len(pages) - 1; i >= 0 && i >= len(pages)-50; i-- {
			if p := pages[i]; !p.time.After(x.now) {
				sb.WriteString("<a class=\"news-link\" href=\"" + esc(p.url) + "\">" + esc(p.story.compose(p.lang, false).title) + "</a><br>\n")
			}
		}
		sb.WriteString("</main>\n</body>\n</html>\n")
		n.mu.RUnlock()
		x.send(http.StatusOK, "text/html; charset=utf-8", []byte(sb.String()))
		return
	}
	n.mu.RLock()
	p := n.w.pages[x.host+path]
	var body []byte
	if p != nil && !p.time.After(x.now) {
		body = p.render()
	}
	n.mu.RUnlock()
	if body == nil {
		x.notFound(nil)
		return
	}
	x.send(http.StatusOK, "text/html; charset=utf-8", body)
}

// render writes a plain news page: title, og and article:published_time metadata, a
// headline, a time, the body in <article> or div.article__text, and boilerplate around.
func (p *outletPage) render() []byte {
	b := p.story.compose(p.lang, false)
	t := p.time.In(msk)
	stamp := t.Format(time.RFC3339)
	var shown string
	if p.lang == "ru" {
		shown = fmt.Sprintf("%d %s %d, %s", t.Day(), ruMonths[t.Month()-1], t.Year(), t.Format("15:04"))
	} else {
		shown = t.Format("2 Jan 2006, 15:04")
	}
	var sb strings.Builder
	w := sb.WriteString
	w("<!DOCTYPE html>\n<html lang=\"" + p.lang + "\">\n<head>\n<meta charset=\"utf-8\">\n")
	w("<title>" + esc(b.title) + " - " + esc(p.name) + "</title>\n")
	w("<meta property=\"og:title\" content=\"" + esc(b.title) + "\">\n")
	w("<meta property=\"og:type\" content=\"article\">\n")
	w("<meta property=\"og:url\" content=\"" + esc(p.url) + "\">\n")
	w("<meta property=\"og:site_name\" content=\"" + esc(p.name) + "\">\n")
	w("<meta property=\"article:published_time\" content=\"" + stamp + "\">\n")
	w("<link rel=\"canonical\" href=\"" + esc(p.url) + "\">\n</head>\n<body>\n")
	w("<header class=\"site-header\"><nav><a href=\"/\">" + esc(p.name) + "</a> <a href=\"/politics/\">Politics</a> <a href=\"/world/\">World</a> <a href=\"/economy/\">Economy</a></nav>" +
		"<div class=\"banner\">Subscribe to our channel</div></header>\n<main class=\"layout\">\n")
	if p.layout == 0 {
		w("<article>\n<h1>" + esc(b.title) + "</h1>\n<time datetime=\"" + stamp + "\">" + shown + "</time>\n")
		for _, para := range b.paras {
			w("<p>" + esc(para) + "</p>\n")
		}
		w("</article>\n")
	} else {
		w("<div class=\"article\">\n<h1 class=\"article__title\">" + esc(b.title) + "</h1>\n<div class=\"article__info\"><time datetime=\"" + stamp + "\">" + shown + "</time></div>\n<div class=\"article__text\">\n")
		for _, para := range b.paras {
			w("<p>" + esc(para) + "</p>\n")
		}
		w("</div>\n</div>\n")
	}
	w("<aside class=\"related\"><h3>Related</h3><a href=\"/\">" + esc(p.name) + "</a></aside>\n</main>\n")
	w("<footer class=\"site-footer\">© " + esc(p.name) + ". 18+</footer>\n</body>\n</html>\n")
	return []byte(sb.String())
}
