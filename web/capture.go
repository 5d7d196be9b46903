package web

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/pravda-archive/pravda/archive"
)

// CaptureCSP is the policy of every /capture response: a sandbox (no
// scripts, forms, popups or navigation of other frames, and an origin of its
// own), nothing loaded but images from here or data: URLs, inline styles
// allowed so that the page still looks like itself.
const CaptureCSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"

// warcName is a WARC file name as the archive writes them; anything else
// (paths, the lock file, CDXJ indexes) is not a capture.
var warcName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.warc\.gz$`)

// setCaptureHeaders replaces the application's policy with the capture's.
func setCaptureHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", CaptureCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	// Only the article page (same origin) may frame a capture.
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Referrer-Policy", "no-referrer")
}

// readCapture reads the record a /capture/{file}/{offset} URL names.
func (s *Server) readCapture(r *http.Request) (*archive.Record, error) {
	file, offStr := r.PathValue("file"), r.PathValue("offset")
	if !warcName.MatchString(file) {
		return nil, notFoundf("%q is not a WARC file name", clipText(file, 60))
	}
	off, err := strconv.ParseInt(offStr, 10, 64)
	if err != nil || off < 0 {
		return nil, notFoundf("offset %q: want a byte offset", clipText(offStr, 30))
	}
	if s.warcDir == "" {
		return nil, notFoundf("this server has no WARC directory")
	}
	rec, err := archive.ReadRecord(s.warcDir, file, off)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, notFoundf("no WARC file %s", file)
		}
		// A wrong offset lands inside a record: not the server's fault.
		s.log.Debug("web: read capture", "file", file, "offset", off, "err", err)
		return nil, notFoundf("no record at %s offset %d", file, off)
	}
	switch rec.Type {
	case "response", "revisit", "resource":
		return rec, nil
	}
	return nil, notFoundf("the record at %s offset %d is a %s record, not a capture", file, off, clipText(rec.Type, 30))
}

func (s *Server) captureError(w http.ResponseWriter, r *http.Request, err error) {
	p := s.classify(r, err)
	setCaptureHeaders(w)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(p.Status)
	fmt.Fprintln(w, p.Msg)
}

// captureReplay serves an archived page, rewritten to be inert (replay.go),
// under the sandbox policy. Images and text are served as they are, text as
// text/plain; anything else is offered as a download.
func (s *Server) captureReplay(w http.ResponseWriter, r *http.Request) {
	rec, err := s.readCapture(r)
	if err != nil {
		s.captureError(w, r, err)
		return
	}
	setCaptureHeaders(w)
	h := w.Header()
	h.Set("Cache-Control", "private, max-age=3600")
	h.Set("X-Archive-Status", strconv.Itoa(rec.Status))
	h.Set("X-Archive-URL", headerSafe(rec.URL))
	mime := rec.MIME
	if mime == "" {
		mime = http.DetectContentType(rec.Payload)
		mime, _, _ = strings.Cut(mime, ";")
	}
	switch {
	case mime == "text/html" || mime == "application/xhtml+xml":
		ct := headerValue(rec.HTTPHeader, "Content-Type")
		out := rewriteHTML(rec.Payload, ct, rec.URL, s.imageLookup())
		h.Set("Content-Type", "text/html; charset=utf-8")
		w.Write(out)
	case isRasterImage(mime):
		h.Set("Content-Type", mime)
		w.Write(rec.Payload)
	case strings.HasPrefix(mime, "text/") || strings.HasSuffix(mime, "json") || strings.HasSuffix(mime, "xml") ||
		strings.Contains(mime, "javascript"):
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(rec.Payload)
	default:
		h.Set("Content-Type", "application/octet-stream")
		h.Set("Content-Disposition", "attachment")
		w.Write(rec.Payload)
	}
}

// captureRaw shows a record's WARC header (with its digests) and the HTTP
// header as captured, as plain text.
func (s *Server) captureRaw(w http.ResponseWriter, r *http.Request) {
	rec, err := s.readCapture(r)
	if err != nil {
		s.captureError(w, r, err)
		return
	}
	setCaptureHeaders(w)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	var b bytes.Buffer
	fmt.Fprintf(&b, "# WARC record in %s at offset %d (%d bytes compressed)\n\n", rec.File, rec.Offset, rec.Length)
	for _, f := range rec.Header {
		fmt.Fprintf(&b, "%s: %s\n", f.Name, f.Value)
	}
	if len(rec.HTTPHeader) > 0 {
		b.WriteString("\n# HTTP header as captured\n\n")
		b.Write(bytes.ReplaceAll(rec.HTTPHeader, []byte("\r\n"), []byte("\n")))
	}
	fmt.Fprintf(&b, "\n# Payload: %d bytes decoded, %s", len(rec.Payload), cmp(rec.MIME, "unknown type"))
	if rec.Incomplete {
		b.WriteString(", incomplete")
	}
	if rec.RefersTo != nil {
		fmt.Fprintf(&b, "\n# Revisit of %s at %s offset %d (%s)", rec.RefersTo.URL, rec.RefersTo.File,
			rec.RefersTo.Offset, rec.RefersTo.Time.Format("2006-01-02T15:04:05Z"))
	}
	b.WriteString("\n")
	w.Write(b.Bytes())
}

// imageLookup maps an absolute image URL to its replay URL when the archive
// holds a successful image capture of it.
func (s *Server) imageLookup() func(string) string {
	if s.warcDir == "" {
		return nil
	}
	ix, err := archive.OpenIndex(s.warcDir)
	if err != nil {
		return nil
	}
	return func(u string) string {
		if _, ok := newestImage(ix, u); ok {
			return "/capture/img?" + url.Values{"url": {u}}.Encode()
		}
		return ""
	}
}

func newestImage(ix *archive.Index, u string) (archive.Capture, bool) {
	caps, err := ix.Lookup(u)
	if err != nil {
		return archive.Capture{}, false
	}
	for i := len(caps) - 1; i >= 0; i-- {
		c := caps[i]
		if c.Status == http.StatusOK && (c.MIME == "" || isRasterImage(c.MIME)) {
			return c, true
		}
	}
	return archive.Capture{}, false
}

// captureImage serves the newest archived capture of an image URL, so that
// replayed pages show their pictures without any request leaving the
// archive.
func (s *Server) captureImage(w http.ResponseWriter, r *http.Request) {
	u := r.URL.Query().Get("url")
	if u == "" || len(u) > 4096 {
		s.captureError(w, r, badRequestf("url: want the image's absolute URL"))
		return
	}
	if s.warcDir == "" {
		s.captureError(w, r, notFoundf("this server has no WARC directory"))
		return
	}
	ix, err := archive.OpenIndex(s.warcDir)
	if err != nil {
		s.captureError(w, r, notFoundf("no archive"))
		return
	}
	c, ok := newestImage(ix, u)
	if !ok {
		s.captureError(w, r, notFoundf("the archive holds no image at %s", clipText(u, 200)))
		return
	}
	rec, err := archive.ReadRecord(s.warcDir, c.File, c.Offset)
	if err != nil || !isRasterImage(rec.MIME) {
		s.captureError(w, r, notFoundf("the archive holds no image at %s", clipText(u, 200)))
		return
	}
	setCaptureHeaders(w)
	w.Header().Set("Content-Type", rec.MIME)
	w.Header().Set("Cache-Control", "private, max-age=3600")
	w.Write(rec.Payload)
}

// isRasterImage: image types a browser shows without running anything. SVG
// is left out: it is a document that can hold scripts.
func isRasterImage(mime string) bool {
	switch mime {
	case "image/jpeg", "image/png", "image/gif", "image/webp", "image/avif", "image/bmp", "image/x-icon", "image/vnd.microsoft.icon":
		return true
	}
	return false
}

// headerValue reads one field from a raw HTTP response header block.
func headerValue(raw []byte, name string) string {
	tp := textproto.NewReader(bufio.NewReader(bytes.NewReader(raw)))
	if _, err := tp.ReadLine(); err != nil { // the status line
		return ""
	}
	h, _ := tp.ReadMIMEHeader()
	return h.Get(name)
}

// headerSafe keeps a value fit for a response header.
func headerSafe(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r > 0x7e {
			return -1
		}
		return r
	}, s)
	return clipText(s, 2000)
}
