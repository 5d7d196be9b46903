package archive_test

import (
	"context"
	"fmt"
	"log"
	"net"

	"github.com/gocolly/colly/v2"
	"github.com/pravda-archive/pravda/archive"
)

// The crawler's wiring: every response colly sees is already in the WARC,
// and its location comes with the headers.
func ExampleWriter_Transport() {
	w, err := archive.Open("data/warc", archive.WithPrefix("pravda"))
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()

	dialer := &net.Dialer{} // the crawler passes its --resolve / IPv4-first dialer
	c := colly.NewCollector()
	c.WithTransport(w.Transport(archive.TransportOptions{DialContext: dialer.DialContext}))
	c.OnResponse(func(r *colly.Response) {
		if cp, ok := archive.CaptureFromHeader(*r.Headers); ok {
			fmt.Println(cp.File, cp.Offset, cp.Revisit)
		}
	})
	_ = c.Visit("https://japan.news-pravda.com/")
}

// Rebuilding derived data from the WARC files alone.
func ExampleWalk() {
	err := archive.Walk(context.Background(), "data/warc", func(r *archive.Record) error {
		fmt.Println(r.Date, r.Status, r.URL, len(r.Payload))
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
}
