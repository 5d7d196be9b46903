package archive

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// BenchmarkTransport measures pages per second through the recording
// transport to a local server: ~60 KB HTML pages (a Pravda article is
// 50-100 KB), each URL fetched once, so every page is a full response
// record. The plain sub-benchmark is net/http's own transport on the same
// server, as the baseline without archiving.
func BenchmarkTransport(b *testing.B) {
	filler := strings.Repeat("<p>Японские СМИ сообщают о визите делегации.</p>\n", 1000)
	for _, kind := range []string{"archive", "plain"} {
		for _, par := range []int{1, 4} {
			b.Run(fmt.Sprintf("%s/goroutines=%d", kind, par*2), func(b *testing.B) {
				var n atomic.Int64
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "text/html; charset=utf-8")
					fmt.Fprintf(w, "<html><h1>%s %d</h1>%s</html>", r.URL.Path, n.Add(1), filler)
				}))
				defer srv.Close()
				var rt http.RoundTripper = &http.Transport{MaxIdleConnsPerHost: 16}
				if kind == "archive" {
					w, err := Open(b.TempDir())
					if err != nil {
						b.Fatal(err)
					}
					defer w.Close()
					rt = w.Transport(TransportOptions{MaxIdleConnsPerHost: 16})
				}
				client := &http.Client{Transport: rt}
				var seq, bytes atomic.Int64
				b.SetParallelism(par)
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						resp, err := client.Get(fmt.Sprintf("%s/world/2025/01/02/%d.html", srv.URL, seq.Add(1)))
						if err != nil {
							b.Error(err)
							return
						}
						m, _ := io.Copy(io.Discard, resp.Body)
						bytes.Add(m)
						resp.Body.Close()
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
				b.SetBytes(bytes.Load() / int64(b.N))
			})
		}
	}
}
