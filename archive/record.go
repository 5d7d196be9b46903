package archive

import (
	"bufio"
	"bytes"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
)

// Record is a response, revisit or resource record read back from the
// archive, with its payload decoded.
type Record struct {
	Type   string // response, revisit, resource, request, warcinfo, ...
	Header Fields // the WARC header
	File   string // closed WARC file name
	Offset int64  // of the gzip member
	Length int64  // of the gzip member
	URL    string // WARC-Target-URI
	Date   time.Time
	ID     string // WARC-Record-ID

	// HTTPHeader is the raw HTTP status line and header block (response and
	// revisit records), ending with the blank line.
	HTTPHeader []byte
	Status     int    // HTTP status; 200 for resource records
	MIME       string // media type of the payload, without parameters

	// Payload is the entity: de-chunked, Content-Encoding removed, at most
	// 64 MiB. For a revisit it is the payload of the record it refers to.
	Payload []byte
	// Incomplete says Payload is not the whole entity: the record was
	// truncated when captured, the reader's cap cut it, it could not be
	// decoded, or a revisit's original was not found.
	Incomplete bool
	Truncated  string   // WARC-Truncated, if any
	RefersTo   *Capture // the original a revisit was resolved to
}

// Capture returns the index view of the record.
func (r *Record) Capture() Capture {
	return Capture{
		URL: r.URL, Time: r.Date, File: r.File, Offset: r.Offset, Length: r.Length,
		RecordID: r.ID, PayloadDigest: r.Header.Get(hPayloadDigest), Status: r.Status,
		MIME: r.MIME, Revisit: r.Type == "revisit", Truncated: r.Truncated != "",
	}
}

// decodeRecord turns a stored record into a Record. It does not resolve
// revisits. It never fails on bad HTTP content: it marks the payload
// Incomplete instead.
func decodeRecord(raw *rawRecord, file string) *Record {
	h := raw.fields
	r := &Record{
		Type: h.Get(hType), Header: h, File: file, Offset: raw.offset, Length: raw.length,
		URL: h.Get(hTargetURI), ID: h.Get(hRecordID), Truncated: h.Get(hTruncated),
		Incomplete: raw.blockCut || h.Get(hTruncated) != "",
	}
	r.Date, _ = time.Parse(time.RFC3339Nano, h.Get(hDate))
	ct := mediaType(h.Get(hContentType))
	switch {
	case (r.Type == "response" || r.Type == "revisit") && ct == "application/http":
		hdr, resp, entity, ok := parseHTTP(raw.block)
		if resp == nil {
			r.Incomplete = true
			return r
		}
		r.HTTPHeader, r.Status = hdr, resp.StatusCode
		r.MIME = mediaType(resp.Header.Get("Content-Type"))
		if r.Type == "revisit" {
			return r
		}
		payload, cut, err := decodeBody(entity, resp.Header.Get("Content-Encoding"), maxPayload)
		r.Payload = payload
		r.Incomplete = r.Incomplete || !ok || cut || err != nil
	case r.Type == "resource":
		r.Status, r.MIME = 200, ct
		r.Payload = raw.block
		if len(r.Payload) > maxPayload {
			r.Payload, r.Incomplete = r.Payload[:maxPayload], true
		}
	default:
		r.MIME = ct
	}
	return r
}

// parseHTTP parses the HTTP response in a response or revisit block.
// entity is the body with chunking removed; ok is false when the body is
// shorter than its framing says.
func parseHTTP(block []byte) (header []byte, resp *http.Response, entity []byte, ok bool) {
	header, resp = parseHTTPHead(block)
	if resp == nil {
		return nil, nil, nil, false
	}
	var body bytes.Buffer
	_, err := io.Copy(&body, resp.Body)
	return header, resp, body.Bytes(), err == nil
}

// parseHTTPHead parses the status line and headers of the HTTP response in
// block, skipping 1xx interim responses; resp.Body reads the rest. resp is
// nil if there is no valid response head.
func parseHTTPHead(block []byte) (header []byte, resp *http.Response) {
	src := bytes.NewReader(block)
	br := bufio.NewReader(src)
	consumed := func() int { return len(block) - src.Len() - br.Buffered() }
	for {
		start := consumed()
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			return nil, nil
		}
		if resp.StatusCode >= 200 || resp.StatusCode == http.StatusSwitchingProtocols {
			return block[start:consumed()], resp
		}
	}
}

// mediaType is the lower-case media type of a Content-Type value, as the
// CDXJ mime field holds it.
func mediaType(contentType string) string {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		return mt
	}
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}
