package extract

import (
	"testing"
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
