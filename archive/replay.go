package archive

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Replayer answers GETs from the archive instead of the network: the newest complete
// capture of the URL, as it was received. `pravda reindex` traces origins through it, so a
// catalog rebuilt from the WARC files alone follows the same chains the live crawl did.
type Replayer struct {
	dir string
	ix  *Index
}

// NewReplayer opens the CDXJ index of a WARC directory for replay.
func NewReplayer(dir string) (*Replayer, error) {
	ix, err := OpenIndex(dir)
	if err != nil {
		return nil, err
	}
	return &Replayer{dir: dir, ix: ix}, nil
}

// Get returns the newest non-truncated capture of u (following archived redirects), with
// the capture location in the response header (CaptureFromHeader). A URL never captured
// gives a 404 response, as a site that lost the page would.
func (r *Replayer) Get(ctx context.Context, u string) (*http.Response, []byte, error) {
	for hops := 0; hops < 10; hops++ {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		caps, err := r.ix.Lookup(u)
		if err != nil {
			return nil, nil, fmt.Errorf("replay %s: %w", u, err)
		}
		var best *Capture
		for i := range caps {
			if !caps[i].Truncated && (best == nil || !caps[i].Time.Before(best.Time)) {
				best = &caps[i]
			}
		}
		if best == nil {
			resp := &http.Response{StatusCode: http.StatusNotFound, Status: "404 Not Found (not archived)",
				Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(nil))}
			return resp, nil, nil
		}
		rec, err := ReadRecord(r.dir, best.File, best.Offset)
		if err != nil {
			return nil, nil, fmt.Errorf("replay %s: %w", u, err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(rec.HTTPHeader)), nil)
		if err != nil {
			return nil, nil, fmt.Errorf("replay %s: archived header: %w", u, err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode >= 300 && resp.StatusCode < 400 && loc != "" {
			if base, err := url.Parse(u); err == nil {
				next, err := base.Parse(loc)
				if err != nil {
					return nil, nil, fmt.Errorf("replay %s: bad archived Location %q", u, loc)
				}
				u = next.String()
				continue
			}
		}
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.Header.Del("Transfer-Encoding")
		setCapture(resp.Header, rec.Capture())
		resp.Body = io.NopCloser(bytes.NewReader(rec.Payload))
		return resp, rec.Payload, nil
	}
	return nil, nil, fmt.Errorf("replay %s: too many archived redirects", u)
}
