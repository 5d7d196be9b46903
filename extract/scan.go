package extract

import (
	"golang.org/x/net/html"
)

// Metadata keys read from <meta property=…> or <meta name=…>.
const (
	metaOGTitle = iota
	metaOGDescription
	metaOGURL
	metaSection
	metaPublished // article:published_time, then the other keys outlets use, in order
	metaOGPublished
	metaPubdate
	metaPublishDate
	metaDate
	metaDCIssued
	metaKeys
)

func metaKey(v string) int {
	switch v {
	case "og:title":
		return metaOGTitle
	case "og:description":
		return metaOGDescription
	case "og:url":
		return metaOGURL
	case "article:section":
		return metaSection
	case "article:published_time":
		return metaPublished
	case "og:published_time":
		return metaOGPublished
	case "pubdate":
		return metaPubdate
	case "publish-date":
		return metaPublishDate
	case "date":
		return metaDate
	case "dc.date.issued":
		return metaDCIssued
	}
	return -1
}

// Class names the extractors look for, as bits.
const (
	clsText = 1 << iota
	clsSource
	clsSourceLink
	clsCrumb
	clsCrumbActive
	clsTime
	clsTitle
)

// classes are the class bits of n, from every class attribute it has.
func classes(n *html.Node) uint {
	var bits uint
	for _, a := range n.Attr {
		if a.Key != "class" {
			continue
		}
		list := a.Val
		for list != "" {
			word := list
			if i := indexSpace(list); i >= 0 {
				word, list = list[:i], list[i+1:]
			} else {
				list = ""
			}
			bits |= classBit(word)
		}
	}
	return bits
}

// indexSpace is strings.IndexAny(s, " \t\r\n\f") without the set lookup.
func indexSpace(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r', '\n', '\f':
			return i
		}
	}
	return -1
}

func classBit(word string) uint {
	if len(word) < len("source-link") {
		return 0
	}
	switch word {
	case "article__text":
		return clsText
	case "article__source":
		return clsSource
	case "source-link":
		return clsSourceLink
	case "article__breadcrumb":
		return clsCrumb
	case "article__breadcrumb_active":
		return clsCrumbActive
	case "article__time":
		return clsTime
	case "article__title":
		return clsTitle
	}
	return 0
}

// docScan is what the extractors read from the whole document, gathered in one walk rather
// than one selector query (one more walk) each. Each field names the selector it stands
// for: a node is the selector's first match in document order, a list all its matches.
type docScan struct {
	html          *html.Node           // html
	base          *html.Node           // head base[href]
	canonical     *html.Node           // link[rel~="canonical"][href]
	title         *html.Node           // title
	h1            *html.Node           // h1
	body          *html.Node           // body
	article       *html.Node           // article
	textArticle   *html.Node           // article:has(div.article__text)
	sourceSpan    *html.Node           // span.source-link
	sourceDiv     *html.Node           // div.article__source
	sourceURLSpan bool                 // any span.source-link[data-source-url]
	crumbActive   *html.Node           // .article__breadcrumb_active
	crumbActiveA  *html.Node           // .article__breadcrumb_active a
	crumbActiveI  *html.Node           // .article__breadcrumb_active a i
	lastCrumb     *html.Node           // .article__breadcrumb, the last one
	crumbs        int                  // how many .article__breadcrumb
	datePublished *html.Node           // [itemprop="datePublished"]
	meta          [metaKeys]*html.Node // meta[property=K], meta[name=K] for each key K
	ogImages      []*html.Node         // meta[property="og:image"], meta[property="og:image:url"], meta[name="og:image"]
	alternates    []*html.Node         // link[rel~="alternate"][hreflang], all
	datetimes     []*html.Node         // time[datetime], all
}

// ancestry is what a node's ancestors say about it.
type ancestry struct {
	head     bool       // inside a head element
	crumb    bool       // inside .article__breadcrumb_active
	crumbA   bool       // inside an a inside .article__breadcrumb_active
	outerArt *html.Node // the outermost article element around it
}

func scanDoc(doc *html.Node) *docScan {
	s := &docScan{}
	s.walk(doc, ancestry{})
	return s
}

func (s *docScan) walk(n *html.Node, up ancestry) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			s.element(c, up)
		}
	}
}

