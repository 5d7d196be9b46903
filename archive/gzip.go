package archive

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"mime"
	"strings"
	"sync"

	"github.com/klauspost/compress/flate"
)

var flateWriters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.DefaultCompression)
	return w
}}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// gzipHeader is a member header with no name, time or extra field.
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}

// maxStored is the most one deflate stored block holds.
const maxStored = 0xffff

// gzipMember appends src to dst as one gzip member whose first head bytes
// are compressed and whose rest is kept in stored blocks. A body that is
// already gzip, brotli or zstd, or an image, does not shrink: running the
// compressor over it cost a tenth of a crawl's CPU for nothing. A head under
// minCompress is stored too: compressing a kilobyte of record and HTTP
// headers cost 30-60 µs a record in a crawl (the compressor's tables are cold
// by the next record), as much as fetching and parsing a small page, to save
// a few hundred bytes. The member is ordinary gzip to any reader.
func gzipMember(dst *bytes.Buffer, src []byte, head int) error {
	if head < minCompress {
		head = 0
	}
	crc := crc32.ChecksumIEEE(src)
	dst.Write(gzipHeader)
	if head > 0 {
		fw := flateWriters.Get().(*flate.Writer)
		defer flateWriters.Put(fw)
		fw.Reset(dst)
		if _, err := fw.Write(src[:head]); err != nil {
			return fmt.Errorf("gzip record: %w", err)
		}
		// A sync flush ends on a byte boundary with the stream still open, so
		// stored blocks can follow directly.
		if err := fw.Flush(); err != nil {
			return fmt.Errorf("gzip record: %w", err)
		}
	}
	tail := src[head:]
	for {
		n := min(len(tail), maxStored)
		final := byte(0)
		if n == len(tail) {
			final = 1
		}
		var hdr [5]byte
		hdr[0] = final // BFINAL, BTYPE 00 (stored); the rest of the byte is padding
		binary.LittleEndian.PutUint16(hdr[1:], uint16(n))
		binary.LittleEndian.PutUint16(hdr[3:], ^uint16(n))
		dst.Write(hdr[:])
		dst.Write(tail[:n])
		tail = tail[n:]
		if final == 1 {
			break
		}
	}
	var trailer [8]byte
	binary.LittleEndian.PutUint32(trailer[:], crc)
	binary.LittleEndian.PutUint32(trailer[4:], uint32(len(src)))
	dst.Write(trailer[:])
	return nil
}

// minCompress is the smallest part of a record worth compressing.
const minCompress = 2048

// incompressible tells whether a response body with these headers is already
// compressed: content-encoded, or a media type that is compressed by nature.
func incompressible(contentEncoding, contentType string) bool {
	if ce := strings.ToLower(strings.TrimSpace(contentEncoding)); ce != "" && ce != "identity" {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "image/"):
		return mt != "image/svg+xml" && mt != "image/bmp" && mt != "image/x-icon" && mt != "image/vnd.microsoft.icon"
	case strings.HasPrefix(mt, "video/"), strings.HasPrefix(mt, "audio/"):
		return true
	}
	switch mt {
	case "application/zip", "application/gzip", "application/x-gzip", "application/zstd",
		"application/x-bzip2", "application/x-xz", "application/x-7z-compressed", "font/woff", "font/woff2":
		return true
	}
	return false
}
