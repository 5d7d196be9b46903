package archive

import (
	"encoding/json"
	"net/http"
	"time"
)

// Capture locates one archived response (or revisit, or resource) record.
type Capture struct {
	URL           string    `json:"url"`
	Time          time.Time `json:"time"`
	File          string    `json:"file"`   // closed WARC file name, no directory
	Offset        int64     `json:"offset"` // of the record's gzip member
	Length        int64     `json:"length"` // of the record's gzip member
	RecordID      string    `json:"id"`
	PayloadDigest string    `json:"digest"` // sha1:BASE32
	Status        int       `json:"status,omitempty"`
	MIME          string    `json:"mime,omitempty"`
	Revisit       bool      `json:"revisit,omitempty"`
	Truncated     bool      `json:"truncated,omitempty"`
}

// CaptureHeader is the private header the Transport sets on the responses it
// returns. It is never written to the WARC, and a server's own header of
// that name is removed first.
const CaptureHeader = "X-Pravda-Capture"

// CaptureOf returns where the Transport archived resp.
func CaptureOf(resp *http.Response) (Capture, bool) {
	if resp == nil {
		return Capture{}, false
	}
	return CaptureFromHeader(resp.Header)
}

// CaptureFromHeader reads the capture from response headers, for callers
// such as colly callbacks that only see the headers.
func CaptureFromHeader(h http.Header) (Capture, bool) {
	v := h.Get(CaptureHeader)
	if v == "" {
		return Capture{}, false
	}
	var c Capture
	if err := json.Unmarshal([]byte(v), &c); err != nil || c.File == "" {
		return Capture{}, false
	}
	return c, true
}

func setCapture(h http.Header, c Capture) {
	b, _ := json.Marshal(c) // plain struct: cannot fail
	h.Set(CaptureHeader, string(b))
}