func (s *docScan) element(n *html.Node, up ancestry) {
	down := up
	cls := classes(n)
	switch n.Data {
	case "html":
		if s.html == nil {
			s.html = n
		}
	case "head":
		down.head = true
	case "base":
		if s.base == nil && up.head && hasAttr(n, "href") {
			s.base = n
		}
	case "body":
		if s.body == nil {
			s.body = n
		}
	case "title":
		if s.title == nil {
			s.title = n
		}
	case "h1":
		if s.h1 == nil {
			s.h1 = n
		}
	case "meta":
		s.metaElement(n)
	case "link":
		if s.canonical == nil && hasToken(n, "rel", "canonical") && hasAttr(n, "href") {
			s.canonical = n
		}
		if hasToken(n, "rel", "alternate") && hasAttr(n, "hreflang") {
			s.alternates = append(s.alternates, n)
		}
	case "article":
		if s.article == nil {
			s.article = n
		}
		if down.outerArt == nil {
			down.outerArt = n
		}
	case "div":
		// The first div.article__text inside an article marks the first article that
		// has one: any article holding a later one either holds this one too (and then
		// the outermost wins, being first) or comes after it.
		if cls&clsText != 0 && s.textArticle == nil && up.outerArt != nil {
			s.textArticle = up.outerArt
		}
		if cls&clsSource != 0 && s.sourceDiv == nil {
			s.sourceDiv = n
		}
	case "span":
		if cls&clsSourceLink != 0 {
			if s.sourceSpan == nil {
				s.sourceSpan = n
			}
			if !s.sourceURLSpan && hasAttr(n, "data-source-url") {
				s.sourceURLSpan = true
			}
		}
	case "time":
		if hasAttr(n, "datetime") {
			s.datetimes = append(s.datetimes, n)
		}
	case "a":
		if up.crumb {
			if s.crumbActiveA == nil {
				s.crumbActiveA = n
			}
			down.crumbA = true
		}
	case "i":
		if up.crumbA && s.crumbActiveI == nil {
			s.crumbActiveI = n
		}
	}
	if cls&clsCrumbActive != 0 {
		if s.crumbActive == nil {
			s.crumbActive = n
		}
		down.crumb = true
	}
	if cls&clsCrumb != 0 {
		s.crumbs++
		s.lastCrumb = n
	}
	if s.datePublished == nil {
		for _, a := range n.Attr {
			if a.Key == "itemprop" && a.Val == "datePublished" {
				s.datePublished = n
				break
			}
		}
	}
	s.walk(n, down)
}

func (s *docScan) metaElement(n *html.Node) {
	for _, a := range n.Attr {
		if a.Key != "property" && a.Key != "name" {
			continue
		}
		if k := metaKey(a.Val); k >= 0 && s.meta[k] == nil {
			s.meta[k] = n
		}
	}
	if ogImage(n) {
		s.ogImages = append(s.ogImages, n)
	}
}

// ogImage is meta[property="og:image"], meta[property="og:image:url"], meta[name="og:image"].
func ogImage(n *html.Node) bool {
	if n.Data != "meta" {
		return false
	}
	for _, a := range n.Attr {
		switch {
		case a.Key == "property" && (a.Val == "og:image" || a.Val == "og:image:url"),
			a.Key == "name" && a.Val == "og:image":
			return true
		}
	}
	return false
}

// scopeScan is what the template reads from inside the article element (or whatever stands
// in for it), gathered in one walk: a node is its selector's first match below the scope, a
// list all its matches.
type scopeScan struct {
	titleH1    *html.Node   // h1.article__title
	h1         *html.Node   // h1
	timeInTime *html.Node   // .article__time time
	time       *html.Node   // time
	timeBox    *html.Node   // .article__time
	text       *html.Node   // div.article__text
	sourceSpan *html.Node   // span.source-link
	sourceDiv  *html.Node   // div.article__source
	images     []*html.Node // img, amp-img: all
}

// scanScope walks the elements below root. A selector's ancestor test reaches above the
// scope, so a time below root is in .article__time when root or any ancestor of it is.
func scanScope(root *html.Node) scopeScan {
	var s scopeScan
	inTime := false
	for p := root; p != nil && !inTime; p = p.Parent {
		inTime = p.Type == html.ElementNode && classes(p)&clsTime != 0
	}
	s.walk(root, inTime)
	return s
}

func (s *scopeScan) walk(n *html.Node, inTime bool) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		cls := classes(c)
		switch c.Data {
		case "h1":
			if s.titleH1 == nil && cls&clsTitle != 0 {
				s.titleH1 = c
			}
			if s.h1 == nil {
				s.h1 = c
			}
		case "time":
			if s.timeInTime == nil && inTime {
				s.timeInTime = c
			}
			if s.time == nil {
				s.time = c
			}
		case "div":
			if s.text == nil && cls&clsText != 0 {
				s.text = c
			}
			if s.sourceDiv == nil && cls&clsSource != 0 {
				s.sourceDiv = c
			}
		case "span":
			if s.sourceSpan == nil && cls&clsSourceLink != 0 {
				s.sourceSpan = c
			}
		case "img", "amp-img": // imageElement
			s.images = append(s.images, c)
		}
		if s.timeBox == nil && cls&clsTime != 0 {
			s.timeBox = c
		}
		s.walk(c, inTime || cls&clsTime != 0)
	}
}
