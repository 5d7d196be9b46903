package extract

import (
	"fmt"
	"strings"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	"github.com/PuerkitoBio/goquery"
	"github.com/pravda-archive/pravda/seeds"
)

// maxGenericElements bounds the pages readability scores: its passes over the tree are
// superlinear, and a real article page has a few thousand elements.
const maxGenericElements = 100_000

// Generic extracts an article from a page off the network's template (an origin outlet's
// page, a site of an older ecosystem) with a readability extractor. It knows no registry,
// so Site and ID stay empty; Any fills them for network hosts. It fails only where Page
// does.
func Generic(data []byte, pageURL string) (*Article, error) {
	doc, warnings, err := parse(data)
	if err != nil {
		return nil, fmt.Errorf("extract %s: %w", clip(pageURL), err)
	}
	a := fromGeneric(doc, pageURL)
	a.Warnings = append(warnings, a.Warnings...)
	return a, nil
}

// PublishedTime reads only a page's publication time, as Generic finds it: the meta tags
// and time elements, and only when they say nothing readability's guess and then the URL's
// date. Tracing wants nothing else of an outlet's page, and readability is most of
// Generic's cost. Zero means the page gives no time.
func PublishedTime(data []byte, pageURL string) (time.Time, error) {
	doc, _, err := parse(data)
	if err != nil {
		return time.Time{}, fmt.Errorf("extract %s: %w", clip(pageURL), err)
	}
	if t, ok := genericPublished(doc); ok {
		return t, nil
	}
	return fromGeneric(doc, pageURL).Published, nil
}

// fromGeneric reads the page's metadata, then lets readability find the body. Readability
// rewrites the tree it is given, so the metadata comes first.
func fromGeneric(doc *goquery.Document, pageURL string) *Article {
	a := &Article{URL: strings.TrimSpace(pageURL), Template: TemplateGeneric}
	b := base(doc, pageURL)
	a.CanonicalURL = resolve(b, linkHref(doc, "canonical"))
	if a.CanonicalURL == "" {
		a.CanonicalURL = resolve(b, meta(doc, "og:url"))
	}
	if a.CanonicalURL == "" {
		a.CanonicalURL = resolve(nil, a.URL)
	}
	pu, perr := seeds.ParseArticleURL(pageURL)
	a.AMP = perr == nil && pu.AMP || isAMP(doc)
	a.Lang = htmlLang(doc)
	a.OGTitle = meta(doc, "og:title")
	a.OGDescription = meta(doc, "og:description")
	a.Category = meta(doc, "article:section")
	a.Alternates = alternates(doc, b)
	h1 := cleanText(doc.Find("h1").First().Text())
	pageTitle := cleanText(doc.Find("title").First().Text())
	published, pubFound := genericPublished(doc)

	p := readability.NewParser()
	p.MaxElemsToParse = maxGenericElements
	p.KeepClasses = true // the text walk drops captions and credits by class
	var (
		ra  readability.Article
		err error
	)
	if len(doc.Nodes) > 0 {
		ra, err = p.ParseAndMutate(doc.Nodes[0], b)
	}
	if err != nil {
		a.warn("generic: %v", err)
	}

	switch {
	case a.OGTitle != "":
		a.Title = a.OGTitle
	case cleanText(ra.Title()) != "":
		a.Title = cleanText(ra.Title())
	case h1 != "":
		a.Title = h1
	default:
		a.Title = pageTitle
	}
	if a.Title == "" {
		a.warn("title: none")
	}
	if a.Lang == "" {
		a.Lang = strings.ToLower(cleanText(ra.Language()))
	}
	if !pubFound {
		if t, err := ra.PublishedTime(); err == nil && plausible(t) {
			published, pubFound = t, true
		}
	}
	if !pubFound && perr == nil {
		published, pubFound = urlDay(pu.Date), true
		a.warn("published: no readable time; date from the URL")
	}
	if !pubFound {
		a.warn("published: none")
	}
	a.Published = published

	var content *goquery.Selection
	if ra.Node != nil {
		content = goquery.NewDocumentFromNode(ra.Node).Selection
		paras := dropHeadline(paragraphs(ra.Node, nil), a.Title, a.OGTitle, h1)
		a.Text = strings.Join(paras, "\n\n")
		a.Links = links(content, b)
	}
	if a.Text == "" {
		a.warn("text: no readable content found")
	}
	a.Images = images(doc, content, b)
	a.BodyHash = bodyHash(a.Title, a.Text)
	return a
}

// genericPublished reads the machine-readable publication time outlets put in meta tags or
// time elements.
func genericPublished(doc *goquery.Document) (time.Time, bool) {
	for _, key := range []string{"article:published_time", "og:published_time", "pubdate",
		"publish-date", "date", "dc.date.issued"} {
		if t, ok := parseDatetime(meta(doc, key)); ok {
			return t, true
		}
	}
	if v, ok := doc.Find(`[itemprop="datePublished"]`).First().Attr("content"); ok {
		if t, ok := parseDatetime(v); ok {
			return t, true
		}
	}
	found := false
	var t time.Time
	doc.Find("article time[datetime], main time[datetime], time[datetime]").EachWithBreak(
		func(_ int, s *goquery.Selection) bool {
			t, found = parseDatetime(s.AttrOr("datetime", ""))
			return !found
		})
	return t, found
}
