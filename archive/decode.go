package archive

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
)

var errUnknownEncoding = errors.New("unknown content encoding")

var gzipReaders sync.Pool

// decodeBody undoes the Content-Encoding codings of body, last applied
// first. At most limit bytes are returned; cut reports that more were
// there. On a decoding error (a truncated or corrupt stream) what was
// decoded so far is returned along with the error; on an unknown coding
// the body is returned as it is, with errUnknownEncoding.
func decodeBody(body []byte, contentEncoding string, limit int64) (out []byte, cut bool, err error) {
	var codings []string
	for c := range strings.SplitSeq(contentEncoding, ",") {
		c = strings.ToLower(strings.TrimSpace(c))
		if c != "" && c != "identity" {
			codings = append(codings, c)
		}
	}
	if len(codings) == 0 {
		if int64(len(body)) > limit {
			return body[:limit], true, nil
		}
		return body, false, nil
	}
	for _, c := range codings {
		switch c {
		case "gzip", "x-gzip", "deflate", "zstd", "br":
		default:
			return body, false, fmt.Errorf("%w %q", errUnknownEncoding, c)
		}
	}
	out = body
	for i := len(codings) - 1; i >= 0; i-- {
		out, cut, err = decodeOne(out, codings[i], limit)
		if err != nil || cut {
			return out, cut, err
		}
	}
	return out, false, nil
}

func decodeOne(in []byte, coding string, limit int64) ([]byte, bool, error) {
	var (
		r   io.Reader
		err error
	)
	switch coding {
	case "gzip", "x-gzip":
		// A reader's 32 KB window and its tables cost more to allocate and clear than
		// inflating a page of a few KB does, so readers are reused.
		zr, _ := gzipReaders.Get().(*gzip.Reader)
		if zr == nil {
			zr = new(gzip.Reader)
		}
		defer gzipReaders.Put(zr)
		if err = zr.Reset(bytes.NewReader(in)); err == nil {
			r = zr
		}
	case "deflate":
		// RFC 9110 deflate is zlib-wrapped; some servers send raw deflate.
		if r, err = zlib.NewReader(bytes.NewReader(in)); err != nil {
			r, err = flate.NewReader(bytes.NewReader(in)), nil
		}
	case "zstd":
		var d *zstd.Decoder
		d, err = zstd.NewReader(bytes.NewReader(in), zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderMaxMemory(uint64(limit)+1<<20), zstd.WithDecoderMaxWindow(64<<20))
		if err == nil {
			defer d.Close()
			r = d
		}
	case "br":
		r = brotli.NewReader(bytes.NewReader(in))
	}
	if err != nil {
		return nil, false, fmt.Errorf("decode %s: %w", coding, err)
	}
	var out bytes.Buffer
	if coding == "gzip" || coding == "x-gzip" {
		// The trailer's size (mod 4 GiB, and a hostile page may lie) sizes the buffer
		// once instead of doubling it up from 512 bytes; a lie costs at most a
		// bounded allocation.
		if k := len(in); k >= 18 {
			out.Grow(int(min(int64(binary.LittleEndian.Uint32(in[k-4:])), limit+1, 1<<20)))
		}
	}
	n, err := io.Copy(&out, io.LimitReader(r, limit+1))
	if n > limit {
		return out.Bytes()[:limit], true, nil
	}
	if err != nil {
		return out.Bytes(), false, fmt.Errorf("decode %s: %w", coding, err)
	}
	return out.Bytes(), false, nil
}
