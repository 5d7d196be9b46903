package archive

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"
)

func seedRecord(fields Fields, block string) []byte {
	var b bytes.Buffer
	marshalRecord(&b, fields, []byte(block))
	return b.Bytes()
}

// FuzzReadRecord feeds arbitrary bytes to the record reader, both as they
// are (gzip members) and wrapped in a valid gzip member (so that the WARC
// and HTTP parsers and the body decoders are reached). It must never panic
// nor hand back a record that contradicts its own header.
func FuzzReadRecord(f *testing.F) {
	resp := Fields{{hType, "response"}, {hRecordID, newRecordID()}, {hDate, "2025-01-02T03:04:05Z"},
		{hTargetURI, "https://japan.news-pravda.com/"}, {hContentType, mimeHTTPResponse}}
	gz := compressWith(f, "gzip", []byte("<html>日本</html>"))
	for _, block := range []string{
		"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n" + string(gz),
		"HTTP/1.1 200 OK\r\nContent-Encoding: zstd\r\n\r\n" + string(compressWith(f, "zstd", []byte("zstd body"))),
		"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\n\r\n" + string(compressWith(f, "br", []byte("br body"))),
		"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\n\r\nbody",
		"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort",
		"garbage",
	} {
		rec := seedRecord(resp, block)
		f.Add(rec, true)
		var m bytes.Buffer
		gzipMember(&m, rec, len(rec))
		f.Add(m.Bytes(), false)
	}
	f.Add(seedRecord(Fields{{hType, "revisit"}, {hContentType, mimeHTTPResponse}}, "HTTP/1.1 200 OK\r\n\r\n"), true)
	f.Add(seedRecord(Fields{{hType, "resource"}, {hContentType, "text/plain"}}, "log"), true)
	f.Add([]byte("WARC/1.1\r\nContent-Length: 99999999999\r\n\r\n"), true)
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}, false)

	f.Fuzz(func(t *testing.T, data []byte, wrap bool) {
		if wrap {
			var m bytes.Buffer
			if err := gzipMember(&m, data, len(data)); err != nil {
				t.Fatal(err)
			}
			data = m.Bytes()
		}
		mr := newMemberReader(bytes.NewReader(data), 0)
		for range 8 {
			start := mr.pos()
			raw, err := mr.next()
			if err == io.EOF {
				return
			}
			if err != nil {
				return
			}
			if raw.offset != start || raw.length <= 0 || raw.offset+raw.length > int64(len(data)) {
				t.Fatalf("record at %d+%d in %d bytes", raw.offset, raw.length, len(data))
			}
			rec := decodeRecord(raw, "f.warc.gz")
			if len(rec.Payload) > maxPayload {
				t.Fatalf("payload %d bytes over the cap", len(rec.Payload))
			}
			if rec.Type != raw.fields.Get(hType) {
				t.Fatalf("type %q vs %q", rec.Type, raw.fields.Get(hType))
			}
			if e, ok := entryOf(raw, "f.warc.gz"); ok {
				line := cdxjLine(e)
				if _, c, err := parseCDXJ(line[:len(line)-1]); err == nil && (c.Offset != e.Offset || c.URL != e.URL) {
					t.Fatalf("index line does not round-trip: %q", line)
				}
			}
		}
	})
}

// FuzzParseCDXJ checks the hand-written JSON scanner against encoding/json
// with exact (case-sensitive) field names, as pywb's Python dicts have them:
// whenever both accept an object they must agree.
func FuzzParseCDXJ(f *testing.F) {
	f.Add([]byte(`{"url":"http://a/","mime":"text/html","status":"200","digest":"X","length":"10","offset":"5","filename":"f.warc.gz"}`))
	f.Add([]byte(`{"url": "http://a/\u0026b", "length": 10, "offset": 0, "filename": "f", "status": null}`))
	f.Add([]byte(`{"url":"x\"y","length":"1","offset":"2","filename":"f","extra":true}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, js []byte) {
		var fast cdxjFields
		if fast.scan(js) != nil {
			return
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(js, &m); err != nil {
			return
		}
		var slow cdxjFields
		str := func(k string, dst *string) bool {
			if v, ok := m[k]; ok && string(v) != "null" {
				return json.Unmarshal(v, dst) == nil
			}
			return true
		}
		flex := func(k string, dst *flexStr) bool {
			if v, ok := m[k]; ok && string(v) != "null" {
				return json.Unmarshal(v, dst) == nil
			}
			return true
		}
		if !str("url", &slow.URL) || !str("mime", &slow.MIME) || !flex("status", &slow.Status) ||
			!str("digest", &slow.Digest) || !flex("length", &slow.Length) || !flex("offset", &slow.Offset) ||
			!str("filename", &slow.Filename) || !str("recordid", &slow.RecordID) || !str("truncated", &slow.Truncated) {
			return // a type the scanner takes as text, such as a number for url
		}
		if fast != slow {
			t.Fatalf("scan %+v\njson %+v", fast, slow)
		}
	})
}
