package extract

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/pravda-archive/pravda/seeds"
)

// Any extracts an article with the extractor the page calls for: Page for the network's
// template, Generic for anything else. Either way a page whose canonical link or URL is a
// network article gets its site and id.
func Any(data []byte, pageURL string, reg *seeds.Registry) (*Article, error) {
	doc, warnings, err := load(data)
	if err != nil {
		return nil, fmt.Errorf("extract %s: %w", clip(pageURL), err)
	}
	if reg == nil {
		reg = defaultRegistry()
	}
	ds := scanDoc(doc)
	var a *Article
	if isTemplate(ds, pageURL, reg) {
		a = fromTemplate(ds, pageURL, reg)
	} else {
		// identify before readability rewrites the tree.
		id := identify(ds, pageURL, base(ds, pageURL), reg)
		a = fromGeneric(doc, ds, pageURL)
		if id.site != nil {
			id.apply(a, reg)
		}
	}
	a.Warnings = append(warnings, a.Warnings...)
	return a, nil
}

// isTemplate tells a network page from others. The body container alone is not enough:
// outlets use the same BEM class names (div.article__text inside <article>), so the page
// must also be on a network host or carry a marker only the network's CMS writes.
func isTemplate(ds *docScan, pageURL string, reg *seeds.Registry) bool {
	if ds.textArticle == nil { // no article div.article__text
		return false
	}
	for _, raw := range []string{pageURL, canonical(ds)} {
		if u, err := url.Parse(strings.TrimSpace(raw)); err == nil && u.Host != "" {
			if _, ok := reg.SiteByHost(u.Hostname()); ok {
				return true
			}
		}
	}
	return ds.crumbActive != nil || ds.sourceURLSpan
}
