package archive

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"path/filepath"
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

// ReadRecord reads the record at offset in a WARC file of dir. file is the
// closed name (as in a Capture); a file still being written is found too.
// A revisit record comes back with the payload of the record it refers to.
func ReadRecord(dir, file string, offset int64) (*Record, error) {
	rec, err := readAt(dir, file, offset)
	if err != nil {
		return nil, err
	}
	if rec.Type == "revisit" {
		res := resolver{dir: dir}
		res.resolve(context.Background(), rec)
	}
	return rec, nil
}

func readAt(dir, file string, offset int64) (*Record, error) {
	if offset < 0 {
		return nil, fmt.Errorf("read %s at %d: negative offset", file, offset)
	}
	f, err := openWARC(dir, file)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil, fmt.Errorf("read %s at %d: %w", file, offset, err)
	}
	raw, err := newMemberReader(f, offset).next()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, fmt.Errorf("read %s at %d: %w", file, offset, err)
	}
	return decodeRecord(raw, closedName(file)), nil
}

func closedName(file string) string {
	return filepath.Base(trimOpen(file))
}

func trimOpen(s string) string {
	if len(s) > len(openSuffix) && s[len(s)-len(openSuffix):] == openSuffix {
		return s[:len(s)-len(openSuffix)]
	}
	return s
}

// Walk calls fn for every response, revisit and resource record of dir, in
// the order they were written; revisits come resolved to their original
// payload. A file still being written is read up to its last complete
// record. An error from fn stops the walk and is returned.
func Walk(ctx context.Context, dir string, fn func(*Record) error) error {
	files, err := listWARCs(dir)
	if err != nil {
		return err
	}
	res := resolver{dir: dir}
	for _, wf := range files {
		if err := walkFile(ctx, dir, wf, &res, fn); err != nil {
			return err
		}
	}
	return nil
}

func walkFile(ctx context.Context, dir string, wf warcFile, res *resolver, fn func(*Record) error) error {
	f, err := os.Open(filepath.Join(dir, wf.name))
	if err != nil {
		if os.IsNotExist(err) && wf.open { // closed meanwhile
			f, err = os.Open(filepath.Join(dir, wf.closedName()))
		}
		if err != nil {
			return fmt.Errorf("walk: %w", err)
		}
	}
	defer f.Close()
	mr := newMemberReader(f, 0)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		at := mr.pos()
		raw, err := mr.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if wf.open && errors.Is(err, io.ErrUnexpectedEOF) {
				return nil // the record being written
			}
			return fmt.Errorf("walk %s at %d: %w", wf.name, at, err)
		}
		switch raw.fields.Get(hType) {
		case "response", "revisit", "resource":
		default:
			continue
		}
		rec := decodeRecord(raw, wf.closedName())
		if rec.Type == "revisit" && res != nil {
			res.resolve(ctx, rec)
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
}

// resolver finds the original of a revisit record: through the CDXJ index
// by URL and record id or digest, else by scanning the WARC files written up
// to the revisit's refers-to date.
type resolver struct {
	dir string
}

func (res *resolver) resolve(ctx context.Context, rec *Record) {
	rec.Incomplete = true
	id := rec.Header.Get(hRefersTo)
	uri := rec.Header.Get(hRefersToURI)
	if uri == "" {
		uri = rec.URL
	}
	digest := rec.Header.Get(hPayloadDigest)
	match := func(c Capture) bool {
		if c.Revisit || c.Truncated {
			return false
		}
		if id != "" {
			return c.RecordID == id
		}
		return c.URL == uri && c.PayloadDigest == digest
	}
	var orig *Record
	if caps, err := (&Index{dir: res.dir}).Lookup(uri); err == nil {
		for i := len(caps) - 1; i >= 0 && orig == nil; i-- {
			if c := caps[i]; match(c) {
				if o, err := readAt(res.dir, c.File, c.Offset); err == nil && o.ID != "" && (id == "" || o.ID == id) {
					orig = o
				}
			}
		}
	}
	if orig == nil {
		orig = res.scan(ctx, rec, id, uri, digest)
	}
	if orig == nil || orig.Type != "response" || orig.Header.Get(hPayloadDigest) != digest {
		return
	}
	c := orig.Capture()
	rec.RefersTo = &c
	rec.Payload, rec.Incomplete = orig.Payload, orig.Incomplete
}

// scan looks for the original record in the files that can hold it: those
// created no later than the refers-to date, newest first. It is the slow
// path for an archive whose index is missing.
func (res *resolver) scan(ctx context.Context, rec *Record, id, uri, digest string) *Record {
	files, err := listWARCs(res.dir)
	if err != nil {
		return nil
	}
	limit := "99999999999999"
	if t, err := time.Parse(time.RFC3339Nano, rec.Header.Get(hRefersToDate)); err == nil {
		limit = t.UTC().Format(cdxjTime)
	}
	for i := len(files) - 1; i >= 0; i-- {
		wf := files[i]
		if wf.stamp != "" && wf.stamp > limit {
			continue
		}
		var found *Record
		stop := errors.New("found")
		err := walkFile(ctx, res.dir, wf, nil, func(r *Record) error {
			if r.Type != "response" {
				return nil
			}
			if (id != "" && r.ID == id) || (id == "" && r.URL == uri && r.Header.Get(hPayloadDigest) == digest) {
				found = r
				return stop
			}
			return nil
		})
		if found != nil {
			return found
		}
		if err != nil && err != stop {
			slog.Debug("archive: scan for revisit original", "file", wf.name, "err", err)
		}
	}
	return nil
}
