package archive

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Field is one named field of a WARC record header.
type Field struct {
	Name, Value string
}

// Fields is a WARC record header in file order.
type Fields []Field

// Get returns the first value of the named field (case-insensitive), or "".
func (f Fields) Get(name string) string {
	for _, x := range f {
		if strings.EqualFold(x.Name, name) {
			return x.Value
		}
	}
	return ""
}

func (f *Fields) add(name, value string) {
	if value != "" {
		*f = append(*f, Field{name, value})
	}
}

// WARC field names used by this package.
const (
	hType          = "WARC-Type"
	hRecordID      = "WARC-Record-ID"
	hDate          = "WARC-Date"
	hTargetURI     = "WARC-Target-URI"
	hIPAddress     = "WARC-IP-Address"
	hConcurrentTo  = "WARC-Concurrent-To"
	hBlockDigest   = "WARC-Block-Digest"
	hPayloadDigest = "WARC-Payload-Digest"
	hTruncated     = "WARC-Truncated"
	hProfile       = "WARC-Profile"
	hRefersTo      = "WARC-Refers-To"
	hRefersToURI   = "WARC-Refers-To-Target-URI"
	hRefersToDate  = "WARC-Refers-To-Date"
	hFilename      = "WARC-Filename"
	hContentType   = "Content-Type"
	hContentLength = "Content-Length"
)

const (
	mimeHTTPRequest  = "application/http;msgtype=request"
	mimeHTTPResponse = "application/http;msgtype=response"
	mimeWarcFields   = "application/warc-fields"
	profileIdentical = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
)

// warcDate formats a WARC-Date. Whole seconds, as Heritrix and wget write
// them, so that the 14-digit CDXJ timestamp names the same instant.
func warcDate(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// cleanValue keeps a header value on one line: control characters (a CR or
// LF smuggled in through a URL or an IP string) are percent-escaped.
func cleanValue(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' || c == 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\t' || c == 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// marshalRecord writes one uncompressed WARC/1.1 record. Content-Length and
// WARC-Block-Digest are computed here from the block parts.
func marshalRecord(buf *bytes.Buffer, fields Fields, block ...[]byte) {
	marshalHead(buf, fields, block...)
	for _, p := range block {
		buf.Write(p)
	}
	buf.WriteString(recordEnd)
}

// marshalHead writes a record's version line and header, up to the block:
// what marshalRecord writes before the block parts and recordEnd after them.
func marshalHead(buf *bytes.Buffer, fields Fields, block ...[]byte) {
	n := 0
	for _, p := range block {
		n += len(p)
	}
	buf.WriteString("WARC/1.1\r\n")
	for _, f := range fields {
		buf.WriteString(f.Name)
		buf.WriteString(": ")
		buf.WriteString(cleanValue(f.Value))
		buf.WriteString("\r\n")
	}
	buf.WriteString(hBlockDigest + ": " + digestOf(block...) + "\r\n")
	buf.WriteString(hContentLength + ": " + strconv.Itoa(n) + "\r\n\r\n")
}

// recordEnd follows every record's block.
const recordEnd = "\r\n\r\n"

// newRecordID returns a fresh "<urn:uuid:...>" (version 4).
func newRecordID() string {
	var u [16]byte
	randRead(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return formatRecordID(u)
}

// randRead fills b with random bytes; crypto/rand.Read never returns an
// error on supported platforms.
func randRead(b []byte) { _, _ = rand.Read(b) }
