package extract

import (
	"fmt"
	"strings"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	"github.com/pravda-archive/pravda/seeds"
	"golang.org/x/net/html"
)

// maxGenericElements bounds the pages readability scores: its passes over the tree are
// superlinear, and a real article page has a few thousand elements.
const maxGenericElements = 100_000

// Generic extracts an article from a page off the network's template (an origin outlet's
// page, a site of an older ecosystem) with a readability extractor. It knows no registry,
// so Site and ID stay empty; Any fills them for network hosts. It fails only where Page
// does.
func Generic(data []byte, pageURL string) (*Article, error) {
	doc, warnings, err := load(data)
	if err != nil {
		return nil, fmt.Errorf("extract %s: %w", clip(pageURL), err)
	}
	a := fromGeneric(doc, scanDoc(doc), pageURL)
	a.Warnings = append(warnings, a.Warnings...)
	return a, nil
}

// PublishedTime reads only a page's publication time, as Generic finds it: the meta tags
// and time elements, and only when they say nothing readability's guess and then the URL's
// date. Tracing wants nothing else of an outlet's page, and readability is most of
// Generic's cost. Zero means the page gives no time.
func PublishedTime(data []byte, pageURL string) (time.Time, error) {
	doc, _, err := load(data)
	if err != nil {
		return time.Time{}, fmt.Errorf("extract %s: %w", clip(pageURL), err)
	}
	ds := scanDoc(doc)
	if t, ok := genericPublished(ds); ok {
		return t, nil
	}
	return fromGeneric(doc, ds, pageURL).Published, nil
}

// fromGeneric reads the page's metadata, then lets readability find the body. Readability
// rewrites the tree it is given, so the metadata comes first: ds is doc's scan, taken
// before any rewrite.
func fromGeneric(doc *html.Node, ds *docScan, pageURL string) *Article {
	a := &Article{URL: strings.TrimSpace(pageURL), Template: TemplateGeneric}
	b := base(ds, pageURL)
	a.CanonicalURL = resolve(b, canonical(ds))
	if a.CanonicalURL == "" {
		a.CanonicalURL = resolve(b, meta(ds, metaOGURL))
	}
	if a.CanonicalURL == "" {
		a.CanonicalURL = resolve(nil, a.URL)
	}
	pu, perr := seeds.ParseArticleURL(pageURL)
	a.AMP = perr == nil && pu.AMP || isAMP(ds)
	a.Lang = htmlLang(ds)
	a.OGTitle = meta(ds, metaOGTitle)
	a.OGDescription = meta(ds, metaOGDescription)
	a.Category = meta(ds, metaSection)
	a.Alternates = alternates(ds, b)
	h1 := cleanText(textOf(ds.h1))
	pageTitle := cleanText(textOf(ds.title))
	published, pubFound := genericPublished(ds)

	p := readability.NewParser()
	p.MaxElemsToParse = maxGenericElements
	p.KeepClasses = true // the text walk drops captions and credits by class
	ra, err := p.ParseAndMutate(doc, b)
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

	var scoped []*html.Node
	if ra.Node != nil {
		paras := dropHeadline(paragraphs(ra.Node, nil), a.Title, a.OGTitle, h1)
		a.Text = strings.Join(paras, "\n\n")
		a.Links = links(ra.Node, b)
		scoped = imageElements(ra.Node)
	}
	if a.Text == "" {
		a.warn("text: no readable content found")
	}
	// Readability may have dropped or moved elements: og:image is read from what is left.
	a.Images = images(ogImageMetas(doc), scoped, b)
	a.BodyHash = bodyHash(a.Title, a.Text)
	return a
}

// genericPublished reads the machine-readable publication time outlets put in meta tags or
// time elements.
func genericPublished(ds *docScan) (time.Time, bool) {
	for k := metaPublished; k <= metaDCIssued; k++ {
		if t, ok := parseDatetime(meta(ds, k)); ok {
			return t, true
		}
	}
	if ds.datePublished != nil {
		if v, ok := attr(ds.datePublished, "content"); ok {
			if t, ok := parseDatetime(v); ok {
				return t, true
			}
		}
	}
	// An implausible time from the last element is returned too: without a better one,
	// fromGeneric keeps it.
	var t time.Time
	found := false
	for _, n := range ds.datetimes {
		if t, found = parseDatetime(attrOr(n, "datetime", "")); found {
			break
		}
	}
	return t, found
}
