package archive

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	cdxjTime     = "20060102150405"
	mimeRevisit  = "warc/revisit"
	maxIndexLine = 64 << 10
)

// cdxjFields is the JSON part of a CDXJ line. pywb writes numbers as
// strings; recordid and truncated are our additions, which pywb ignores.
type cdxjFields struct {
	URL       string  `json:"url"`
	MIME      string  `json:"mime,omitempty"`
	Status    flexStr `json:"status,omitempty"`
	Digest    string  `json:"digest,omitempty"`
	Length    flexStr `json:"length"`
	Offset    flexStr `json:"offset"`
	Filename  string  `json:"filename"`
	RecordID  string  `json:"recordid,omitempty"`
	Truncated string  `json:"truncated,omitempty"`
}

// flexStr accepts a JSON string or number, so indexes from other tools load.
type flexStr string

func (f *flexStr) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexStr(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexStr(n)
	return nil
}

// indexEntry is what the writer knows about a record it indexes.
type indexEntry struct {
	Capture
	truncated string // WARC-Truncated reason
}

// cdxjLine formats one index line, newline included.
func cdxjLine(e indexEntry) []byte {
	f := cdxjFields{
		URL:       e.URL,
		MIME:      e.MIME,
		Digest:    strings.TrimPrefix(e.PayloadDigest, digestPrefix),
		Length:    flexStr(strconv.FormatInt(e.Length, 10)),
		Offset:    flexStr(strconv.FormatInt(e.Offset, 10)),
		Filename:  e.File,
		RecordID:  e.RecordID,
		Truncated: e.truncated,
	}
	if e.Revisit {
		f.MIME = mimeRevisit
	}
	if e.Status != 0 {
		f.Status = flexStr(strconv.Itoa(e.Status))
	}
	var b bytes.Buffer
	b.WriteString(surtKey(e.URL))
	b.WriteByte(' ')
	b.WriteString(e.Time.UTC().Format(cdxjTime))
	b.WriteByte(' ')
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(f) // plain struct: cannot fail; Encode adds the newline
	return b.Bytes()
}

var errBadLine = errors.New("malformed CDXJ line")

// parseCDXJ parses one index line (without its newline).
func parseCDXJ(line []byte) (key string, c Capture, err error) {
	k, rest, ok := bytes.Cut(line, []byte{' '})
	if !ok {
		return "", c, errBadLine
	}
	ts, js, ok := bytes.Cut(rest, []byte{' '})
	if !ok {
		return "", c, errBadLine
	}
	var f cdxjFields
	if err := f.scan(js); err != nil {
		// Not a flat object: let encoding/json have a go (and name the error).
		f = cdxjFields{}
		if err := json.Unmarshal(js, &f); err != nil {
			return "", c, fmt.Errorf("%w: %v", errBadLine, err)
		}
	}
	c.Time, err = parseStamp(string(ts))
	if err != nil {
		return "", c, fmt.Errorf("%w: timestamp %q", errBadLine, ts)
	}
	c.URL, c.File, c.RecordID, c.MIME = f.URL, f.Filename, f.RecordID, f.MIME
	c.Offset, err = strconv.ParseInt(string(f.Offset), 10, 64)
	if err != nil || c.Offset < 0 {
		return "", c, fmt.Errorf("%w: offset %q", errBadLine, f.Offset)
	}
	c.Length, err = strconv.ParseInt(string(f.Length), 10, 64)
	if err != nil || c.Length < 0 {
		return "", c, fmt.Errorf("%w: length %q", errBadLine, f.Length)
	}
	c.Status, _ = strconv.Atoi(string(f.Status)) // "-" and absent mean 0
	if f.Digest != "" && !strings.Contains(f.Digest, ":") {
		c.PayloadDigest = digestPrefix + f.Digest
	} else {
		c.PayloadDigest = f.Digest
	}
	if f.MIME == mimeRevisit {
		c.Revisit, c.MIME = true, ""
	}
	c.Truncated = f.Truncated != ""
	return string(k), c, nil
}

// parseStamp reads a CDXJ timestamp: 4 to 14 digits, the rest padded low.
func parseStamp(s string) (time.Time, error) {
	if len(s) < 4 || len(s) > 14 {
		return time.Time{}, errBadLine
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return time.Time{}, errBadLine
		}
	}
	s += "00000101000000"[len(s):]
	return time.Parse(cdxjTime, s)
}

// scan fills f from a flat JSON object (string, number, true, false or
// null values) without reflection: loading the dedupe digests at Open
// parses every index line, and encoding/json is ten times slower.
func (f *cdxjFields) scan(b []byte) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return errBadLine
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return trailing(b, i+1)
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return errBadLine
		}
		end := bytes.IndexByte(b[i+1:], '"')
		if end < 0 {
			return errBadLine
		}
		key, j := b[i+1:i+1+end], i+2+end // field names have no escapes
		i = skipSpace(b, j)
		if i >= len(b) || b[i] != ':' {
			return errBadLine
		}
		i = skipSpace(b, i+1)
		var (
			val string
			err error
		)
		if i < len(b) && b[i] == '"' {
			val, i, err = scanString(b, i)
			if err != nil {
				return err
			}
		} else {
			j := i
			for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ' ' && b[j] != '\t' {
				if b[j] == '{' || b[j] == '[' || b[j] == '"' {
					return errBadLine
				}
				j++
			}
			if j == i {
				return errBadLine
			}
			val, i = string(b[i:j]), j
			if val == "null" {
				val = ""
			}
		}
		switch string(key) {
		case "url":
			f.URL = val
		case "mime":
			f.MIME = val
		case "status":
			f.Status = flexStr(val)
		case "digest":
			f.Digest = val
		case "length":
			f.Length = flexStr(val)
		case "offset":
			f.Offset = flexStr(val)
		case "filename":
			f.Filename = val
		case "recordid":
			f.RecordID = val
		case "truncated":
			f.Truncated = val
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return errBadLine
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return trailing(b, i+1)
		default:
			return errBadLine
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

func trailing(b []byte, i int) error {
	if skipSpace(b, i) != len(b) {
		return errBadLine
	}
	return nil
}

// scanString reads the JSON string starting at b[i] == '"'.
func scanString(b []byte, i int) (string, int, error) {
	if i >= len(b) || b[i] != '"' {
		return "", i, errBadLine
	}
	escaped, high := false, false
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '\\':
			escaped = true
			j++
		case c < 0x20:
			return "", j, errBadLine
		case c >= 0x80:
			high = true
		case c == '"':
			if !escaped && (!high || utf8.Valid(b[i+1:j])) {
				return string(b[i+1 : j]), j + 1, nil
			}
			// Escapes and invalid UTF-8 (which becomes U+FFFD): as
			// encoding/json does it.
			var s string
			if err := json.Unmarshal(b[i:j+1], &s); err != nil {
				return "", j, errBadLine
			}
			return s, j + 1, nil
		}
	}
	return "", len(b), errBadLine
}
