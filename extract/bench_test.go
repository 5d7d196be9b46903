package extract

import (
	"bytes"
	"testing"

	"golang.org/x/net/html"
)

// BenchmarkTemplate and BenchmarkGeneric run the two extractors over the same network
// pages, so their ms/page compare directly.
func BenchmarkTemplate(b *testing.B) {
	benchPages(b, func(data []byte, u string) (*Article, error) { return Page(data, u, nil) })
}

func BenchmarkGeneric(b *testing.B) { benchPages(b, Generic) }

func benchPages(b *testing.B, extract func([]byte, string) (*Article, error)) {
	pages := make([][]byte, len(networkPages))
	size := 0
	for i, p := range networkPages {
		pages[i] = p.read(b)
		size += len(pages[i])
	}
	defaultRegistry() // parse the embedded seeds outside the timer
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for i, p := range networkPages {
			if _, err := extract(pages[i], p.url); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N*len(pages)), "ms/page")
}

// BenchmarkPageSmall is one typical page (japan.html, 4.4 KB) through Page, beside the
// html.Parse it starts with: the difference is what the template reading costs.
func BenchmarkPageSmall(b *testing.B) {
	data := japanPage.read(b)
	defaultRegistry()
	b.Run("Page", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Page(data, japanPage.url, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := html.Parse(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkPublishedTime is what origin tracing spends on an outlet page.
func BenchmarkPublishedTime(b *testing.B) {
	pages := make([][]byte, len(outletPages))
	for i, p := range outletPages {
		pages[i] = p.read(b)
	}
	b.ReportAllocs()
	for b.Loop() {
		for i, p := range outletPages {
			if _, err := PublishedTime(pages[i], p.url); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N*len(pages)), "ms/page")
}

// BenchmarkTemplateCorpus runs Page over the network pages of EXTRACT_CORPUS (see
// TestEquivalenceCorpus), e.g. a simulator run's pages, which carry the sidebar and footer
// real pages have after the article.
func BenchmarkTemplateCorpus(b *testing.B) {
	pages, urls := corpusPages(b, 400)
	defaultRegistry()
	size := 0
	for _, p := range pages {
		size += len(p)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for i := range pages {
			if _, err := Page(pages[i], urls[i], nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N*len(pages)), "ms/page")
}
